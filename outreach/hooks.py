"""How outreach requests plug into the app: the SOP's duties they need, and the results before the visit's end."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlmodel import Session, select

from outreach.models import OutreachRequest
from outreach.services import FEATURE
from routing import definitions_with
from routing.definition import Action, RoleDuty, StageDuty
from routing.engine import TransitionError
from tickets import events
from tickets.models import StageEvent, Ticket


def init_app(app: Flask) -> None:
    """Refuse at start an outreach SOP without planners, a team or a visit stage; keep a ticket in the visit
    stage until its results are recorded."""
    for definition in definitions_with(RoleDuty.REQUEST_OUTREACH):
        definition.require(FEATURE, [RoleDuty.PLAN_FIELD_VISITS, RoleDuty.FIELD_WORK, StageDuty.FIELD_VISIT])
    events.on(app, events.TicketEvent.STAGE_LEFT, _results_recorded)


def _results_recorded(session: Session, ticket: Ticket, event: StageEvent, transition: Any) -> None:
    definition = next((d for d in definitions_with(RoleDuty.REQUEST_OUTREACH) if d.key == ticket.workflow), None)
    if definition is None or transition.action != Action.ADVANCE:
        return
    if event.from_stage != definition.stage_for(StageDuty.FIELD_VISIT, FEATURE).key:
        return
    recorded = session.exec(select(OutreachRequest.results_at).where(OutreachRequest.ticket_id == ticket.id)).first()
    if recorded is None:
        raise TransitionError("Catat dulu warga yang dilayani (nama, alamat dan hasil layanan) di halaman jemput bola.")
