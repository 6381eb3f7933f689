"""A citizen answering the office's request for a missing document."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, false, or_
from sqlmodel import Session, col, select

from bot import catalogue
from tickets.messages import Attachment, Message
from routing import definitions
from routing.definition import Action
from tickets.constants import AttachmentStatus
from tickets.models import Applicant, StageEvent, Ticket
from tickets.workflow_service import act


def in_waiting_stage() -> ColumnElement[bool] | None:
    """SQL test: the ticket is in its own workflow's stage that waits for the citizen; None when no
    workflow has one."""
    pairs = [and_(col(Ticket.workflow) == d.key, col(Ticket.stage) == d.waiting_stage.key)
             for d in definitions() if d.waiting_stage is not None]
    return or_(*pairs) if pairs else None


def _waiting_tickets(phone: str) -> Select | None:
    """This number's tickets in the stage that waits for the citizen; None when no workflow has one."""
    waiting = in_waiting_stage()
    if waiting is None:
        return None
    return (select(Ticket).join(Applicant, Applicant.id == Ticket.applicant_id)  # type: ignore[arg-type]
            .where(Applicant.phone == phone, waiting))


def waiting_ticket(session: Session, phone: str) -> Ticket | None:
    """The oldest ticket of this number that waits for the citizen, if any."""
    query = _waiting_tickets(phone)
    return None if query is None else session.exec(query.order_by(Ticket.id)).first()


def waits_for(phone: str) -> ColumnElement[bool]:
    """SQL test: a ticket of this number waits for the citizen (what waiting_ticket would find)."""
    query = _waiting_tickets(phone)
    # One column: the test is read for every inbound message, and a short statement keeps psycopg's query cache.
    return false() if query is None else query.with_only_columns(col(Ticket.id)).exists()


def take_message(session: Session, message: Message, attachments: list[Attachment]) -> list[str] | None:
    """The pending matter's handler: the message goes to the number's oldest waiting ticket, if any."""
    ticket = waiting_ticket(session, message.phone)
    return None if ticket is None else receive(session, ticket, message, attachments)


def receive(session: Session, ticket: Ticket, message: Message, attachments: list[Attachment]) -> list[str]:
    """Attach the files to the waiting ticket and put it back in its queue; text alone gets a reminder."""
    message.ticket_id = ticket.id
    accepted = [a for a in attachments if a.status == AttachmentStatus.PENDING]
    refused = [a for a in attachments if a.status == AttachmentStatus.REFUSED]
    replies = [catalogue.render("media_refused_type", content_type=a.declared_type) for a in refused]
    if not accepted:
        replies.append(catalogue.render("waiting_reminder", number=ticket.number, reason=_request_reason(session, ticket)))
        return replies
    for attachment in accepted:
        attachment.ticket_id = ticket.id
    session.add_all([message, *accepted])
    session.flush()
    act(session, ticket, Action.CITIZEN_REPLIED, actor_id=None, actor_roles=set(), expected_version=ticket.version,
        payload={"note": message.body or f"{len(accepted)} file dikirim pemohon"})
    replies.append(catalogue.render("waiting_received", number=ticket.number, count=len(accepted)))
    return replies


def _request_reason(session: Session, ticket: Ticket) -> str:
    """What the office asked for: the note of the event that put the ticket in waiting."""
    event = session.exec(
        select(StageEvent).where(StageEvent.ticket_id == ticket.id, StageEvent.to_stage == ticket.stage)
        .order_by(StageEvent.id.desc())  # type: ignore[union-attr]
    ).first()
    return (event.note if event else None) or "-"
