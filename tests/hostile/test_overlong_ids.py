"""Numbers too large for an id column, in a URL, a query string or a form, are answered 400 or 404, never
500 (SQLite refuses integers above 63 bits, PostgreSQL integers above 31 bits in an INTEGER column).

The routes come from the app's own URL map, so a route with an id added later is covered without
touching this test.
"""

from __future__ import annotations

import io
import re
import tempfile
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from layanan import create_app
from routing import all_roles
from tests.tickets.conftest import PASSWORD, csrf_token, make_staff, make_ticket
from tickets.accounts import ADMIN_ROLE
from tickets.constants import Channel, Service
from tickets.models import Ticket
from tickets.services import create_ticket
from tickets.staff import StaffUser
from tickets.tokens import create_token

# Past the 31 bits of a PostgreSQL INTEGER, past SQLite's 63 bits, and far past both.
OVERLONG = ("2147483648", "9223372036854775808", "99999999999999999999999")
_ID_PARAMETER = re.compile(r"<(?:(int|id)(?:\([^)]*\))?:)(\w+)>")
_PARAMETER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _id_routes() -> list[tuple[str, str, str]]:
    """(rule, method, endpoint) of every route taking an integer id in its path."""
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"TESTING": True, "INSTANCE_PATH": instance, "SECRET_KEY": "x",
                          "TWILIO_AUTH_TOKEN": "x", "DATABASE_URL": "sqlite://", "REDIS_URL": "redis://127.0.0.1:1"})
        return sorted((rule.rule, method, rule.endpoint) for rule in app.url_map.iter_rules()
                      if _ID_PARAMETER.search(rule.rule)
                      for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}))


ID_ROUTES = _id_routes()


def _everyone(app: Flask, session) -> tuple[FlaskClient, str, str]:  # type: ignore[no-untyped-def]
    """A browser logged in as staff holding every role (so every view runs), its form token, an API token."""
    make_staff(session, *all_roles(), ADMIN_ROLE, username="semua", kecamatan_code="180601", full_name="Semua Peran")
    client = app.test_client()
    page = client.get("/masuk")
    client.post("/masuk", data={"csrf_token": csrf_token(page.get_data(as_text=True)), "username": "semua",
                                "password": PASSWORD})
    token = csrf_token(client.get("/antrian").get_data(as_text=True))
    return client, token, create_token(session, "uji-integrasi")


def _request(client: FlaskClient, method: str, path: str, csrf: str, api_token: str,
             data: dict[str, Any] | None = None) -> int:
    headers = {"Authorization": f"Bearer {api_token}"} if path.startswith("/api/") else {}
    if method == "GET":
        return client.get(path, query_string=data, headers=headers).status_code
    return client.open(path, method=method, data={"csrf_token": csrf, **(data or {})}, headers=headers).status_code


def test_the_route_table_has_ids_and_none_uses_the_bare_int_converter() -> None:
    assert len({rule for rule, _, _ in ID_ROUTES}) >= 10
    assert [rule for rule, _, _ in ID_ROUTES if "<int:" in rule] == []


@pytest.mark.parametrize(("rule", "method", "endpoint"), ID_ROUTES, ids=[f"{m} {r}" for r, m, _ in ID_ROUTES])
def test_an_overlong_id_in_the_url_is_400_or_404(app, session, rule: str, method: str, endpoint: str) -> None:  # type: ignore[no-untyped-def]
    client, csrf, api_token = _everyone(app, session)
    ticket = make_ticket(session)
    for value in OVERLONG:
        path = _PARAMETER.sub(lambda m: value if m.group(1) in ("int", "id")
                              else ticket.number if m.group(2) == "number" else "1", rule)
        status = _request(client, method, path, csrf, api_token)
        assert status in (400, 404), f"{method} {path} ({endpoint}): {status}"


REFUSED = (400, 404)
# A ticket version the form cannot have come from is a stale form: the conflict page, as for any unreadable one.
STALE = (409,)


def _form_cases() -> list[tuple[str, str, dict[str, str], tuple[int, ...]]]:
    """(method, path, values, statuses) with an id in the query string or the form; {n} is the ticket's
    number, {v} the value."""
    return [
        ("GET", "/antrian", {"setelah": "{v}000000000_1"}, REFUSED),  # microseconds past the year 9999
        ("GET", "/antrian", {"setelah": "n_{v}"}, REFUSED),
        ("GET", "/antrian", {"setelah": "1767225600000000_{v}"}, REFUSED),
        ("GET", "/pekon/", {"sebelum": "{v}"}, REFUSED),
        ("GET", "/call-center/", {"rekaman": "{v}"}, REFUSED),
        ("GET", "/audit-akses/", {"sebelum": "{v}"}, REFUSED),
        ("POST", "/pengiriman-pdf/kirim", {"tiket": "{v}"}, REFUSED),
        ("POST", "/tte/tandatangani", {"ticket_id": "{v}", "passphrase": "x"}, REFUSED),
        ("POST", "/pekon/baru", {"buang": "{v}"}, REFUSED),
        ("POST", "/berita-acara/1/serahkan-ke-kurir", {"kurir": "{v}"}, REFUSED),
        ("POST", "/berita-acara/1/terima", {"ada": "{v}"}, REFUSED),
        ("POST", "/berita-acara/1/terima", {"catatan-{v}": "tidak ada"}, REFUSED),
        ("POST", "/tiket/{n}/aksi", {"action": "claim", "version": "{v}"}, (303,)),  # to the page saying so
        ("POST", "/pekon/{n}/langkah", {"version": "{v}"}, STALE),
        ("POST", "/pekon/{n}/kelengkapan", {"version": "{v}", "reason": "kurang"}, STALE),
        ("POST", "/pekon/{n}/lengkap", {"version": "{v}"}, STALE),
    ]


FORM_CASES = _form_cases()


@pytest.mark.parametrize(("method", "path", "values", "statuses"), FORM_CASES,
                         ids=[f"{m} {p} {'+'.join(v)}" for m, p, v, _ in FORM_CASES])
def test_an_overlong_id_in_the_query_or_form_is_refused(app, session, method: str, path: str,  # type: ignore[no-untyped-def]
                                                        values: dict[str, str], statuses: tuple[int, ...]) -> None:
    client, csrf, api_token = _everyone(app, session)
    ticket = _pekon_ticket(session) if path.startswith("/pekon/{n}") else make_ticket(session)
    _berita_acara(session, ticket)
    for value in OVERLONG:
        data = {k.replace("{v}", value): v.replace("{v}", value) for k, v in values.items()}
        target = path.replace("{n}", ticket.number)
        status = _request(client, method, target, csrf, api_token, data)
        assert status in statuses, f"{method} {target} {data}: {status}"
    session.expire_all()
    assert session.exec(select(Ticket)).one().version == ticket.version


def test_an_overlong_duration_in_a_pbx_record_is_a_bad_row(app, session) -> None:  # type: ignore[no-untyped-def]
    from bot.call_center.models import CallRecord
    from tests.call_center.test_cdr_import import cdr_row, master_csv

    client, csrf, _ = _everyone(app, session)
    row = cdr_row("1763870000.1", "081298765432", "2026-11-23 09:00:00", billsec=int(OVERLONG[-1]))
    response = client.post("/call-center/rekaman", data={
        "csrf_token": csrf, "berkas": (io.BytesIO(master_csv(row)), "Master.csv", "text/csv")})
    assert response.status_code == 422
    assert "bukan bilangan detik" in response.get_data(as_text=True)
    assert session.exec(select(CallRecord)).all() == []


def _pekon_ticket(session) -> Ticket:  # type: ignore[no-untyped-def]
    """A submission of the logged-in staff member, still at the village's first step."""
    from pekon.services import submitter_role
    from pekon.submission import submitting_definition

    staff = session.exec(select(StaffUser)).first()
    definition = submitting_definition(Service.KK)
    ticket = create_ticket(session, service=Service.KK, channel=Channel.PEKON, phone=None, nik="1806015708900003",
                           name="Rina", kecamatan_code="180601", actor_id=staff.id,
                           actor_role=submitter_role(definition, staff))
    session.commit()
    return ticket


def _berita_acara(session, ticket: Ticket) -> None:  # type: ignore[no-untyped-def]
    """A draft berita acara with id 1, so its pages get as far as reading the form."""
    from berita_acara.models import BeritaAcara

    staff = session.exec(select(StaffUser)).first()
    session.add(BeritaAcara(id=1, number="470/001/BA-UPT/Disdukcapil/2026", year=2026, seq=1,
                            kecamatan_code=ticket.kecamatan_code, document_date=date(2026, 1, 5),
                            created_by_id=staff.id))
    session.commit()
