"""A caller writing on WhatsApp after the call: their messages and files go to the call's ticket."""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, Exists, Select, and_, or_, update
from sqlmodel import Session, col, select

from bot import catalogue
from bot.call_center.models import CallLog, CallTicketChoice, Outcome
from tickets.messages import Attachment, Message
from routing import definitions
from tickets.constants import AttachmentStatus, Service
from tickets.models import Ticket
from layanan.clock import utcnow

_CHOICE = re.compile(r"\s*(?:no\.?|nomor|tiket)?\s*([0-9]{1,2})\s*[.)]?\s*", flags=re.IGNORECASE)


def _in_first_stage() -> ColumnElement[bool]:
    """SQL test: the ticket is still in the first stage of its own workflow (nobody has worked on it)."""
    return or_(*(and_(col(Ticket.workflow) == d.key, col(Ticket.stage) == d.first_stage.key) for d in definitions()))


def _open_call_tickets_query(phone: str) -> Select:
    return (select(Ticket).join(CallLog, col(CallLog.ticket_id) == Ticket.id)  # type: ignore[arg-type]
            .where(CallLog.phone == phone, CallLog.outcome == Outcome.NEEDS_FILES, _in_first_stage()))


def open_call_tickets(session: Session, phone: str) -> list[Ticket]:
    """Tickets logged for this number by the call center that still wait for the caller's files."""
    return list(session.exec(_open_call_tickets_query(phone).order_by(col(Ticket.id))))


def has_open_call_ticket(phone: str) -> Exists:
    """SQL test: open_call_tickets would find something."""
    # One column: the test is read for every inbound message, and a short statement keeps psycopg's query cache.
    return _open_call_tickets_query(phone).with_only_columns(col(Ticket.id)).exists()


def _pending_key(phone: str) -> str:
    """The draft id holding files sent before the caller said which ticket they are for."""
    return f"call-choice-{phone}"


def receive(session: Session, message: Message, attachments: list[Attachment]) -> list[str] | None:
    """Attach the message to the caller's open call-center ticket and answer; None when there is none."""
    tickets = open_call_tickets(session, message.phone)
    if not tickets:
        return None
    choice = session.get(CallTicketChoice, message.phone)
    asking = choice is not None and choice.ticket_id is None and len(tickets) > 1
    if not attachments and not asking and _picked(message.body, 9) is not None:
        return None  # a bare number answers the bot's menu (after 'menu'), not us
    by_id = {t.id: t for t in tickets}
    if len(tickets) == 1:
        return _attach(session, tickets[0], message, attachments, chosen_now=False)
    if choice is not None and choice.ticket_id in by_id:
        return _attach(session, by_id[choice.ticket_id], message, attachments, chosen_now=False)
    picked = _picked(message.body, len(tickets)) if asking else None
    if picked is not None and choice is not None:
        ticket = tickets[picked - 1]
        choice.ticket_id = ticket.id
        session.add(choice)
        return _attach(session, ticket, message, attachments, chosen_now=True)
    return _ask(session, tickets, message, attachments, choice)


def _picked(body: str, count: int) -> int | None:
    found = _CHOICE.fullmatch(body)
    if not found:
        return None
    number = int(found.group(1))
    return number if 1 <= number <= count else None


def _ask(session: Session, tickets: list[Ticket], message: Message, attachments: list[Attachment],
         choice: CallTicketChoice | None) -> list[str]:
    """Keep the files aside and ask which ticket they are for."""
    if choice is None:
        choice = CallTicketChoice(phone=message.phone)
    choice.ticket_id, choice.asked_at = None, utcnow()
    session.add(choice)
    for attachment in attachments:
        if attachment.status == AttachmentStatus.PENDING:
            attachment.draft_id = _pending_key(message.phone)
    lines = [catalogue.render("call_ticket_choice_line", count=i, number=t.number,
                              service_label=Service(t.service).label) for i, t in enumerate(tickets, start=1)]
    return [*_refusals(attachments), "\n".join([catalogue.render("call_ticket_choose"), *lines])]


def _attach(session: Session, ticket: Ticket, message: Message, attachments: list[Attachment],
            *, chosen_now: bool) -> list[str]:
    """Put the message, its accepted files and any files kept aside on the ticket."""
    message.ticket_id = ticket.id
    accepted = [a for a in attachments if a.status == AttachmentStatus.PENDING]
    for attachment in accepted:
        attachment.ticket_id, attachment.draft_id = ticket.id, None
    session.add_all([message, *accepted])
    kept_aside = list(session.exec(select(Attachment).where(
        Attachment.draft_id == _pending_key(message.phone), col(Attachment.ticket_id).is_(None))))
    for attachment in kept_aside:
        attachment.ticket_id, attachment.draft_id = ticket.id, None
    session.add_all(kept_aside)
    # The messages that carried them belong to the ticket's conversation too.
    session.execute(update(Message).where(col(Message.id).in_({a.message_id for a in kept_aside}))
                    .values(ticket_id=ticket.id))
    replies = _refusals(attachments)
    if chosen_now:
        replies.append(catalogue.render("call_ticket_chosen", number=ticket.number))
    count = len(accepted) + len(kept_aside)
    if count:
        replies.append(catalogue.render("call_files_received", number=ticket.number, count=count))
    elif not chosen_now:
        service = Service(ticket.service)
        replies.append(catalogue.render("call_ticket_greeting", number=ticket.number, service_label=service.label,
                                        documents=catalogue.format_documents(service)))
    return replies


def _refusals(attachments: list[Attachment]) -> list[str]:
    return [catalogue.render("media_refused_type", content_type=a.declared_type)
            for a in attachments if a.status == AttachmentStatus.REFUSED]
