"""Telling the citizen on WhatsApp when their ticket reaches a milestone of the SOP."""

from __future__ import annotations

import logging

from flask import current_app
from rq import Retry

from bot import catalogue
from bot.messaging import send_whatsapp
from layanan.db import job_session
from layanan.jobs import job_app
from layanan.queue import queue
from routing import workflow
from routing.definition import Milestone
from tickets.constants import Service
from tickets.models import StageEvent, Ticket
from tickets.services import applicant_of

log = logging.getLogger(__name__)

# The creation reply already tells the citizen their request was received.
SILENT_MILESTONES = frozenset({Milestone.RECEIVED})


def enqueue_milestone(event_id: int) -> None:
    """Queue the citizen's notice for a committed stage event; the job id makes it run once."""
    try:
        queue("default").enqueue(notify_milestone, event_id, job_id=f"milestone-{event_id}",
                                 retry=Retry(max=3, interval=current_app.config["NOTIFY_RETRY_INTERVALS"]))
    except Exception:  # noqa: BLE001 - the transition stands; the notice is logged for staff to resend
        log.exception("could not enqueue the milestone notice of stage event %s", event_id)


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
        send_whatsapp(session, applicant_of(session, ticket).phone, text, ticket_id=ticket.id,
                      idempotency_key=f"milestone-{event_id}")
        return f"sent {milestone}"


def _reason(milestone: Milestone, event: StageEvent) -> dict[str, str]:
    if milestone in (Milestone.REJECTED, Milestone.WAITING_CITIZEN):
        return {"reason": event.note or "-"}
    return {}
