"""Twilio's API failing under a milestone notice: 500 and 429 are retried with backoff, a time-out
is checked with Twilio before trying again, a try that never succeeds is flagged for staff, and the
citizen never gets the notice twice. The real `twilio` client talks to a local Messages API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select

from tickets.messages import Message
from tests.support.twilio_api import ACCOUNT_SID, Fail, Slow, TwilioApi
from tests.tickets.conftest import login, make_staff, make_ticket
from tickets.constants import Direction, MessageStatus
from tickets.models import StageEvent, Ticket
from bot.milestones import defer_milestone

APPLICANT = "+6281234567890"


@pytest.fixture
def twilio_api() -> Iterator[TwilioApi]:
    api = TwilioApi(auth_token="test-auth-token-0123456789abcdef").start()
    yield api
    api.stop()


@pytest.fixture
def app_config(app_config: dict[str, Any], twilio_api: TwilioApi) -> dict[str, Any]:
    app_config.update(TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_WHATSAPP_FROM="+14155238886",
                      TWILIO_API_BASE=twilio_api.url, NOTIFY_RETRY_INTERVALS=[0, 0, 0])
    return app_config


def reject_ticket(session) -> StageEvent:  # type: ignore[no-untyped-def]
    """A ticket rejected with a reason: the citizen must be told, once."""
    ticket = make_ticket(session, phone=APPLICANT)
    event = StageEvent(ticket_id=ticket.id, action="reject", from_stage=ticket.stage, to_stage="rejected",
                       note="Foto KK tidak terbaca")
    session.add(event)
    session.flush()
    defer_milestone(session, event.id)
    session.commit()  # the outbox puts the notice on RQ now
    return event


def notices(session) -> list[Message]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.exec(select(Message).where(Message.direction == Direction.OUTBOUND)))


def test_500_and_429_are_retried_and_the_notice_sent_once(session, twilio_api, run_jobs) -> None:  # type: ignore[no-untyped-def]
    twilio_api.script = [Fail(500), Fail(429, 20429)]
    reject_ticket(session)
    run_jobs()

    assert len(twilio_api.creates) == 3
    assert len(twilio_api.messages) == 1
    assert "Foto KK tidak terbaca" in twilio_api.messages[0]["body"]
    [notice] = notices(session)
    assert notice.twilio_sid == twilio_api.messages[0]["sid"]
    assert notice.status == MessageStatus.QUEUED


def test_a_timed_out_try_that_reached_twilio_is_not_sent_again(session, twilio_api, run_jobs) -> None:  # type: ignore[no-untyped-def]
    twilio_api.script = [Slow(12)]  # accepted, but the answer comes after the client gave up
    reject_ticket(session)
    run_jobs()

    assert len(twilio_api.messages) == 1, "the citizen got the notice exactly once"
    assert len(twilio_api.creates) == 1
    [notice] = notices(session)
    assert notice.twilio_sid == twilio_api.messages[0]["sid"]


def test_a_notice_twilio_never_takes_is_flagged_for_staff(app, session, twilio_api, run_jobs, http) -> None:  # type: ignore[no-untyped-def]
    twilio_api.script = [Fail(503)] * 4
    event = reject_ticket(session)
    run_jobs()

    assert len(twilio_api.creates) == 4, "the first try and three retries"
    assert twilio_api.messages == []
    [notice] = notices(session)
    assert (notice.status, notice.error_code) == (MessageStatus.FAILED, "http-503")
    assert app.config["NOTIFY_RETRY_INTERVALS"] == [0, 0, 0]

    make_staff(session, "admin", "wa_receiver", username="petugas")
    login(http, "petugas")
    ticket = session.get(Ticket, event.ticket_id)
    page = http.get(f"/tiket/{ticket.number}").text
    assert "Foto KK tidak terbaca" in page and "· failed" in page, "staff see the notice that did not go out"


def test_a_permanent_refusal_is_not_retried(session, twilio_api, run_jobs) -> None:  # type: ignore[no-untyped-def]
    twilio_api.script = [Fail(400, 21211)]  # invalid 'To' number
    reject_ticket(session)
    run_jobs()
    assert len(twilio_api.creates) == 1
    [notice] = notices(session)
    assert (notice.status, notice.error_code) == (MessageStatus.FAILED, "21211")


def test_production_retries_back_off() -> None:
    from layanan import settings

    intervals = settings.load({"INSTANCE_PATH": "/tmp/layanan-settings-check"})["NOTIFY_RETRY_INTERVALS"]
    assert len(intervals) >= 3 and intervals == sorted(intervals) and intervals[0] < intervals[-1]
