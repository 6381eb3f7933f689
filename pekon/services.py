"""Submitting for a citizen at the village office, and following the submissions in plain words."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select

from pdf_delivery.documents import document_stage
from pdf_delivery.models import IssuedDocument
from pekon.submission import Draft, submitting_definition, village_steps
from routing import workflow
from routing.definition import Action, Definition, RoleDuty, Stage, StageKind
from tickets.constants import Channel
from tickets.messages import Attachment
from tickets.models import Applicant, StageEvent, Ticket
from tickets.services import create_ticket
from tickets.staff import StaffUser
from tickets.workflow_service import act

PEKON_KEY = "pekon"  # where the create event keeps the pekon the submission came from
PAGE_SIZE = 50


class State(StrEnum):
    """A submission's state as the village operator reads it."""

    IN_PROGRESS = "Diproses"
    REJECTED = "Ditolak"
    DONE = "Selesai"


@dataclass(frozen=True)
class Submission:
    """One of the operator's submissions with what the pages show of it."""

    ticket: Ticket
    applicant: Applicant
    pekon: str | None
    state: State
    stage: Stage
    note: str | None  # why it came back, waits for the citizen or was refused
    own_step: Stage | None  # the operator's stage the ticket is in, to be done from the pekon page
    waiting_at_village: bool  # waits for the citizen at one of the operator's stages
    document: IssuedDocument | None  # the issued document, once it can be printed and downloaded


def submitter_role(definition: Definition, account: StaffUser) -> str:
    """The role the account submits in under this SOP."""
    return next(r for r in definition.roles_for(RoleDuty.SUBMIT_FOR_CITIZEN) if account.has_role(r))


def submit(session: Session, draft: Draft, operator: StaffUser, draft_id: str) -> Ticket:
    """Open the ticket with the draft's scans, and complete the village's own first steps. Commits."""
    definition = submitting_definition(draft.service)
    assert definition is not None  # the form offers only services with such an SOP
    ticket = create_ticket(
        session, service=draft.service, channel=Channel.PEKON, phone=draft.phone, nik=draft.nik, name=draft.name,
        kecamatan_code=draft.kecamatan_code, description=draft.description, draft_id=draft_id,
        actor_id=operator.id, actor_role=submitter_role(definition, operator),
    )
    created = _create_event(session, int(ticket.id or 0))
    created.data = {**created.data, PEKON_KEY: draft.pekon}
    session.add(created)
    session.commit()
    for stage in village_steps(definition, operator.roles):
        ticket = complete_step(session, ticket, operator, draft.step_outputs.get(stage.key, {}), ticket.version)
    return ticket


def complete_step(session: Session, ticket: Ticket, operator: StaffUser, outputs: Mapping[str, Any],
                  version: int, note: str | None = None) -> Ticket:
    """Claim the ticket if nobody holds it and advance it with the step's outputs (each commits)."""
    roles = set(operator.roles)
    if ticket.claimed_by_id is None:
        ticket, _, _ = act(session, ticket, Action.CLAIM, actor_id=operator.id, actor_roles=roles,
                           expected_version=version)
        version = ticket.version
    ticket, _, _ = act(session, ticket, Action.ADVANCE, actor_id=operator.id, actor_roles=roles,
                       expected_version=version, payload={"outputs": dict(outputs), "note": note})
    return ticket


def ask_citizen(session: Session, ticket: Ticket, operator: StaffUser, reason: str, version: int) -> Ticket:
    """The berkas is incomplete: the submission waits until the citizen brings what is missing (claimed on
    the way, as the engine asks)."""
    roles = set(operator.roles)
    if ticket.claimed_by_id is None:
        ticket, _, _ = act(session, ticket, Action.CLAIM, actor_id=operator.id, actor_roles=roles,
                           expected_version=version)
        version = ticket.version
    ticket, _, _ = act(session, ticket, Action.ASK_CITIZEN, actor_id=operator.id, actor_roles=roles,
                       expected_version=version, payload={"reason": reason})
    return ticket


def citizen_completed(session: Session, ticket: Ticket, operator: StaffUser, version: int) -> Ticket:
    """The citizen brought what was asked for at the village office: back to the stage that asked."""
    ticket, _, _ = act(session, ticket, Action.CITIZEN_REPLIED, actor_id=operator.id,
                       actor_roles=set(operator.roles), expected_version=version,
                       payload={"note": "Pemohon melengkapi di kantor pekon"})
    return ticket


def submissions(session: Session, operator: StaffUser, *, before: int | None = None,
                limit: int = PAGE_SIZE) -> tuple[list[Submission], int | None]:
    """The operator's submissions, newest first, and the id to continue before (None on the last page)."""
    query = _own(operator)
    if before is not None:
        query = query.where(col(Ticket.id) < before)
    rows = list(session.exec(query.order_by(col(Ticket.id).desc()).limit(limit + 1)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    found = _describe(session, operator, rows)
    return found, (found[-1].ticket.id if more and found else None)


def own_submission(session: Session, operator: StaffUser, number: str) -> Submission | None:
    """The submission with this ticket number if this operator submitted it, else None."""
    row = session.exec(_own(operator).where(Ticket.number == number.upper())).first()
    return _describe(session, operator, [row])[0] if row else None


def last_place(session: Session, operator: StaffUser) -> dict[str, str]:
    """The kecamatan and pekon of the operator's latest submission, to fill in the next form."""
    row = session.exec(_own(operator).order_by(col(Ticket.id).desc()).limit(1)).first()
    if row is None:
        return {}
    ticket, _, data = row
    return {"kecamatan": ticket.kecamatan_code or "", "pekon": str((data or {}).get(PEKON_KEY) or "")}


def submitted_from_draft(session: Session, draft_id: str, operator_id: int) -> Ticket | None:
    """The ticket a draft already became (a form sent twice), if any."""
    ticket_id = session.exec(
        select(Attachment.ticket_id).where(Attachment.draft_id == draft_id, Attachment.uploaded_by_id == operator_id,
                                           col(Attachment.ticket_id).is_not(None)).limit(1)
    ).first()
    return session.get(Ticket, ticket_id) if ticket_id else None


def _own(operator: StaffUser) -> Any:
    """Tickets of the village channel whose create event this operator made, with applicant and event data."""
    return (
        select(Ticket, Applicant, StageEvent.data)
        .join(StageEvent, col(StageEvent.ticket_id) == col(Ticket.id))
        .join(Applicant, col(Applicant.id) == col(Ticket.applicant_id))
        .where(col(StageEvent.from_stage).is_(None), StageEvent.actor_id == operator.id,
               Ticket.channel == Channel.PEKON)
    )


def _create_event(session: Session, ticket_id: int) -> StageEvent:
    return session.exec(
        select(StageEvent).where(StageEvent.ticket_id == ticket_id, col(StageEvent.from_stage).is_(None))
    ).one()


def _describe(session: Session, operator: StaffUser, rows: Iterable[Any]) -> list[Submission]:
    rows = list(rows)
    notes = _notes(session, [t for t, _, _ in rows])
    documents = _documents(session, [t for t, _, _ in rows])
    found = []
    for ticket, applicant, data in rows:
        definition = workflow(ticket.workflow)
        stage = definition.stage(ticket.stage)
        mine = set(definition.roles_for(RoleDuty.SUBMIT_FOR_CITIZEN)) & set(operator.roles)
        origin = definition.stage(ticket.return_stage) if (
            stage.kind is StageKind.WAITING and ticket.return_stage and definition.has_stage(ticket.return_stage)
        ) else None
        state = {StageKind.DONE: State.DONE, StageKind.REJECTED: State.REJECTED}.get(stage.kind, State.IN_PROGRESS)
        document = None
        if state is not State.REJECTED and document_stage(ticket) is None:
            document = documents.get(int(ticket.id or 0))
        found.append(Submission(
            ticket=ticket, applicant=applicant, pekon=(data or {}).get(PEKON_KEY), state=state, stage=stage,
            note=notes.get(int(ticket.id or 0)),
            own_step=stage if stage.kind is StageKind.WORK and stage.role in mine else None,
            waiting_at_village=origin is not None and origin.role in mine,
            document=document,
        ))
    return found


def _notes(session: Session, tickets: list[Ticket]) -> dict[int, str]:
    """For each ticket, the note of the move into its current stage when staff gave a reason there
    (returned, rejected, waiting for the citizen)."""
    if not tickets:
        return {}
    events = session.exec(
        select(StageEvent).join(Ticket, col(Ticket.id) == col(StageEvent.ticket_id))
        .where(col(StageEvent.ticket_id).in_([t.id for t in tickets]), StageEvent.to_stage == Ticket.stage,
               col(StageEvent.from_stage) != col(StageEvent.to_stage))
        .order_by(col(StageEvent.id))
    ).all()
    reasons = {str(Action.RETURN_), str(Action.REJECT), str(Action.ASK_CITIZEN)}
    latest: dict[int, StageEvent] = {}
    for event in events:
        latest[event.ticket_id] = event  # the last move into the current stage wins
    return {ticket_id: e.note for ticket_id, e in latest.items() if e.action in reasons and e.note}


def _documents(session: Session, tickets: list[Ticket]) -> dict[int, IssuedDocument]:
    """Each ticket's latest issued document, in one query."""
    if not tickets:
        return {}
    latest: dict[int, IssuedDocument] = {}
    for document in session.exec(
        select(IssuedDocument).where(col(IssuedDocument.ticket_id).in_([t.id for t in tickets]))
        .order_by(col(IssuedDocument.id))
    ).all():
        latest[document.ticket_id] = document
    return latest
