"""Telling the citizen on WhatsApp when their ticket reaches a milestone of the SOP."""

from __future__ import annotations

from flask import current_app
from sqlmodel import Session

from bot import catalogue
from bot.outbound import SendRefused, send_once
from layanan.db import job_session
from layanan.jobs import job_app
from layanan.outbox import defer
from routing import workflow
from routing.definition import Milestone
from tickets.constants import Service
from tickets.models import StageEvent, Ticket
from tickets.services import applicant_of

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
                                service_label=Service(ticket.service).label, **_details(milestone, ticket, event))
        try:
            message = send_once(session, phone=applicant_of(session, ticket).phone, key=f"milestone-{event_id}",
                                body=text, ticket_id=ticket.id)
        except SendRefused as exc:  # flagged for staff; no retry can change Twilio's mind
            return f"refused by Twilio: {exc.status} {exc.code}"
        return f"sent {milestone} ({message.twilio_sid})"


def _details(milestone: Milestone, ticket: Ticket, event: StageEvent) -> dict[str, str]:
    """What a milestone's message says beyond the number and service: the reason, where to pick up, ..."""
    if milestone is Milestone.DISPOSED:  # where the complaint went: the disposition's outputs, as given
        return {"destination": ", ".join(str(v) for v in event.data.values() if isinstance(v, str) and v) or "-"}
    if milestone is Milestone.ANSWERED:
        from bot.complaint_verdict import answer_of

        return {"answer": answer_of(ticket)}
    if milestone is Milestone.DISMISSED:
        return {"reason": event.note or "-"}
    if milestone is Milestone.REJECTED:
        return {"reason": event.note or "-", "reapply": catalogue.render(f"reapply_{ticket.channel}")}
    if milestone is Milestone.WAITING_CITIZEN:
        return {"reason": event.note or "-"}
    if milestone is Milestone.READY:
        return {"stage_label": workflow(ticket.workflow).stage(event.to_stage).citizen_label}
    return {}
