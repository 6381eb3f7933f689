"""Telling the citizen on WhatsApp when their ticket reaches a milestone of the SOP.

Which stage carries which milestone is the SOP's word (`milestone:` in routing/sop/*.yaml); this module
says it in the catalogue's words, once per stage event, through `send_once`. Every message ends with the
link to the public status page. Outside the 24-hour window a free-form message is refused, so a milestone
with an approved template (`MILESTONE_TEMPLATES`) goes out as that template; when its content SID is not
configured the message is recorded as not sent, with the reason, where staff see the conversation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app
from sqlmodel import Session

from bot import catalogue
from bot.outbound import SendRefused, Template, TemplateNotConfigured, message_for, record_not_sent, send_once
from bot.status_page import status_link
from bot.upt_directory import upt_for
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
# Twilio's limit for one WhatsApp message body: the status link is left off a message it would push past it.
MAX_BODY = 1600
NOT_CONFIGURED = "no-template"  # the error code of a message outside the window with no template configured
CLOSING_NOTES = "bot_closing_notes"  # app.extensions key of the closing message's added paragraphs

ClosingNote = Callable[[Session, Ticket], str | None]


@dataclass(frozen=True)
class MilestoneTemplate:
    """A milestone's approved WhatsApp template: the setting holding its content SID, and the names of the
    catalogue's `milestone_<value>_template` text in the order of the template's {{1}}, {{2}}, …"""

    setting: str
    variables: tuple[str, ...]


MILESTONE_TEMPLATES: dict[Milestone, MilestoneTemplate] = {
    Milestone.ARRIVED: MilestoneTemplate("TWILIO_CONTENT_SID_ARRIVED", (
        "number", "service_label", "upt_name", "address", "hours", "contact", "bring", "url")),
    Milestone.PICKED_UP: MilestoneTemplate("TWILIO_CONTENT_SID_PICKED_UP", ("number", "service_label", "url")),
    Milestone.COMPLETED: MilestoneTemplate("TWILIO_CONTENT_SID_COMPLETED", ("number", "service_label", "url")),
}


def add_closing_note(app: Flask, note: ClosingNote) -> None:
    """Let a feature add a paragraph to the closing message (milestone `completed`), e.g. the invitation to the
    satisfaction survey (SKM). The note returns its text, or None to add nothing for this ticket. A template
    sent outside the 24-hour window has fixed text: notes go only into the free-form message."""
    app.extensions.setdefault(CLOSING_NOTES, []).append(note)


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
        params: dict[str, str] = {"number": ticket.number, "service_label": Service(ticket.service).label,
                                  **_details(session, milestone, ticket, event)}
        paragraphs = [catalogue.render(f"milestone_{milestone}", **params)]
        if milestone is Milestone.COMPLETED:
            paragraphs += _closing_notes(session, ticket)
        body = _with_status_link("\n\n".join(paragraphs), ticket.number)
        phone, key = str(applicant_of(session, ticket).phone), f"milestone-{event_id}"
        earlier = message_for(session, key)
        if earlier is not None and earlier.error_code == NOT_CONFIGURED:
            return _not_sent(milestone)  # recorded so already: a free-form retry would be refused outside the window
        try:
            message = send_once(session, phone=phone, key=key, body=body, template=_template(milestone, params),
                                ticket_id=ticket.id)
        except TemplateNotConfigured:  # no retry can fix configuration: flagged where staff see the chat
            record_not_sent(session, phone=phone, key=key, body=body, error_code=NOT_CONFIGURED, ticket_id=ticket.id)
            return _not_sent(milestone)
        except SendRefused as exc:  # flagged for staff; no retry can change Twilio's mind
            return f"refused by Twilio: {exc.status} {exc.code}"
        return f"sent {milestone} ({message.twilio_sid})"


def _details(session: Session, milestone: Milestone, ticket: Ticket, event: StageEvent) -> dict[str, str]:
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
    if milestone is Milestone.ARRIVED:  # the UPT of the ticket's kecamatan, as the administrator describes it
        upt = upt_for(session, str(ticket.kecamatan_code))
        return {"upt_name": upt.name, "address": upt.address, "hours": upt.opening_hours,
                "contact": upt.contact or "-", "bring": upt.bring}
    return {}


def _not_sent(milestone: Milestone) -> str:
    return f"not sent: outside the 24-hour window and {MILESTONE_TEMPLATES[milestone].setting} is not set"


def _closing_notes(session: Session, ticket: Ticket) -> list[str]:
    notes = (note(session, ticket) for note in current_app.extensions.get(CLOSING_NOTES, ()))
    return [text for text in notes if text]


def _with_status_link(text: str, number: str) -> str:
    """The message with the status page link as its last paragraph, when it still fits in one message."""
    linked = f"{text}\n\n{catalogue.render('milestone_status_link', url=status_link(number))}"
    return linked if len(linked) <= MAX_BODY else text


def _template(milestone: Milestone, params: dict[str, str]) -> Template | None:
    """The milestone's approved template with its variables filled in, if it has one."""
    spec = MILESTONE_TEMPLATES.get(milestone)
    if spec is None:
        return None
    values = {**params, "url": status_link(params["number"])}
    # WhatsApp refuses template variables that are empty or hold line breaks, tabs or runs of spaces.
    flat = {name: " ".join(values[name].split()) or "-" for name in spec.variables}
    variables = {str(i): flat[name] for i, name in enumerate(spec.variables, start=1)}
    text = catalogue.render(f"milestone_{milestone}_template", **flat)
    return Template(current_app.config[spec.setting], variables, text)
