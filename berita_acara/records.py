"""What the SOP's papers carry about each ticket besides its number: the document number given at data
entry and the paraf on the printed document (who initialled it and when), found by what the outputs mean."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from routing import workflow
from routing.definition import Action, OutputMeaning
from tickets.models import StageEvent, Ticket
from tickets.staff import StaffUser


@dataclass(frozen=True)
class Paraf:
    """Who initialled the printed document, in which role, and when."""

    name: str
    role: str
    at: datetime


def document_number(ticket: Ticket) -> str | None:
    """The number of the document issued for the ticket, as entered at data entry."""
    spec = workflow(ticket.workflow).output_meaning(OutputMeaning.DOCUMENT_NUMBER)
    value = ticket.outputs.get(spec.key) if spec else None
    return str(value) if value else None


def parafs(session: Session, tickets: Iterable[Ticket]) -> dict[int, Paraf]:
    """The last paraf recorded for each ticket that has one: the advance that ticked the output meaning
    `initials`, by the officer who did it."""
    wanted: dict[tuple[str, str], str] = {}  # (workflow, stage) -> output key
    ids = []
    for ticket in tickets:
        ids.append(ticket.id)
        definition = workflow(ticket.workflow)
        for stage in definition.stages:
            for out in stage.outputs:
                if out.means is OutputMeaning.INITIALS:
                    wanted[(definition.key, stage.key)] = out.key
    if not wanted:
        return {}
    rows = session.exec(
        select(StageEvent, Ticket.workflow, StaffUser)
        .join(Ticket, col(Ticket.id) == col(StageEvent.ticket_id))
        .join(StaffUser, col(StaffUser.id) == col(StageEvent.actor_id), isouter=True)
        .where(col(StageEvent.ticket_id).in_(ids), StageEvent.action == str(Action.ADVANCE),
               col(StageEvent.from_stage).in_({stage for _, stage in wanted}))
        .order_by(col(StageEvent.created_at), col(StageEvent.id))
    ).all()
    found: dict[int, Paraf] = {}
    for event, sop, officer in rows:
        key = wanted.get((sop, str(event.from_stage)))
        if key is None or not (event.data or {}).get(key):
            continue
        definition = workflow(sop)
        role = definition.role(event.actor_role).name if event.actor_role and event.actor_role in \
            {r.key for r in definition.roles} else ""
        found[event.ticket_id] = Paraf(officer.full_name if officer else "-", role, event.created_at)
    return found
