"""Telling the citizen on WhatsApp when their ticket reaches a milestone of the SOP."""

from __future__ import annotations

import logging
from datetime import timedelta

import requests
from flask import current_app
from rq import get_current_job
from sqlmodel import Session, select
from twilio.base.exceptions import TwilioRestException

from bot import catalogue
from bot.messaging import send_whatsapp, twilio_client
from tickets.messages import Message
from layanan.phone import whatsapp_address
from layanan.db import job_session
from layanan.jobs import job_app
from layanan.outbox import defer
from routing import workflow
from routing.definition import Milestone
from tickets.constants import Service
from tickets.models import StageEvent, Ticket
from tickets.constants import MessageStatus
from tickets.services import applicant_of
from layanan.clock import utcnow

log = logging.getLogger(__name__)

TRANSIENT_HTTP = frozenset({429, 500, 502, 503, 504})  # Twilio created nothing; worth another try
IN_DOUBT_LOOKBACK = timedelta(minutes=2)  # clock skew between us and Twilio when matching a timed-out try


class NoticeNotSent(RuntimeError):
    """Twilio failed in a way worth another try; raised so RQ retries with backoff."""


# The creation reply already tells the citizen their request was received.
SILENT_MILESTONES = frozenset({Milestone.RECEIVED})


def defer_milestone(session: Session, event_id: int) -> None:
    """Record the citizen's notice for a stage event in its transaction; the job id makes it run once."""
    defer(session, notify_milestone, event_id, job_id=f"milestone-{event_id}",
          retry_intervals=current_app.config["NOTIFY_RETRY_INTERVALS"])


def notify_milestone(event_id: int) -> str:
    """Job: send the milestone message for a stage event, at most once (idempotency key per event)."""
    app = job_app()
    with app.app_context(), job_session(app) as session:
        event = session.get(StageEvent, event_id)
        if event is None:
            return "no event"
        ticket = session.get(Ticket, event.ticket_id)
        assert ticket is not None
        milestone = workflow(ticket.workflow).stage(event.to_stage).milestone
        if milestone is None or milestone in SILENT_MILESTONES:
            return "no milestone"
        text = catalogue.render(f"milestone_{milestone}", number=ticket.number,
                                service_label=Service(ticket.service).label, **_reason(milestone, event))
        key = f"milestone-{event_id}"
        if _reached_twilio_before(session, key):
            return f"sent {milestone} (earlier try)"
        try:
            send_whatsapp(session, applicant_of(session, ticket).phone, text, ticket_id=ticket.id,
                          idempotency_key=key)
        except TwilioRestException as exc:
            if exc.status in TRANSIENT_HTTP:
                _retry_or_flag(session, key, f"http-{exc.status}", exc)
            _flag(session, key, str(exc.code or exc.status))  # refused for good (number, content): no retry
            return f"refused by Twilio: {exc.status} {exc.code}"
        except requests.RequestException as exc:
            _retry_or_flag(session, key, "no-answer", exc)
        return f"sent {milestone}"


def _reached_twilio_before(session: Session, key: str) -> bool:
    """Whether an earlier try whose answer never came (time-out, worker killed) did reach Twilio.

    Such a try left its message row without a SID; Twilio's message list tells whether it was
    created after all, and then that message is adopted instead of sending a second one.
    """
    message = session.exec(select(Message).where(Message.idempotency_key == key)).first()
    if message is None or message.twilio_sid or not current_app.config["TWILIO_ENABLED"]:
        return False
    since = message.created_at - IN_DOUBT_LOOKBACK
    for candidate in twilio_client(current_app.config).messages.list(to=whatsapp_address(message.phone), limit=50):
        if candidate.body == message.body and (candidate.date_created is None or candidate.date_created >= since):
            message.twilio_sid, message.status, message.updated_at = candidate.sid, candidate.status, utcnow()
            session.add(message)
            session.commit()
            log.warning("notice %s had reached Twilio (%s); not sent again", key, candidate.sid)
            return True
    return False


def _retry_or_flag(session: Session, key: str, error_code: str, exc: Exception) -> None:
    """Raise so RQ tries again later; after the last try, flag the notice for staff first."""
    session.rollback()
    job = get_current_job()
    if job is None or not job.retries_left:
        _flag(session, key, error_code)
    log.warning("notice %s not sent (Twilio %s: %s); RQ will retry", key, error_code, exc)
    raise NoticeNotSent(f"Twilio {error_code}") from exc


def _flag(session: Session, key: str, error_code: str) -> None:
    """Mark the notice failed: the ticket's conversation shows it to staff, who tell the citizen."""
    session.rollback()
    message = session.exec(select(Message).where(Message.idempotency_key == key)).first()
    if message is None or message.twilio_sid:
        return
    message.status, message.error_code, message.updated_at = MessageStatus.FAILED, error_code[:20], utcnow()
    session.add(message)
    session.commit()
    log.error("notice %s to ticket %s could not be sent (%s); staff must inform the citizen",
              key, message.ticket_id, error_code)


def _reason(milestone: Milestone, event: StageEvent) -> dict[str, str]:
    if milestone in (Milestone.REJECTED, Milestone.WAITING_CITIZEN):
        return {"reason": event.note or "-"}
    return {}
