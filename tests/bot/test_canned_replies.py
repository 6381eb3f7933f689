"""Canned replies admins keep, offered in the reply boxes with the ticket's name, number and stage filled in."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from bot.canned_replies import CannedReply, fill, problems
from sqlmodel import select

from layanan.clock import utcnow
from routing import workflow
from tests.tickets.conftest import csrf_token, login, make_message, make_staff, make_ticket
from tickets.accounts import ADMIN_ROLE
from tickets.messages import Conversation

BODY = "Halo {nama}, tiket {nomor_tiket} saat ini: {tahap}."


def offered_texts(html: str) -> list[str]:
    return [unescape(t) for t in re.findall(r'data-text="([^"]*)"', html)]


def test_the_admin_keeps_replies_and_an_unknown_variable_is_refused(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, ADMIN_ROLE)
    login(http, ADMIN_ROLE)
    page = http.get("/admin/balasan-cepat/").text
    refused = http.post("/admin/balasan-cepat/", data={"csrf_token": csrf_token(page), "title": "Salah",
                                                        "body": "Halo {nama_lengkap}"})
    assert refused.status_code == 422 and "{nama_lengkap} tidak dikenal" in unescape(refused.text)
    saved = http.post("/admin/balasan-cepat/", data={"csrf_token": csrf_token(page), "title": "Status",
                                                      "body": BODY})
    assert 'Balasan cepat "Status" disimpan.' in unescape(saved.text)
    assert [r.title for r in session.exec(select(CannedReply)).all()] == ["Status"]


def test_variables_are_filled_from_the_ticket() -> None:
    assert fill(BODY, {"nama": "Siti", "nomor_tiket": "PGD-2026-000001", "tahap": "diverifikasi"}) == (
        "Halo Siti, tiket PGD-2026-000001 saat ini: diverifikasi.")
    assert problems("Judul", "Halo {nama} {x}") and not problems("Judul", BODY)


def test_the_ticket_page_and_the_help_desk_offer_the_reply_filled_in(http, session) -> None:  # type: ignore[no-untyped-def]
    session.add(CannedReply(title="Status", body=BODY))
    ticket = make_ticket(session)
    make_message(session, body="bantuan", created_at=utcnow() - timedelta(minutes=5))
    session.add(Conversation(phone="+6281234567890", state="start", needs_human=True, updated_at=utcnow()))
    session.commit()
    stage = workflow(ticket.workflow).stage(ticket.stage)
    expected = f"Halo Siti Aminah, tiket {ticket.number} saat ini: {stage.citizen_label}."
    make_staff(session, "wa_receiver")
    login(http, "wa-receiver")

    assert offered_texts(http.get(f"/tiket/{ticket.number}").text) == [expected]
    assert offered_texts(http.get("/percakapan-bantuan").text) == [expected]
