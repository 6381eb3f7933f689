"""A citizen's verdict on the answer to their complaint: solved closes it, not solved reopens it."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, false, func, or_
from sqlmodel import Session, col, select

from bot import catalogue
from bot.conversation import read_verdict
from layanan.clock import utcnow
from routing import definitions, workflow
from routing.definition import Action, FieldType, RoleDuty, StageDuty
from tickets.constants import AttachmentStatus
from tickets.messages import Attachment, Message
from tickets.models import Applicant, StaffNotification, StageEvent, Ticket
from tickets.workflow_service import act

FEATURE = "complaint verdict"


def answer_of(ticket: Ticket) -> str:
    """The answer written for a complaint: the first text output of its workflow's answer stage."""
    stage = workflow(ticket.workflow).stage_for(StageDuty.ANSWER, FEATURE)
    spec = next(o for o in stage.outputs if o.type is FieldType.TEXT and not o.system_assigned)
    return str(ticket.outputs.get(spec.key) or "-")


def _awaiting_verdict() -> ColumnElement[bool] | None:
    """SQL test: the ticket is in its workflow's stage that waits for the citizen's verdict."""
    pairs = [and_(col(Ticket.workflow) == d.key, col(Ticket.stage) == d.stage_for(StageDuty.CITIZEN_VERDICT).key)
             for d in definitions() if d.has_duty(StageDuty.CITIZEN_VERDICT)]
    return or_(*pairs) if pairs else None


def _tickets(phone: str) -> Select | None:
    awaiting = _awaiting_verdict()
    if awaiting is None:
        return None
    return (select(Ticket).join(Applicant, Applicant.id == Ticket.applicant_id)  # type: ignore[arg-type]
            .where(Applicant.phone == phone, awaiting))


def waits_for(phone: str) -> ColumnElement[bool]:
    """SQL test: a complaint of this number waits for the citizen's verdict."""
    query = _tickets(phone)
    return false() if query is None else query.exists()


def take_message(session: Session, message: Message, attachments: list[Attachment]) -> list[str] | None:
    """The pending matter's handler: the verdict goes to the number's oldest answered complaint."""
    query = _tickets(message.phone)
    ticket = None if query is None else session.exec(query.order_by(Ticket.id)).first()
    solved = read_verdict(message.body)
    if ticket is None or solved is None:
        return None
    return receive(session, ticket, message, attachments, solved=solved)


def receive(session: Session, ticket: Ticket, message: Message, attachments: list[Attachment], *,
            solved: bool) -> list[str]:
    """Close the complaint, or reopen it to the unit with the citizen's words (telling the escalation role
    when it was reopened before)."""
    definition = workflow(ticket.workflow)
    message.ticket_id = ticket.id
    for attachment in attachments:
        if attachment.status == AttachmentStatus.PENDING:
            attachment.ticket_id = ticket.id
    session.add_all([message, *attachments])
    words = message.body.strip()
    if solved:
        act(session, ticket, Action.ADVANCE, actor_id=None, actor_roles=set(), expected_version=ticket.version,
            payload={"note": f"Pelapor: {words}"})
        return [catalogue.render("complaint_closed", number=ticket.number)]
    escalate = _reopened_before(session, ticket) and definition.has_duty(RoleDuty.HEAR_ESCALATIONS)
    if escalate:
        for role in definition.roles_for(RoleDuty.HEAR_ESCALATIONS):
            session.add(StaffNotification(
                role=role, ticket_id=ticket.id, kind="complaint_escalated", created_at=utcnow(),
                text=f"Pengaduan {ticket.number} dinyatakan belum selesai oleh pelapor untuk kedua kalinya: "
                     f"{words[:300]}"))
    act(session, ticket, Action.RETURN_, actor_id=None, actor_roles=set(), expected_version=ticket.version,
        payload={"reason": f"Pelapor: {words}"[:1000],
                 "to_stage": definition.stage_for(StageDuty.ANSWER, FEATURE).key})
    return [catalogue.render("complaint_escalated" if escalate else "complaint_reopened", number=ticket.number)]


def _reopened_before(session: Session, ticket: Ticket) -> bool:
    """Whether the citizen already sent this complaint back once."""
    count = session.exec(select(func.count()).select_from(StageEvent).where(
        StageEvent.ticket_id == ticket.id, StageEvent.from_stage == ticket.stage,
        StageEvent.action == str(Action.RETURN_), col(StageEvent.actor_id).is_(None))).one()
    return count > 0
