"""A message to the applicant from the ticket page: sent once, kept for the applicant's answer outside the 24-hour
window (the approved template invites them back), and only for the roles that may write."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html import unescape
from pathlib import Path
from typing import Any

import requests
from sqlmodel import Session, select

from layanan.clock import utcnow
from routing.definition import Definition, StageDuty
from tests.complaints.conftest import as_officer
from tests.tickets.conftest import PHONE, csrf_token, make_message, make_staff, make_ticket
from tickets.constants import Channel, Direction, Service
from tickets.messages import Message
from tickets.models import Ticket

TEXT = "Mohon kirimkan foto kuitansi pembayaran yang Anda sebutkan."


def answer_stage_complaint(session: Session, complaints: Definition, **overrides: Any) -> Ticket:
    ticket = make_ticket(session, service=Service.PENGADUAN, channel=Channel.WHATSAPP, **overrides)
    ticket.stage = complaints.stage_for(StageDuty.ANSWER).key
    session.add(ticket)
    session.commit()
    return ticket


def sent_bodies(app: Any) -> list[str]:
    folder = Path(app.config["OUTBOX_PATH"])
    return [json.loads(p.read_text())["body"] for p in folder.glob("*.json")] if folder.exists() else []


def reply_form(http: requests.Session, number: str) -> dict[str, str]:
    """The reply form's hidden fields, as the ticket page gives them."""
    page = http.get(f"/tiket/{number}").text
    form = page[page.index('id="kirim-pesan"'):]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)[:2])
    assert set(fields) == {"csrf_token", "form_key"}, fields
    return fields


def test_a_message_from_the_page_reaches_the_applicant_once(  # type: ignore[no-untyped-def]
        app, http, session, complaints: Definition, officers) -> None:
    ticket = answer_stage_complaint(session, complaints)
    make_message(session, body="kapan ada kabar?", created_at=utcnow() - timedelta(hours=2))
    as_officer(http, "unit_pengaduan")  # owns the stage the complaint is in
    fields = reply_form(http, ticket.number)

    sent = http.post(f"/tiket/{ticket.number}/pesan", data={**fields, "text": TEXT})
    assert sent.history and sent.history[0].status_code == 303  # Post/Redirect/Get
    page = unescape(sent.text)
    assert "Pesan terkirim ke pemohon" in page
    chat = page[page.index('id="percakapan"'):]
    assert "Pesan dari kantor" in chat and TEXT in chat and ticket.number in chat
    assert http.get(sent.url).status_code == 200  # a reload reads the page again, sends nothing
    http.post(f"/tiket/{ticket.number}/pesan", data={**fields, "text": TEXT})  # the same form twice
    assert len([b for b in sent_bodies(app) if TEXT in b]) == 1
    rows = session.exec(select(Message).where(Message.direction == Direction.OUTBOUND)).all()
    assert [(m.ticket_id, m.phone) for m in rows] == [(ticket.id, PHONE)]


def test_outside_the_24_hour_window_the_message_waits_for_the_applicants_answer(  # type: ignore[no-untyped-def]
        app, http, session, complaints: Definition, officers) -> None:
    ticket = answer_stage_complaint(session, complaints)
    make_message(session, body="halo", created_at=utcnow() - timedelta(hours=25))
    as_officer(http, "unit_pengaduan")
    page = unescape(http.get(f"/tiket/{ticket.number}").text)
    panel = page[page.index('id="kirim-pesan"'):page.index('id="riwayat"')]
    assert "lebih dari 24 jam" in panel and "Simpan dan undang pemohon" in panel
    kept = http.post(f"/tiket/{ticket.number}/pesan", data={"csrf_token": csrf_token(page), "form_key": "k1",
                                                             "text": TEXT})
    assert "undangan templat WhatsApp dikirim" in unescape(kept.text)
    assert "Menunggu pemohon membalas undangan" in unescape(kept.text)
    assert [b for b in sent_bodies(app) if TEXT in b] == []  # only the invitation went out
    outbound = session.exec(select(Message).where(Message.direction == Direction.OUTBOUND)).all()
    assert [m.idempotency_key.split("-")[:2] for m in outbound] == [["reply", "invite"]]


def test_a_role_that_does_not_hold_the_ticket_may_not_write(  # type: ignore[no-untyped-def]
        app, http, session, complaints: Definition, officers) -> None:
    ticket = answer_stage_complaint(session, complaints)
    make_message(session, body="halo", created_at=utcnow())
    as_officer(http, "penyetuju_jawaban")  # approves later; the unit has the complaint now
    page = http.get(f"/tiket/{ticket.number}").text
    assert 'id="kirim-pesan"' not in page
    refused = http.post(f"/tiket/{ticket.number}/pesan", data={"csrf_token": csrf_token(page), "form_key": "k",
                                                                "text": TEXT})
    assert refused.status_code == 403
    assert sent_bodies(app) == []

    make_staff(session, "wa_receiver")  # answers citizens who ask for a person: may write on any ticket
    as_officer(http, "wa_receiver")
    assert "Kirim ke pemohon" in http.get(f"/tiket/{ticket.number}").text


def test_a_confidential_ticket_keeps_the_phone_out_of_the_panel(  # type: ignore[no-untyped-def]
        app, http, session, complaints: Definition, officers) -> None:
    ticket = answer_stage_complaint(session, complaints, confidential=True, phone="+6281355556666")
    make_message(session, phone="+6281355556666", body="halo", created_at=utcnow())
    as_officer(http, "unit_pengaduan")
    page = http.get(f"/tiket/{ticket.number}").text
    panel = page[page.index('id="kirim-pesan"'):page.index('id="riwayat"')]
    assert "Kirim ke pemohon" in panel and "5556666" not in panel
