"""The ticket page and the queue answer form posts with a redirect (post/redirect/get) and htmx requests with
the part of the page that changed; the queue sorts by its columns and pages through every order."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pytest
import requests
from sqlmodel import Session

from layanan.clock import utcnow
from tests.tickets.conftest import act_via_form, csrf_token, login, make_staff, make_ticket, queue_numbers
from tickets.constants import Service
from tickets.kecamatan import BY_CODE
from tickets.models import Ticket

HTMX = {"HX-Request": "true"}


def _version(html: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found, "no action form on the page"
    return found.group(1)


def test_a_refused_advance_redirects_and_shows_each_error_beside_its_field_with_the_typed_values(
        http: requests.Session, session: Session) -> None:
    make_staff(session, "pickup_counter")
    ticket = make_ticket(session, stage="pickup")
    login(http, "pickup-counter")
    act_via_form(http, ticket.number, "claim")
    page = http.get(f"/tiket/{ticket.number}").text

    response = http.post(f"/tiket/{ticket.number}/aksi", allow_redirects=False, data={
        "csrf_token": csrf_token(page), "version": _version(page), "action": "advance",
        "isian-diambil_oleh": "Ahmad Fauzi", "note": "Datang sendiri ke loket"})

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/tiket/{ticket.number}#tindakan")
    shown = http.get(response.headers["Location"])
    assert shown.status_code == 200
    assert 'value="Ahmad Fauzi"' in shown.text  # what was typed is still there
    assert ">Datang sendiri ke loket</textarea>" in shown.text
    form = shown.text[shown.text.index('class="action-advance"'):]
    assert form.index("Dokumen sudah diserahkan: harus dicentang") < form.index("</form>")  # beside its field
    assert "Isian belum lengkap" in shown.text

    # A reload is a GET of the ticket page: nothing posted again, and the error was shown once.
    reloaded = http.get(f"/tiket/{ticket.number}")
    assert "Isian belum lengkap" not in reloaded.text and 'value="Ahmad Fauzi"' not in reloaded.text
    session.expire_all()
    stored = session.get(Ticket, ticket.id)
    assert stored is not None and stored.stage == "pickup"


def test_a_refused_reason_keeps_what_was_typed_in_that_form_only(http: requests.Session, session: Session) -> None:
    make_staff(session, "registration_counter")
    ticket = make_ticket(session, stage="counter_registration")
    login(http, "registration-counter")
    act_via_form(http, ticket.number, "claim")

    shown = act_via_form(http, ticket.number, "return", to_stage="data_lifting", reason=" " * 3)

    assert [r.status_code for r in shown.history] == [303]
    returned = shown.text[shown.text.index('class="action-return'):]
    returned = returned[:returned.index("</form>")]
    assert 'value="data_lifting" selected' in returned
    assert 'class="field-error" id="return-reason-error">wajib diisi' in returned
    rejected = shown.text[shown.text.index('class="action-reject'):]
    assert "field-error" not in rejected[:rejected.index("</form>")]


def test_a_long_refused_text_comes_back_whole_without_swelling_the_session_cookie(
        http: requests.Session, session: Session) -> None:
    make_staff(session, "registration_counter")
    ticket = make_ticket(session, stage="counter_registration")
    login(http, "registration-counter")
    act_via_form(http, ticket.number, "claim")
    # Past the 1000 characters allowed, and as hard to compress as a typed text can be.
    long_reason = "Berkas tidak terbaca: " + secrets.token_hex(1200)

    shown = act_via_form(http, ticket.number, "reject", reason=long_reason)

    assert [r.status_code for r in shown.history] == [303]
    assert f">{long_reason}</textarea>" in shown.text
    assert "maksimal 1000 karakter" in shown.text
    cookie = shown.history[0].headers.get("Set-Cookie", "")
    assert len(cookie) < 1500, "the typed text rode in the session cookie"


def test_success_redirects_too(http: requests.Session, session: Session) -> None:
    make_staff(session, "wa_receiver")
    ticket = make_ticket(session)
    login(http, "wa-receiver")
    page = http.get(f"/tiket/{ticket.number}").text

    response = http.post(f"/tiket/{ticket.number}/aksi", allow_redirects=False, data={
        "csrf_token": csrf_token(page), "version": _version(page), "action": "claim"})

    assert response.status_code == 303
    assert f"Tiket {ticket.number} sekarang Anda kerjakan." in http.get(response.headers["Location"]).text


def test_htmx_gets_the_panel_head_and_history_not_a_page(http: requests.Session, session: Session) -> None:
    make_staff(session, "wa_receiver", full_name="Rina Penerima")
    ticket = make_ticket(session)
    login(http, "wa-receiver")
    page = http.get(f"/tiket/{ticket.number}").text

    claimed = http.post(f"/tiket/{ticket.number}/aksi", headers=HTMX, allow_redirects=False, data={
        "csrf_token": csrf_token(page), "version": _version(page), "action": "claim"})

    assert claimed.status_code == 200
    assert "<html" not in claimed.text and "<header" not in claimed.text
    assert claimed.text.lstrip().startswith('<aside class="ticket-side" id="ticket-side"')
    assert f"Tiket {ticket.number} sekarang Anda kerjakan." in claimed.text
    assert '<div id="ticket-head" hx-swap-oob="true">' in claimed.text
    assert '<section class="card" id="riwayat" hx-swap-oob="true">' in claimed.text
    assert "Rina Penerima" in claimed.text  # the panel says who works on it now
    assert 'class="action-advance"' in claimed.text  # and offers the next step

    refused = http.post(f"/tiket/{ticket.number}/aksi", headers=HTMX, allow_redirects=False, data={
        "csrf_token": csrf_token(page), "version": _version(claimed.text), "action": "return",
        "reason": "", "to_stage": "nope"})
    assert refused.status_code == 422
    assert refused.headers["HX-Retarget"] == "#ticket-side" and refused.headers["HX-Reswap"] == "outerHTML"
    assert "<html" not in refused.text and 'role="alert"' in refused.text

    stale = http.post(f"/tiket/{ticket.number}/aksi", headers=HTMX, allow_redirects=False, data={
        "csrf_token": csrf_token(page), "version": _version(page), "action": "release"})
    assert stale.status_code == 409
    assert "diubah petugas lain" in stale.text and "<html" not in stale.text


def test_htmx_queue_request_gets_the_table_and_the_tabs(http: requests.Session, session: Session) -> None:
    make_staff(session, "wa_receiver")
    ticket = make_ticket(session, kecamatan_code="180620")
    make_ticket(session, kecamatan_code="180601")
    login(http, "wa-receiver")

    part = http.get("/antrian", params={"kecamatan": "180620"}, headers=HTMX)

    assert part.status_code == 200 and "<html" not in part.text and 'id="queue-filters"' not in part.text
    assert part.text.lstrip().startswith('<div id="queue-results"')
    assert "HX-Request" in part.headers["Vary"]  # a cache never hands the part out as the page
    assert queue_numbers(part.text) == [ticket.number]
    assert '<nav class="tabs" id="queue-tabs" aria-label="Tahap" hx-swap-oob="true">' in part.text
    assert "kecamatan=180620" in part.text[part.text.index('id="queue-tabs"'):]  # the tabs keep the filter
    # Going back in history asks for the whole page.
    whole = http.get("/antrian", params={"kecamatan": "180620"},
                     headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in whole.text


def _kecamatan_name(t: Ticket) -> str:
    return BY_CODE[t.kecamatan_code].name if t.kecamatan_code in BY_CODE else "\uffff"


SORTS = {
    "batas": lambda t: (t.due_at is None, t.due_at),
    "diterima": lambda t: t.created_at,
    "nomor": lambda t: t.number,
    "kecamatan": lambda t: _kecamatan_name(t),
    "layanan": lambda t: Service(t.service).label,
}


@pytest.mark.parametrize("descending", [False, True], ids=["naik", "turun"])
def test_every_column_sorts_both_ways_and_pages_lose_and_repeat_no_row(app, http: requests.Session,  # type: ignore[no-untyped-def]
                                                                        session: Session, descending: bool) -> None:
    app.config["QUEUE_PAGE_SIZE"] = 4
    make_staff(session, "wa_receiver")
    now = utcnow()
    kecamatan = ["180620", "180601", "180626", None, "180601", "180602", "180620", "180626", "180613", None, "180601"]
    services = [Service.KK, Service.KTP_EL, Service.KIA, Service.AKTA_KELAHIRAN, Service.KK, Service.PINDAH,
                Service.KTP_EL, Service.KK, Service.PERBAIKAN_DATA, Service.KIA, Service.AKTA_KEMATIAN]
    dues = [3, 1, 1, None, 5, 2, 1, None, 4, 3, 2]
    tickets = []
    for i, (code, service, due) in enumerate(zip(kecamatan, services, dues, strict=True)):
        received = now - timedelta(minutes=(i * 7) % 11)  # not in id order
        tickets.append(make_ticket(session, kecamatan_code=code, service=service, now=received,
                                   due_at=now + timedelta(hours=due) if due is not None else None))
    login(http, "wa-receiver")

    for key, sort_key in SORTS.items():
        # No value (no deadline, no kecamatan) goes last in either direction; ties in the order of the ids.
        present = [t for t in tickets if not (key == "batas" and t.due_at is None)
                   and not (key == "kecamatan" and t.kecamatan_code is None)]
        absent = [t for t in tickets if t not in present]
        ordered = sorted(present, key=lambda t: (sort_key(t), t.id), reverse=descending)
        expected = [t.number for t in ordered + sorted(absent, key=lambda t: t.id, reverse=descending)]

        params = {"urut": key, **({"arah": "turun"} if descending else {})}
        page = http.get("/antrian", params=params)
        header = re.search(r'<th scope="col" class="sortable sorted" aria-sort="(\w+)">', page.text)
        assert header and header.group(1) == ("descending" if descending else "ascending"), key
        seen: list[str] = []
        for _ in range(10):
            seen.extend(queue_numbers(page.text))
            link = re.search(r'<a class="button" rel="next" href="([^"]+)"', page.text)
            if link is None:
                break
            href = link.group(1).replace("&amp;", "&")
            assert f"urut={key}" in href or key == "batas" and not descending, href  # the order stays on the next page
            page = http.get(href)
        assert seen == expected, key


def test_htmx_comes_from_this_app_and_may_be_cached_at_its_versioned_address(http: requests.Session,
                                                                             session: Session) -> None:
    make_staff(session, "wa_receiver")
    page = login(http, "wa-receiver").text
    src = re.search(r'<script src="(/aset/htmx-[0-9.]+\.min\.js)"></script>', page)
    assert src, "the page loads no htmx of its own"

    script = http.get(src.group(1))

    assert script.status_code == 200 and "htmx" in script.text[:2000]
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert "immutable" in script.headers["Cache-Control"]
    assert http.get("/aset/htmx-0.0.1.min.js").status_code == 404  # only the installed version
