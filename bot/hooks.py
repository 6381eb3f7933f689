"""How the WhatsApp side plugs into the ticket core."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlmodel import Session

from bot import citizen_reply, complaint_verdict, help_desk_inbox, status_page
from bot.call_center import whatsapp as call_center_reply
from bot.conversation import Pending
from tickets import events, inbox
from tickets.models import StageEvent, Ticket
from tickets.services import applicant_of


def init_app(app: Flask) -> None:
    """Tell the citizen on WhatsApp when their ticket reaches a milestone; give the citizen's answer to a
    ticket waiting for a document, their verdict to an answered complaint, and a caller's files to their
    call-center ticket."""
    events.on(app, events.TicketEvent.STAGE_ENTERED, _milestone_reached)
    events.add_pending(app, events.PendingMatter(Pending.DOCUMENT, citizen_reply.waits_for,
                                                 citizen_reply.take_message))
    events.add_pending(app, events.PendingMatter(Pending.VERDICT, complaint_verdict.waits_for,
                                                 complaint_verdict.take_message))
    events.add_pending(app, events.PendingMatter(Pending.CALL, call_center_reply.has_open_call_ticket,
                                                 call_center_reply.receive))
    # Papers other features print (the berita acara) point citizens to the public status page.
    app.config.setdefault("STATUS_PAGE_PATH", status_page.PATH)
    inbox.register_inbox_source(app, help_desk_inbox.KIND, help_desk_inbox.LABEL, help_desk_inbox.waiting)


def _milestone_reached(session: Session, ticket: Ticket, event: StageEvent, transition: Any) -> None:
    from bot.milestones import defer_milestone

    # A citizen without WhatsApp (a village office submitted for them) hears it at the village office.
    if transition.milestone is not None and applicant_of(session, ticket).phone is not None:
        defer_milestone(session, int(event.id or 0))
