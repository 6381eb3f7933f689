"""The JSON API for a PBX or CRM: token required, errors per field, the NIK masked."""

from __future__ import annotations

from sqlmodel import select

from bot.call_center.models import CallLog, CallSource
from tests.call_center.conftest import outbox_records
from tests.tickets.conftest import make_staff
from tickets.constants import Channel
from tickets.models import Ticket
from tickets.tokens import create_token

CALL = {"phone": "+62 812-9876-5432", "caller_name": "Rahmat Hidayat", "nik": "1806014505900001",
        "kecamatan": "Kota Agung", "topic": "kia", "notes": "KIA untuk anak kedua", "outcome": "needs-files"}


def test_missing_or_wrong_token_is_refused_and_stores_nothing(http, session) -> None:  # type: ignore[no-untyped-def]
    create_token(session, "PBX")
    for headers in ({}, {"Authorization": "Bearer lpo_salah"}, {"Authorization": "Basic dXNlcjpwYXNz"}):
        response = http.post("/api/calls", json=CALL, headers=headers)
        assert response.status_code == 401, headers
        assert response.json()["error"] == "token tidak sah atau tidak ada"
        assert http.get("/api/calls/1", headers=headers).status_code == 401
    assert session.exec(select(CallLog)).all() == []


def test_a_revoked_token_is_refused(http, session) -> None:  # type: ignore[no-untyped-def]
    from tickets.staff import ApiToken

    token = create_token(session, "PBX")
    row = session.exec(select(ApiToken)).one()
    row.revoked = True
    session.add(row)
    session.commit()
    assert http.post("/api/calls", json=CALL, headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_logging_a_call_opens_the_ticket_and_queues_the_whatsapp(app, http, session, run_jobs) -> None:  # type: ignore[no-untyped-def]
    agent = make_staff(session, "call_center_agent")
    token = create_token(session, "PBX")
    auth = {"Authorization": f"Bearer {token}"}
    response = http.post("/api/calls", json={**CALL, "agent": "call-center-agent", "idempotency_key": "pbx-1700.1",
                                             "called_at": "2026-11-23T09:15:00+07:00"}, headers=auth)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["called_at"] == "2026-11-23T02:15:00+00:00"
    assert body["phone"] == "+6281298765432" and body["kecamatan_code"] == "180601"
    assert body["nik_masked"] == "1806********0001" and "1806014505900001" not in response.text
    ticket = session.exec(select(Ticket)).one()
    assert body["ticket_number"] == ticket.number and ticket.channel == Channel.CALL_CENTER
    call = session.get(CallLog, body["id"])
    assert call.source == CallSource.API and call.agent_id == agent.id and call.api_token_id is not None

    again = http.post("/api/calls", json={**CALL, "agent": "call-center-agent", "idempotency_key": "pbx-1700.1",
                                          "called_at": "2026-11-23T09:15:00+07:00"}, headers=auth)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert len(session.exec(select(Ticket)).all()) == 1

    run_jobs()
    [sent] = outbox_records(app)
    assert ticket.number in sent["body"]
    read = http.get(f"/api/calls/{body['id']}", headers=auth).json()
    assert read["whatsapp"] == {"kind": "template", "status": "outbox"}
    assert http.get("/api/calls/999", headers=auth).status_code == 404


def test_invalid_calls_get_errors_per_field(http, session) -> None:  # type: ignore[no-untyped-def]
    token = create_token(session, "PBX")
    auth = {"Authorization": f"Bearer {token}"}
    response = http.post("/api/calls", json={**CALL, "phone": "12", "outcome": "lost", "agent": "nobody",
                                             "called_at": "kemarin"}, headers=auth)
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert set(fields) == {"phone", "outcome", "agent", "called_at"}
    assert fields["phone"].startswith("Nomor telepon tidak dikenali")
    assert http.post("/api/calls", data="bukan json", headers=auth).status_code == 400
    assert http.post("/api/calls", json={**CALL, "extra": "x"}, headers=auth).status_code == 422
    assert http.post("/api/calls", json={**CALL, "nik": 1806014505900001}, headers=auth).status_code == 422
    assert session.exec(select(CallLog)).all() == []
