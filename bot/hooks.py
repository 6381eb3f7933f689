"""How the WhatsApp side plugs into the ticket core."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlmodel import Session

from tickets import events
from tickets.models import StageEvent, Ticket
from tickets.services import applicant_of


def init_app(app: Flask) -> None:
    """Tell the citizen on WhatsApp when their ticket reaches a milestone."""
    events.on(app, events.TicketEvent.STAGE_ENTERED, _milestone_reached)


def _milestone_reached(session: Session, ticket: Ticket, event: StageEvent, transition: Any) -> None:
    from tickets.notify import defer_milestone

    # A citizen without WhatsApp (a village office submitted for them) hears it at the village office.
    if transition.milestone is not None and applicant_of(session, ticket).phone is not None:
        defer_milestone(session, int(event.id or 0))
