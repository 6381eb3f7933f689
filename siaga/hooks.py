"""How Dukcapil Siaga plugs into the app: the SOP's duties it needs, and the home visit's result before moving on."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlmodel import Session, select

from routing.definition import Action, RoleDuty, StageDuty
from routing.engine import TransitionError
from siaga.models import SiagaReport, VisitResult
from siaga.services import FEATURE, siaga_definition
from tickets import events
from tickets.models import StageEvent, Ticket


def init_app(app: Flask) -> None:
    """Refuse at start a Siaga SOP without a field team, visit planners or a home visit stage; keep a ticket
    in the home visit stage until the visit's result says the resident was recorded."""
    siaga_definition().require(FEATURE, [RoleDuty.PLAN_FIELD_VISITS, RoleDuty.FIELD_WORK, StageDuty.FIELD_VISIT])
    events.on(app, events.TicketEvent.STAGE_LEFT, _visit_recorded)


def _visit_recorded(session: Session, ticket: Ticket, event: StageEvent, transition: Any) -> None:
    definition = siaga_definition()
    if ticket.workflow != definition.key or transition.action != Action.ADVANCE:
        return
    if event.from_stage != definition.stage_for(StageDuty.FIELD_VISIT, FEATURE).key:
        return
    result = session.exec(select(SiagaReport.visit_result).where(SiagaReport.ticket_id == ticket.id)).first()
    if result != VisitResult.RECORDED:
        raise TransitionError("Catat dulu hasil kunjungan jemput bola (berhasil direkam) di daftar kunjungan Siaga.")
