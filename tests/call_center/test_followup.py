"""The caller's WhatsApp message: free-form inside the 24-hour window, the approved template outside it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.call_center.jobs import send_call_followup
from bot.call_center.models import CallLog
from bot.call_center.services import log_call, parse_call
from tickets.messages import Message
from tests.call_center.conftest import CALLER, FOLLOWUP_SID, call_form
from tests.tickets.conftest import make_message, make_staff
from tickets.constants import Direction
from layanan.clock import utcnow


@pytest.fixture
def twilio_app(app, messages_api):  # type: ignore[no-untyped-def]
    """The app sending through the real twilio client, pointed at the local Messages API."""
    app.config.update(TWILIO_ACCOUNT_SID="AC" + "a" * 32, TWILIO_WHATSAPP_FROM="whatsapp:+14155238886",
                      TWILIO_ENABLED=True, TWILIO_API_BASE=messages_api.url)
    return app


def _log(session, **fields: str) -> CallLog:  # type: ignore[no-untyped-def]
    agent = make_staff(session, "call_center_agent")
    draft, errors = parse_call(call_form(**fields))
    assert draft is not None, errors
    return log_call(session, draft, agent_id=agent.id)


def test_caller_who_never_wrote_gets_the_template(twilio_app, session, messages_api, run_jobs) -> None:  # type: ignore[no-untyped-def]
    call = _log(session)
    run_jobs()
    [form] = messages_api.sent
    assert form["ContentSid"] == FOLLOWUP_SID
    assert "Body" not in form
    assert form["To"] == f"whatsapp:{CALLER}"
    session.refresh(call)
    message = session.get(Message, call.followup_message_id)
    assert message.content_sid == FOLLOWUP_SID and message.ticket_id == call.ticket_id


def test_caller_who_wrote_within_24_hours_gets_a_free_form_message(twilio_app, session, messages_api, run_jobs) -> None:  # type: ignore[no-untyped-def]
    make_message(session, phone=CALLER, body="halo", created_at=utcnow() - timedelta(hours=2))
    call = _log(session)
    run_jobs()
    [form] = messages_api.sent
    assert "ContentSid" not in form
    assert "KTP-el lama" in form["Body"]
    session.refresh(call)
    assert session.get(Message, call.followup_message_id).content_sid is None


def test_a_message_older_than_the_window_does_not_open_it(twilio_app, session, messages_api, run_jobs) -> None:  # type: ignore[no-untyped-def]
    make_message(session, phone=CALLER, body="halo", created_at=utcnow() - timedelta(hours=25))
    _log(session)
    run_jobs()
    [form] = messages_api.sent
    assert form["ContentSid"] == FOLLOWUP_SID


def test_the_job_sends_once_even_when_run_again(twilio_app, session, messages_api, run_jobs) -> None:  # type: ignore[no-untyped-def]
    call = _log(session)
    run_jobs()
    assert send_call_followup(call.id) == "nothing to do"
    assert len(messages_api.sent) == 1
    outbound = session.exec(select(Message).where(Message.direction == Direction.OUTBOUND)).all()
    assert len(outbound) == 1


def test_missing_template_is_reported_to_the_agent_not_retried_forever(twilio_app, session, messages_api,  # type: ignore[no-untyped-def]
                                                                         run_jobs) -> None:
    twilio_app.config["TWILIO_CONTENT_SID_CALL_FOLLOWUP"] = None
    call = _log(session)
    run_jobs()
    assert messages_api.sent == []
    session.refresh(call)
    assert call.followup_message_id is None
    assert "template WhatsApp belum dikonfigurasi" in (call.followup_problem or "")


def test_answered_and_transferred_calls_send_nothing(app, session, run_jobs) -> None:  # type: ignore[no-untyped-def]
    _log(session, outcome="answered")
    draft, _ = parse_call(call_form(outcome="transferred", phone="081311112222"))
    log_call(session, draft, agent_id=None)  # type: ignore[arg-type]
    run_jobs()
    assert session.exec(select(Message)).all() == []
    assert all(c.ticket_id is None for c in session.exec(select(CallLog)))


def test_a_send_twilio_refuses_is_reported_at_once_not_retried(twilio_app, session, messages_api, run_jobs) -> None:  # type: ignore[no-untyped-def]
    twilio_app.config["NOTIFY_RETRY_INTERVALS"] = [0, 0, 0]
    messages_api.failing = True  # 400, code 63016: no retry changes Twilio's mind
    call = _log(session)
    run_jobs()
    session.refresh(call)
    assert call.followup_message_id is None
    assert call.followup_problem == "ditolak Twilio (kode 63016); hubungi penelepon atau catat ulang"
    [message] = session.exec(select(Message).where(Message.direction == Direction.OUTBOUND)).all()
    assert (message.status, message.error_code) == ("failed", "63016"), "flagged in the ticket's conversation"


@pytest.fixture
def twilio_api():  # type: ignore[no-untyped-def]
    from tests.support.twilio_api import TwilioApi

    api = TwilioApi(auth_token="test-auth-token-0123456789abcdef").start()
    yield api
    api.stop()


@pytest.fixture
def slow_twilio_app(app, twilio_api):  # type: ignore[no-untyped-def]
    from tests.support.twilio_api import ACCOUNT_SID

    app.config.update(TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_WHATSAPP_FROM="whatsapp:+14155238886",
                      TWILIO_ENABLED=True, TWILIO_API_BASE=twilio_api.url, NOTIFY_RETRY_INTERVALS=[0, 0, 0])
    return app


def test_a_timed_out_follow_up_that_reached_twilio_is_not_sent_again(slow_twilio_app, session, twilio_api,  # type: ignore[no-untyped-def]
                                                                      run_jobs) -> None:
    from tests.support.twilio_api import Fail, Slow

    twilio_api.script = [Fail(503), Slow(12)]  # a 5xx, then accepted but the answer never reaches us
    call = _log(session)
    run_jobs()
    assert len(twilio_api.messages) == 1, "the caller got the follow-up exactly once"
    assert len(twilio_api.creates) == 2
    session.refresh(call)
    message = session.get(Message, call.followup_message_id)
    assert message.twilio_sid == twilio_api.messages[0]["sid"] and call.followup_problem is None
