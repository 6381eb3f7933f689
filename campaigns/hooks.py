"""How the school campaigns plug into the app, and what they need of their SOP."""

from __future__ import annotations

from typing import Any

from flask import Flask, url_for
from sqlmodel import Session, select

from campaigns.models import SchoolVisit, Student
from campaigns.services import FEATURE
from routing import definitions_with
from routing.definition import Action, RoleDuty, StageDuty
from routing.engine import TransitionError
from tickets import events
from tickets.models import StageEvent, Ticket


def init_app(app: Flask) -> None:
    """Refuse at start a campaign SOP that names nobody to go out to the schools or to sign the handover, or no
    handover stage; the handover stage is left by the Kepala Dinas's signature, so the ticket page points there."""
    for definition in definitions_with(RoleDuty.PLAN_SCHOOL_VISITS):
        definition.require(FEATURE, [RoleDuty.FIELD_WORK, RoleDuty.SIGN, StageDuty.SCHOOL_HANDOVER])
    events.on(app, events.TicketEvent.STAGE_LEFT, _handover_signed)
    events.take_advance_elsewhere(app, _signing_page)


def _unsigned_visit(session: Session, ticket: Ticket, stage: str | None = None) -> SchoolVisit | None:
    """The visit of a campaign ticket in the handover stage (its current one, or `stage` it is leaving) with
    printed cards whose berita acara is not signed yet."""
    definition = next((d for d in definitions_with(RoleDuty.PLAN_SCHOOL_VISITS) if d.key == ticket.workflow), None)
    if definition is None or (stage or ticket.stage) != definition.stage_for(StageDuty.SCHOOL_HANDOVER, FEATURE).key:
        return None
    visit = session.exec(select(SchoolVisit).where(SchoolVisit.ticket_id == ticket.id)).first()
    if visit is None or visit.handover_signed_at is not None:
        return None
    # No card printed, nothing to hand over: the coordinator closes the visit by hand.
    printed = session.exec(select(Student.id).where(Student.visit_id == visit.id, Student.printed == True)  # noqa: E712
                           ).first()
    return visit if printed is not None else None


def _handover_signed(session: Session, ticket: Ticket, event: StageEvent, transition: Any) -> None:
    if transition.action != Action.ADVANCE:
        return
    definition = next((d for d in definitions_with(RoleDuty.PLAN_SCHOOL_VISITS) if d.key == ticket.workflow), None)
    if definition is None or event.from_stage != definition.stage_for(StageDuty.SCHOOL_HANDOVER, FEATURE).key:
        return
    if _unsigned_visit(session, ticket, stage=event.from_stage) is not None:
        raise TransitionError("Berita acara serah terima ke sekolah belum ditandatangani Kepala Dinas; tiket "
                              "berpindah tahap sendiri begitu berita acara ditandatangani.")


def _signing_page(session: Session, ticket: Ticket) -> events.Elsewhere | None:
    visit = _unsigned_visit(session, ticket)
    if visit is None:
        return None
    return events.Elsewhere(url=url_for("campaigns.visit", visit_id=visit.id) + "#serah-terima",
                            label="Berita acara serah terima di halaman kunjungan",
                            why="Tiket ini berpindah tahap sendiri ketika Kepala Dinas menandatangani berita acara.")
