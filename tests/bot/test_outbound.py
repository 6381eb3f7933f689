"""send_once: one message per key, whatever Twilio does. The real `twilio` client talks to a local
Messages API that can fail, refuse, or accept and then keep the client waiting past its time-out."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlmodel import select

import bot.outbound
from bot.outbound import SendFailed, SendRefused, Template, TemplateNotConfigured, send_once
from layanan.clock import utcnow
from tests.support.twilio_api import Fail, Slow, TwilioApi
from tests.tickets.conftest import make_message
from tickets.constants import Direction, MessageStatus
from tickets.messages import Message

CITIZEN = "+6281234567890"
TEMPLATE = Template("HX" + "d" * 32, {"1": "PGD-2026-000001"}, "Dokumen PGD-2026-000001 sudah selesai.")


def outbound(session) -> list[Message]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.exec(select(Message).where(Message.direction == Direction.OUTBOUND)))


def lists(api: TwilioApi) -> list[Any]:
    return [r for r in api.requests if r[0] == "GET"]


def test_a_key_is_sent_once(twilio_app, session, twilio_api) -> None:  # type: ignore[no-untyped-def]
    first = send_once(session, phone=CITIZEN, key="k-1", body="Halo")
    again = send_once(session, phone=CITIZEN, key="k-1", body="Halo")
    assert first.id == again.id and first.twilio_sid == twilio_api.messages[0]["sid"]
    assert len(twilio_api.creates) == 1 and lists(twilio_api) == []


def test_a_timed_out_try_that_reached_twilio_is_adopted_not_sent_again(twilio_app, session, twilio_api) -> None:  # type: ignore[no-untyped-def]
    twilio_api.script = [Slow(12)]  # accepted, but the answer comes after the client gave up
    message = send_once(session, phone=CITIZEN, key="k-slow", body="Permohonan Anda diproses")
    assert message.twilio_sid == twilio_api.messages[0]["sid"]
    assert send_once(session, phone=CITIZEN, key="k-slow", body="Permohonan Anda diproses").id == message.id
    assert len(twilio_api.creates) == 1 and len(twilio_api.messages) == 1


def test_a_hanging_twilio_is_given_up_on_after_the_configured_time_and_the_message_kept_for_a_retry(  # type: ignore[no-untyped-def]
        twilio_app, session, twilio_api, monkeypatch) -> None:
    twilio_app.config["TWILIO_TIMEOUT_SECONDS"] = 1
    # Inside an RQ job with retries left: no answer is handed to RQ's retry, not flagged for staff.
    monkeypatch.setattr(bot.outbound, "get_current_job", lambda: SimpleNamespace(retries_left=2))
    twilio_api.script = [Slow(12)]  # accepted, then no answer for longer than any client here waits
    started = time.monotonic()
    with pytest.raises(SendFailed) as failed:
        send_once(session, phone=CITIZEN, key="k-hang", body="Permohonan Anda diproses")
    waited = time.monotonic() - started
    assert 1 <= waited < 8, f"gave up after {waited:.1f} s, not after TWILIO_TIMEOUT_SECONDS (nor the 10 s default)"
    assert not failed.value.gave_up and failed.value.error_code == "no-answer"
    [message] = outbound(session)
    assert (message.status, message.error_code, message.twilio_sid) == (MessageStatus.ACCEPTED, "no-answer", None)

    again = send_once(session, phone=CITIZEN, key="k-hang", body="Permohonan Anda diproses")  # RQ's retry
    assert again.id == message.id and again.twilio_sid == twilio_api.messages[0]["sid"]
    assert len(twilio_api.creates) == 1, "the retry found the message on Twilio and sent nothing again"


def test_an_in_doubt_row_is_checked_with_twilio_before_sending(twilio_app, session, twilio_api) -> None:  # type: ignore[no-untyped-def]
    # A worker died after Twilio accepted: the row has no SID, Twilio has the message.
    send_once(session, phone=CITIZEN, key="k-other", body="Sebuah pesan lain")  # a recorded SID is never adopted
    twilio_api._accept({"To": [f"whatsapp:{CITIZEN}"], "Body": ["Kabar tiket Anda"]})
    crashed = Message(direction=Direction.OUTBOUND, phone=CITIZEN, body="Kabar tiket Anda", idempotency_key="k-crash",
                      status=MessageStatus.ACCEPTED)
    session.add(crashed)
    session.commit()

    message = send_once(session, phone=CITIZEN, key="k-crash", body="Kabar tiket Anda")
    assert message.twilio_sid == twilio_api.messages[1]["sid"]
    assert len(twilio_api.creates) == 1, "only the other message was ever created by us"


def test_an_in_doubt_try_twilio_never_got_is_made_again(twilio_app, session, twilio_api) -> None:  # type: ignore[no-untyped-def]
    session.add(Message(direction=Direction.OUTBOUND, phone=CITIZEN, body="Kabar", idempotency_key="k-lost",
                        status=MessageStatus.ACCEPTED))
    session.commit()
    message = send_once(session, phone=CITIZEN, key="k-lost", body="Kabar")
    assert message.twilio_sid == twilio_api.messages[0]["sid"]
    assert len(lists(twilio_api)) == 1 and len(twilio_api.creates) == 1


def test_outside_a_job_a_transient_error_gives_up_at_once_and_flags_the_message(twilio_app, session, twilio_api) -> None:  # type: ignore[no-untyped-def]
    twilio_api.script = [Fail(503)]
    with pytest.raises(SendFailed) as failed:
        send_once(session, phone=CITIZEN, key="k-503", body="Balasan petugas", ticket_id=None)
    assert failed.value.gave_up and failed.value.error_code == "http-503"
    [message] = outbound(session)
    assert (message.status, message.error_code, message.twilio_sid) == (MessageStatus.FAILED, "http-503", None)
    # An HTTP error means Twilio created nothing: the next try does not ask Twilio first.
    again = send_once(session, phone=CITIZEN, key="k-503", body="Balasan petugas")
    assert again.twilio_sid and again.status == MessageStatus.QUEUED and again.error_code is None
    assert lists(twilio_api) == []


def test_a_permanent_refusal_is_flagged_and_raised(twilio_app, session, twilio_api) -> None:  # type: ignore[no-untyped-def]
    twilio_api.script = [Fail(400, 63016)]
    with pytest.raises(SendRefused) as refused:
        send_once(session, phone=CITIZEN, key="k-window", body="Di luar jendela")
    assert (refused.value.status, refused.value.code) == (400, "63016")
    [message] = outbound(session)
    assert (message.status, message.error_code) == (MessageStatus.FAILED, "63016")


def test_the_template_goes_out_when_the_citizen_has_not_written_for_a_day(twilio_app, session, twilio_api) -> None:  # type: ignore[no-untyped-def]
    make_message(session, phone=CITIZEN, created_at=utcnow() - timedelta(hours=25))
    message = send_once(session, phone=CITIZEN, key="k-t", body="Teks bebas", template=TEMPLATE)
    [sent] = twilio_api.messages
    assert sent["content_sid"] == TEMPLATE.content_sid and json.loads(sent["content_variables"]) == TEMPLATE.variables
    assert (message.content_sid, message.body) == (TEMPLATE.content_sid, TEMPLATE.text)


def test_free_form_inside_the_window_even_with_a_template(twilio_app, session, twilio_api) -> None:  # type: ignore[no-untyped-def]
    make_message(session, phone=CITIZEN, created_at=utcnow() - timedelta(hours=2))
    message = send_once(session, phone=CITIZEN, key="k-f", body="Teks bebas", template=TEMPLATE)
    assert twilio_api.messages[0]["body"] == "Teks bebas" and message.content_sid is None


def test_a_template_alone_is_always_the_template(twilio_app, session, twilio_api) -> None:  # type: ignore[no-untyped-def]
    make_message(session, phone=CITIZEN, created_at=utcnow() - timedelta(hours=2))
    send_once(session, phone=CITIZEN, key="k-ta", template=TEMPLATE)
    assert twilio_api.messages[0]["content_sid"] == TEMPLATE.content_sid


def test_a_missing_template_is_refused_before_anything_is_recorded(twilio_app, session, twilio_api) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TemplateNotConfigured):
        send_once(session, phone=CITIZEN, key="k-none", template=Template(None, {}, "Teks"))
    assert outbound(session) == [] and twilio_api.creates == []


def test_media_goes_with_the_free_form_message(twilio_app, session, twilio_api) -> None:  # type: ignore[no-untyped-def]
    make_message(session, phone=CITIZEN)
    message = send_once(session, phone=CITIZEN, key="k-pdf", body="PDF terlampir",
                        media_url="https://example.org/d/abc.pdf")
    assert twilio_api.messages[0]["media_url"] == ["https://example.org/d/abc.pdf"] and message.num_media == 1


def test_the_local_outbox_records_each_key_once(app, session) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        send_once(session, phone=CITIZEN, key="k-outbox", template=TEMPLATE)
    [record] = [json.loads(p.read_text()) for p in Path(app.config["OUTBOX_PATH"]).glob("*.json")]
    assert record["template"] == TEMPLATE.content_sid and record["body"] == TEMPLATE.text
    assert outbound(session)[0].status == MessageStatus.OUTBOX
