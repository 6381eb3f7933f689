"""The timeline of a complaint's dispositions, read from its stage events: where it went and who sent it
there, every return with its note, every reopening by the citizen with their words, and the escalations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, col, select

from routing.definition import Action, Definition, OutputMeaning, RoleDuty, StageDuty
from tickets import detail
from tickets.models import StaffNotification, Ticket

OVERDUE_NOTICE = "overdue"  # the kind of notification the deadline check leaves for the section head


class Kind(StrEnum):
    DISPOSED = "disposed"  # to a unit, or referred to another agency
    RETURNED = "returned"  # sent back by staff, with a note
    REOPENED = "reopened"  # the citizen said the complaint is not solved
    ESCALATED = "escalated"  # the citizen said so again: the escalation roles were told
    OVERDUE = "overdue"  # the deadline passed: the section head was told


@dataclass(frozen=True)
class Entry:
    kind: Kind
    at: datetime
    who: str | None = None  # the staff member, with the role they acted in
    unit: str | None = None
    referral: str | None = None
    note: str | None = None  # a return's note, or the citizen's words
    stage: str | None = None  # the stage it went back to, or the stage that ran late
    told: str | None = None  # the roles told, by name


def entries(session: Session, definition: Definition, ticket: Ticket,
            timeline: Iterable[detail.TimelineItem]) -> list[Entry]:
    """The complaint's dispositions, returns, reopenings and escalations, oldest first, read from the ticket
    page's timeline (whose notes are already as this reader may see them)."""
    unit = definition.output_meaning(OutputMeaning.UNIT)
    referral = definition.output_meaning(OutputMeaning.REFERRAL)
    verdict = definition.stage_duties.get(StageDuty.CITIZEN_VERDICT)
    found: list[Entry] = []
    reopened = 0
    for item in timeline:
        event = item.event
        if event.action == Action.ADVANCE and unit is not None and unit.key in event.data:
            found.append(Entry(Kind.DISPOSED, event.created_at, _who(definition, item), unit=event.data[unit.key],
                               referral=(event.data.get(referral.key) or None) if referral else None))
        elif event.action == Action.RETURN_ and event.actor_id is None and event.from_stage == verdict:
            reopened += 1
            found.append(Entry(Kind.REOPENED, event.created_at, note=item.note, stage=_name(definition, event.to_stage)))
            if reopened > 1 and definition.has_duty(RoleDuty.HEAR_ESCALATIONS):
                found.append(Entry(Kind.ESCALATED, event.created_at,
                                   told=_role_names(definition, definition.roles_for(RoleDuty.HEAR_ESCALATIONS))))
        elif event.action == Action.RETURN_:
            found.append(Entry(Kind.RETURNED, event.created_at, _who(definition, item), note=item.note,
                               stage=_name(definition, event.to_stage)))
    found += [Entry(Kind.OVERDUE, notice.created_at, told=_role_names(definition, [notice.role]))
              for notice in _overdue_notices(session, ticket)]
    return sorted(found, key=lambda e: e.at)


def _overdue_notices(session: Session, ticket: Ticket) -> list[StaffNotification]:
    return list(session.exec(
        select(StaffNotification).where(col(StaffNotification.ticket_id) == ticket.id,
                                        col(StaffNotification.kind) == OVERDUE_NOTICE)
        .order_by(col(StaffNotification.created_at), col(StaffNotification.id))
    ).all())


def _who(definition: Definition, item: detail.TimelineItem) -> str:
    role = item.event.actor_role
    name = item.actor_name or "Sistem"
    return f"{name} ({_role_name(definition, role)})" if role else name


def _name(definition: Definition, stage: str) -> str:
    return definition.stage(stage).name if definition.has_stage(stage) else stage


def _role_names(definition: Definition, roles: list[str] | tuple[str, ...]) -> str:
    return ", ".join(_role_name(definition, r) for r in roles)


def _role_name(definition: Definition, key: str) -> str:
    return definition.role(key).name if any(r.key == key for r in definition.roles) else key
