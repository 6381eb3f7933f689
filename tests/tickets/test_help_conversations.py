"""The list of WhatsApp numbers waiting for a person."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.models import Conversation
from tests.tickets.conftest import login, make_message, make_staff, make_ticket
from tickets.types import utcnow


def test_lists_numbers_that_asked_for_a_person_longest_waiting_first(http, session) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    session.add_all([
        Conversation(phone="+6281111111111", state="start", needs_human=True, updated_at=now - timedelta(minutes=5)),
        Conversation(phone="+6282222222222", state="start", needs_human=True, updated_at=now - timedelta(hours=2)),
        Conversation(phone="+6283333333333", state="start", needs_human=False, updated_at=now),
    ])
    session.commit()
    make_message(session, phone="+6282222222222", body="saya mau bicara dengan petugas",
                 created_at=now - timedelta(hours=2))
    make_message(session, phone="+6283333333333", body="terima kasih", created_at=now)
    ticket = make_ticket(session, phone="+6282222222222")
    make_staff(session, "call_center")

    login(http, "call-center")
    page = http.get("/percakapan-bantuan").text

    assert re.findall(r'data-phone="([^"]+)"', page) == ["+6282222222222", "+6281111111111"]
    assert "saya mau bicara dengan petugas" in page
    assert f'href="/tiket/{ticket.number}"' in page
    assert "terima kasih" not in page


def test_empty_list_says_so(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "wa_receiver")
    login(http, "wa-receiver")
    assert "Tidak ada warga yang sedang menunggu petugas." in http.get("/percakapan-bantuan").text
