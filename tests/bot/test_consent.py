"""The privacy notice: shown after the answer to a number's first message, accepted by continuing (recorded once per
number and notice version), shown again for a new version and on 'privasi'; 'hapus data' opens a request the
supervisors approve (the number's finished tickets purged, the citizen told) or refuse (the reason sent)."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from flask import Flask
from sqlmodel import Session, select

from bot import catalogue
from bot.consent import PrivacyConsent
from bot.deletion_requests import DeletionRequest, DeletionStatus
from routing import workflow
from routing.definition import RoleDuty
from tests.call_center.conftest import outbox_records
from tests.support.whatsapp import Phone
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import PHONE, csrf_token, login, make_message, make_staff, make_ticket
from tickets.messages import Message
from tickets.retention import PurgedTicket


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config["PRIVACY_NOTICE_ENABLED"] = True
    return app_config


def consents(session: Session) -> list[PrivacyConsent]:
    session.expire_all()
    return list(session.exec(select(PrivacyConsent).order_by(PrivacyConsent.id)).all())


def test_the_first_message_is_answered_and_continuing_accepts_the_notice(
        session: Session, phone: Phone, monkeypatch: pytest.MonkeyPatch) -> None:
    welcome, notice = phone.send("halo")
    assert "Selamat datang" in welcome and "Balas dengan angka" in welcome
    assert "Pemberitahuan Privasi" in notice and "730 hari" in notice and "hapus data" in notice
    [shown] = consents(session)
    assert (shown.phone, shown.notice_version, shown.accepted_at) == (PHONE, catalogue.PRIVACY_NOTICE_VERSION, None)

    [answer] = phone.send("2")  # continuing: the acceptance, and the notice is not repeated
    assert "Ketik nomor tiket" in answer
    [accepted] = consents(session)
    assert accepted.accepted_at is not None and accepted.accepted_message_id is not None
    assert session.get(Message, accepted.accepted_message_id).body == "2"  # type: ignore[union-attr]
    assert len(phone.send("menu")) == 1 and len(consents(session)) == 1

    # 'privasi' shows it again and records nothing new.
    assert "Pemberitahuan Privasi" in phone.say("privasi") and len(consents(session)) == 1

    # A new version is shown once more, then accepted the same way.
    first_version = catalogue.PRIVACY_NOTICE_VERSION
    monkeypatch.setattr(catalogue, "PRIVACY_NOTICE_VERSION", "2027-01")
    assert "versi 2027-01" in phone.say("menu")
    assert "Pemberitahuan Privasi" not in phone.say("menu")
    assert [(c.notice_version, c.accepted_at is not None) for c in consents(session)] == [
        (first_version, True), ("2027-01", True)]


def request_deletion(session: Session, phone: Phone, http: requests.Session) -> DeletionRequest:
    """A finished ticket with the citizen's message, the citizen's 'hapus data', a supervisor logged in."""
    phone.send("halo")
    assert "HD-00001" in phone.say("hapus data")
    assert "masih diperiksa" in phone.say("hapus data")  # one open request at a time
    role = workflow(TANGGAMUS).roles_for(RoleDuty.SUPERVISE)[0]
    make_staff(session, role)
    login(http, role.replace("_", "-"))
    session.expire_all()
    return session.exec(select(DeletionRequest)).one()


def test_an_approved_deletion_request_purges_the_finished_tickets(
        app: Flask, session: Session, phone: Phone, http: requests.Session, run_jobs) -> None:  # type: ignore[no-untyped-def]
    finished = make_ticket(session, stage=workflow(TANGGAMUS).done_stage.key)
    make_message(session, ticket_id=finished.id, body="NIK saya 1806014505900001, ini KK saya")
    made = request_deletion(session, phone, http)
    page = http.get("/hapus-data/")
    assert page.status_code == 200 and made.number in page.text and PHONE not in page.text
    decided = http.post(f"/hapus-data/{made.id}/setujui", data={"csrf_token": csrf_token(page.text)})
    assert decided.status_code == 200 and "disetujui" in decided.text
    run_jobs()

    session.expire_all()
    assert session.get(DeletionRequest, made.id).status == DeletionStatus.APPROVED  # type: ignore[union-attr]
    assert session.get(PurgedTicket, finished.id) is not None
    bodies = session.exec(select(Message.body).where(Message.ticket_id == finished.id)).all()
    assert bodies and all(body == "" for body in bodies)
    [told] = [r for r in outbox_records(app) if made.number in r["body"]]
    assert "disetujui" in told["body"] and "1 tiket" in told["body"]


def test_a_refused_deletion_request_tells_the_reason(
        app: Flask, session: Session, phone: Phone, http: requests.Session, run_jobs) -> None:  # type: ignore[no-untyped-def]
    made = request_deletion(session, phone, http)
    page = http.get("/hapus-data/")
    token = csrf_token(page.text)
    empty = http.post(f"/hapus-data/{made.id}/tolak", data={"csrf_token": token, "alasan": "  "})
    assert "Tulis alasan penolakan" in empty.text
    reason = "Data masih diperlukan untuk pemeriksaan pengaduan yang sedang berjalan."
    http.post(f"/hapus-data/{made.id}/tolak", data={"csrf_token": token, "alasan": reason})
    run_jobs()
    session.expire_all()
    assert session.get(DeletionRequest, made.id).status == DeletionStatus.REFUSED  # type: ignore[union-attr]
    [told] = [r for r in outbox_records(app) if made.number in r["body"]]
    assert "tidak dapat kami kabulkan" in told["body"] and reason in told["body"]
