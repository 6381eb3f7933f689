"""GET /api/tickets/<number>: token-authenticated, NIK masked."""

from __future__ import annotations

from tickets.constants import Channel, Service
from tickets.services import create_ticket
from tickets.tokens import create_token


def make_ticket(session, **overrides):  # type: ignore[no-untyped-def]
    values = dict(service=Service.KTP_EL, channel=Channel.WHATSAPP, phone="+6281234567890",
                  nik="1806014505900001", name="Siti Aminah", kecamatan_code="180601")
    values.update(overrides)
    ticket = create_ticket(session, **values)
    session.commit()
    return ticket


def test_ticket_json_with_masked_nik(http, session) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket(session)
    token = create_token(session, "crm")
    response = http.get(f"/api/tickets/{ticket.number}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == ticket.number
    assert body["service"] == "ktp-el"
    assert body["channel"] == "whatsapp"
    assert body["kecamatan"] == "Kota Agung"
    assert body["nik_masked"] == "1806********0001"
    assert "1806014505900001" not in response.text
    assert body["applicant_phone"] == "+6281234567890"
    assert body["attachments"] == 0
    assert body["stage"] == ticket.stage
    assert body["created_at"]


def test_missing_or_wrong_token_is_401(http, session) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket(session)
    assert http.get(f"/api/tickets/{ticket.number}").status_code == 401
    wrong = http.get(f"/api/tickets/{ticket.number}", headers={"Authorization": "Bearer lpo_wrong"})
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"] == "Bearer"


def test_revoked_token_is_401(http, session) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import select

    from tickets.staff import ApiToken

    ticket = make_ticket(session)
    token = create_token(session, "crm")
    row = session.exec(select(ApiToken)).one()
    row.revoked = True
    session.add(row)
    session.commit()
    assert http.get(f"/api/tickets/{ticket.number}", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_unknown_number_is_404(http, session) -> None:  # type: ignore[no-untyped-def]
    token = create_token(session, "crm")
    response = http.get("/api/tickets/PGD-2026-999999", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404
    assert response.json()["error"]


def test_numbers_are_sequential_per_year(session) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    a = make_ticket(session, now=datetime(2026, 12, 31, 16, 0, tzinfo=UTC))  # 23:00 WIB, still 2026
    b = make_ticket(session, now=datetime(2026, 12, 31, 17, 30, tzinfo=UTC))  # 00:30 WIB, 2027
    c = make_ticket(session, now=datetime(2027, 1, 2, 3, 0, tzinfo=UTC))
    assert (a.number, b.number, c.number) == ("PGD-2026-000001", "PGD-2027-000001", "PGD-2027-000002")
