"""Every back-office route, tried by every role and by an anonymous visitor."""

from __future__ import annotations

from urllib.parse import urlsplit

import requests

from routing import workflow
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import NIK, csrf_token, login, make_attachment, make_staff, make_ticket, queue_numbers
from tickets.accounts import ADMIN_ROLE, known_roles
from tickets.constants import Channel, Service
from tickets.services import create_ticket

ANONYMOUS = "(anonim)"
UPT_KECAMATAN = "180601"  # Kota Agung
OTHER_KECAMATAN = "180602"  # Talang Padang
HELP_DESK = {"wa_receiver", "call_center_agent", ADMIN_ROLE}


def outcome(response: requests.Response) -> str:
    """What the visitor noticed: 'in' (a page), 'login' (sent to log in), 'home' (sent on), '403' or '404'."""
    if response.status_code in (301, 302, 303):
        path = urlsplit(response.headers["Location"]).path
        return "login" if path == "/masuk" else "redirect"
    if response.status_code in (200, 422):
        return "in"
    return str(response.status_code)


def test_every_route_with_every_role(app, http, session) -> None:  # type: ignore[no-untyped-def]
    definition = workflow(TANGGAMUS)
    roles = sorted(known_roles())
    for role in roles:
        make_staff(session, role, kecamatan_code=UPT_KECAMATAN if role == "upt_officer" else None)
    elsewhere = make_ticket(session, kecamatan_code=OTHER_KECAMATAN)
    nearby = make_ticket(session, kecamatan_code=UPT_KECAMATAN)
    attachment = make_attachment(session, app.config["MEDIA_PATH"], elsewhere)
    staff_id = make_staff(session, "sorter", username="sorter-kedua").id

    routes = {
        "GET /": ("GET", "/"),
        "GET /masuk": ("GET", "/masuk"),
        "GET /antrian": ("GET", "/antrian"),
        "GET /tiket (other kecamatan)": ("GET", f"/tiket/{elsewhere.number}"),
        "GET /tiket (UPT's kecamatan)": ("GET", f"/tiket/{nearby.number}"),
        "POST /tiket/aksi": ("POST", f"/tiket/{elsewhere.number}/aksi"),
        "GET /tiket/lampiran": ("GET", f"/tiket/{elsewhere.number}/lampiran/{attachment.id}"),
        "GET /percakapan-bantuan": ("GET", "/percakapan-bantuan"),
        "POST /percakapan-bantuan/<phone>/balas": ("POST", "/percakapan-bantuan/+6281234567890/balas"),
        "POST /percakapan-bantuan/<phone>/selesai": ("POST", "/percakapan-bantuan/+6281234567890/selesai"),
        "GET /admin/": ("GET", "/admin/"),
        "GET /admin/staf": ("GET", "/admin/staf"),
        "GET /admin/staf/baru": ("GET", "/admin/staf/baru"),
        "POST /admin/staf/baru": ("POST", "/admin/staf/baru"),
        "GET /admin/staf/<id>": ("GET", f"/admin/staf/{staff_id}"),
        "POST /admin/staf/<id>/sandi": ("POST", f"/admin/staf/{staff_id}/sandi"),
    }
    # The intake stage belongs to wa_receiver; the full-NIK roles and admin may open files too.
    attachment_roles = set(definition.roles_seeing_full_nik) | {"wa_receiver", ADMIN_ROLE}

    def expected(role: str, route: str) -> str:
        if route in ("GET /", "GET /masuk"):
            return "in" if role == ANONYMOUS else "redirect"
        if route == "GET /admin/" and role == ADMIN_ROLE:
            return "redirect"
        if role == ANONYMOUS:
            return "login"
        if route.startswith(("GET /admin", "POST /admin")):
            return "in" if role == ADMIN_ROLE else "403"
        if route == "GET /percakapan-bantuan":
            return "in" if role in HELP_DESK else "403"
        if route.startswith("POST /percakapan-bantuan"):
            return "redirect" if role in HELP_DESK else "403"
        if role == "upt_officer" and "UPT's" not in route:
            return "403" if route != "GET /antrian" else "in"
        if role == "aparat_desa" and route != "GET /antrian":
            return "403"  # village staff open only the tickets they submitted
        if route == "GET /tiket/lampiran":
            return "in" if role in attachment_roles else "403"
        if route == "POST /tiket/aksi":
            return "redirect"  # refused, back to the ticket page with the reason (post/redirect/get)
        return "in"

    actual: dict[tuple[str, str], str] = {}
    wanted: dict[tuple[str, str], str] = {}
    for role in [ANONYMOUS, *roles]:
        http.cookies.clear()
        if role == ANONYMOUS:
            token = csrf_token(http.get("/masuk").text)
        else:
            token = csrf_token(login(http, role.replace("_", "-")).text)
        for route, (method, path) in routes.items():
            # The POST bodies are deliberately invalid: getting in shows the form again, changing nothing.
            data = {"csrf_token": token, "action": "bukan-tindakan"} if method == "POST" else None
            response = http.request(method, path, data=data, allow_redirects=False)
            actual[(role, route)] = outcome(response)
            wanted[(role, route)] = expected(role, route)

    differences = {key: (actual[key], wanted[key]) for key in actual if actual[key] != wanted[key]}
    assert differences == {}, "(role, route): (got, expected)"


def test_refusal_page_is_in_indonesian(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")
    login(http, "sorter")
    response = http.get("/admin/staf")
    assert response.status_code == 403
    assert "Akses ditolak" in response.text


def test_unknown_ticket_is_404(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")
    login(http, "sorter")
    response = http.get("/tiket/PGD-2026-999999")
    assert response.status_code == 404
    assert "Tidak ditemukan" in response.text


def test_account_without_roles_gets_in_nowhere(http, session) -> None:  # type: ignore[no-untyped-def]
    account = make_staff(session, "sorter")
    account.roles = []
    session.add(account)
    session.commit()
    ticket = make_ticket(session)

    login(http, "sorter")

    assert http.get("/antrian").status_code == 403
    assert http.get(f"/tiket/{ticket.number}").status_code == 403


def test_upt_account_without_kecamatan_sees_no_tickets(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "upt_officer")
    ticket = make_ticket(session, kecamatan_code=UPT_KECAMATAN, stage="upt_receipt")

    page = login(http, "upt-officer")

    assert "belum terhubung ke kecamatan" in page.text
    assert queue_numbers(page.text) == []
    assert http.get(f"/tiket/{ticket.number}").status_code == 403


def test_village_staff_see_only_the_tickets_they_submitted(app, http, session) -> None:  # type: ignore[no-untyped-def]
    mine_operator = make_staff(session, "aparat_desa", username="pekon-gisting")
    other_operator = make_staff(session, "aparat_desa", username="pekon-talang")
    created = {}
    for operator in (mine_operator, other_operator):
        with app.app_context():
            ticket = create_ticket(session, service=Service.KK, channel=Channel.PEKON, phone=None, nik=NIK,
                                   name="Siti Aminah", actor_id=operator.id, actor_role="aparat_desa")
            session.commit()
        created[operator.username] = ticket.number

    page = login(http, "pekon-gisting")
    queue = http.get("/antrian", params={"peran": "aparat_desa", "tahap": "isi_formulir"}).text

    assert page.status_code == 200
    assert created["pekon-gisting"] in queue and created["pekon-talang"] not in queue
    assert http.get(f"/tiket/{created['pekon-gisting']}").status_code == 200
    assert http.get(f"/tiket/{created['pekon-talang']}").status_code == 403
