"""Free-form messages only inside WhatsApp's 24-hour window; templates outside it."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from bot.outbound import Template, send_once
from tickets.messages import Message
from bot.session_window import in_session_window
from tests.support.whatsapp import Phone
from layanan.clock import utcnow


def test_window_is_open_for_a_day_after_the_citizens_last_message(phone: Phone, session) -> None:  # type: ignore[no-untyped-def]
    assert not in_session_window(session, phone.number)  # never wrote: only a template may go out
    phone.say("halo")
    assert in_session_window(session, phone.number)
    assert in_session_window(session, phone.number, now=utcnow() + timedelta(hours=23))
    assert not in_session_window(session, phone.number, now=utcnow() + timedelta(hours=24))
    assert not in_session_window(session, "+6281399990000")  # another number's chat opens nothing


def test_outbound_messages_do_not_open_the_window(app, session) -> None:  # type: ignore[no-untyped-def]
    send_once(session, phone="+6281234567000", key="k-1",
              template=Template(None, {"1": "PGD-2026-000001"}, "Nomor PGD-2026-000001"))
    assert not in_session_window(session, "+6281234567000")


def test_template_in_the_outbox_keeps_its_variables_and_is_sent_once(app, session) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        send_once(session, phone="+6281234567000", key="call-7",
                  template=Template("HX0123", {"1": "PGD-2026-000001"}, "Nomor tiket Anda PGD-2026-000001"))
    sent = [json.loads(p.read_text()) for p in Path(app.config["OUTBOX_PATH"]).glob("*.json")]
    assert len(sent) == 1
    assert sent[0]["template"] == "HX0123" and sent[0]["variables"] == {"1": "PGD-2026-000001"}
    assert sent[0]["body"] == "Nomor tiket Anda PGD-2026-000001"
    assert session.exec(select(Message)).one().content_sid == "HX0123"
