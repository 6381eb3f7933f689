"""Applying the routing engine's transitions to stored tickets: one transaction each, version-checked."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session

from routing import workflow
from routing.definition import Action, OutputField, OutputSource, TicketColumn
from routing.engine import MissingOutput, TicketView, Transition, TransitionError, plan_transition
from routing.sla import due_at, working_time_between
from tickets.events import TicketEvent, emit, output_provider
from tickets.models import KecamatanRow, StageEvent, Ticket
from layanan.clock import office_year
from tickets.numbering import next_value
from layanan.clock import utcnow

log = logging.getLogger(__name__)

REGISTER_SEQUENCE = "registration"


class Conflict(TransitionError):
    """Someone else changed the ticket since the actor looked at it."""

    def __init__(self) -> None:
        super().__init__("Tiket ini baru saja diubah oleh petugas lain. Muat ulang halaman lalu coba lagi.")


def registration_number(year: int, seq: int) -> str:
    """A number of the registration book, e.g. REG-2026-00042."""
    return f"REG-{year}-{seq:05d}"


def act(
    session: Session,
    ticket: Ticket,
    action: Action | str,
    *,
    actor_id: int | None,
    actor_roles: set[str],
    expected_version: int,
    payload: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> tuple[Ticket, StageEvent, Transition]:
    """Check and apply one action; commits, or raises TransitionError and changes nothing."""
    now = now or utcnow()
    if ticket.version != expected_version:
        raise Conflict()
    definition = workflow(ticket.workflow)
    view = TicketView(stage=ticket.stage, version=ticket.version, claimed_by=ticket.claimed_by_id,
                      actor_id=actor_id, resume_stage=ticket.return_stage, service=ticket.service)
    transition = plan_transition(definition, view, action, actor_roles, payload)
    try:
        given = {**transition.outputs_as_json(), **_system_outputs(session, ticket, transition, now)}
        outputs = {**ticket.outputs, **given}
        values: dict[str, Any] = {
            "stage": transition.to_stage,
            "claimed_by_id": transition.claimed_by if transition.moves is False else None,
            "return_stage": transition.resume_stage,
            "outputs": outputs,
            "updated_at": now,
            "version": Ticket.version + 1,
        }
        values.update(_column_values(session, ticket, definition.stage(ticket.stage).outputs, given))
        if transition.moves:
            values.update(_clock_values(ticket, transition.to_stage, now, outputs))
        result = session.execute(
            update(Ticket).where(Ticket.id == ticket.id, Ticket.version == expected_version).values(**values)
        )
        if result.rowcount != 1:
            raise Conflict()
        event = StageEvent(
            ticket_id=ticket.id, action=str(transition.action), from_stage=transition.from_stage,
            to_stage=transition.to_stage, actor_id=actor_id, actor_role=_acting_role(definition, ticket, actor_roles),
            note=transition.note, data=transition.outputs_as_json(), created_at=now,
        )
        session.add(event)
        if transition.moves:
            session.flush()
            session.refresh(ticket)
            emit(TicketEvent.STAGE_LEFT, session, ticket, event, transition)
            emit(TicketEvent.STAGE_ENTERED, session, ticket, event, transition)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    session.refresh(ticket)
    log.info("ticket %s: %s %s -> %s", ticket.number, transition.action, transition.from_stage, transition.to_stage)
    return ticket, event, transition


def _system_outputs(session: Session, ticket: Ticket, transition: Transition, now: datetime) -> dict[str, Any]:
    """Fill the outputs the system assigns, e.g. the next number of the registration book."""
    values: dict[str, Any] = {}
    for spec in transition.system_outputs:
        if spec.source == OutputSource.REGISTER:
            if ticket.registration_number:
                values[spec.key] = ticket.registration_number  # returned and re-advanced: keep the number
            else:
                year = office_year(now)
                values[spec.key] = registration_number(year, next_value(session, REGISTER_SEQUENCE, year))
        else:
            values[spec.key] = output_provider(spec.source)(session, ticket, spec)
    return values


def _column_values(session: Session, ticket: Ticket, specs: tuple[OutputField, ...],
                   outputs: Mapping[str, Any]) -> dict[str, Any]:
    """The ticket columns the SOP says this stage's outputs fill (`fills:`)."""
    values: dict[str, Any] = {}
    for spec in specs:
        if spec.fills is None or spec.key not in outputs:
            continue
        value = str(outputs[spec.key])
        if spec.fills is TicketColumn.REGISTRATION_NUMBER:
            if not ticket.registration_number:  # a returned and re-advanced ticket keeps its number
                values["registration_number"] = value
        elif spec.fills is TicketColumn.KECAMATAN_CODE:
            if session.get(KecamatanRow, value) is None:
                # Said beside the field, like the engine's own checks of an output.
                raise MissingOutput({spec.key: f"kode {value} tidak ada dalam daftar kecamatan; pilih kecamatan "
                                               "yang memiliki UPT"}, {spec.key: spec.label})
            values["kecamatan_code"] = value
    return values


def _clock_values(ticket: Ticket, to_stage: str, now: datetime, outputs: Mapping[str, Any]) -> dict[str, Any]:
    """The SLA clock for the new stage: a group's deadline runs from entering the group (its length may
    depend on an output, e.g. a complaint's class), and time spent waiting for the citizen is added back
    rather than counted against the office."""
    definition = workflow(ticket.workflow)
    waiting = definition.waiting_stage
    if waiting is not None and to_stage == waiting.key:
        return {"stage_entered_at": now, "due_at": None, "overdue": False}
    paused = timedelta(seconds=ticket.sla_paused_seconds)
    came_from = ticket.stage
    if waiting is not None and ticket.stage == waiting.key:
        paused += working_time_between(ticket.stage_entered_at, now)
        came_from = ticket.return_stage or ticket.stage
    old_group = definition.sla_group_for(came_from)
    new_group = definition.sla_group_for(to_stage)
    if new_group is None or new_group != old_group:
        started, paused = now, timedelta(0)
    else:
        started = ticket.sla_started_at or now
    due = None if definition.is_terminal(to_stage) else due_at(definition, to_stage, now, started, paused=paused,
                                                                       outputs=outputs)
    return {"stage_entered_at": now, "sla_started_at": started, "sla_paused_seconds": int(paused.total_seconds()),
            "due_at": due, "overdue": False}


def _acting_role(definition: Any, ticket: Ticket, actor_roles: set[str]) -> str | None:
    """The role the actor acted in: the stage's own role when they hold it."""
    stage = definition.stage(ticket.stage)
    if stage.role and stage.role in actor_roles:
        return stage.role
    return sorted(actor_roles)[0] if actor_roles else None
