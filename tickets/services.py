"""Creating and reading tickets; transactions begin and end in the caller."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, update
from sqlmodel import Session, select

from layanan import prepared
from layanan.clock import office_year, utcnow
from routing import workflow, workflow_for
from tickets.constants import Channel, Service
from tickets.events import TicketEvent, emit
from tickets.messages import Attachment
from tickets.models import Applicant, StageEvent, Ticket
from tickets.numbering import next_value, ticket_number

NUMBER_SEQUENCE = "ticket"


def find_or_create_applicant(session: Session, phone: str | None, nik: str | None, name: str | None) -> Applicant:
    """The applicant with this phone and NIK, or a new one; a NIK-less contact is matched by phone.
    A citizen without WhatsApp (phone None) is matched by NIK among the others without one; with neither,
    nothing tells who it is (a school a campaign visits, say), so it is always a new applicant."""
    if phone is None and nik is None:
        applicant = Applicant(phone=None, nik=None, name=name)
        session.add(applicant)
        session.flush()
        return applicant
    same_phone = Applicant.phone.is_(None) if phone is None else Applicant.phone == phone  # type: ignore[union-attr]
    query = select(Applicant).where(same_phone, Applicant.nik == nik)
    if nik is None:
        query = select(Applicant).where(same_phone, Applicant.nik.is_(None))  # type: ignore[union-attr]
    applicant = session.exec(query.order_by(Applicant.id)).first()  # type: ignore[arg-type]
    if applicant is None:
        applicant = Applicant(phone=phone, nik=nik, name=name)
        session.add(applicant)
        session.flush()
    elif name and applicant.name != name:
        applicant.name = name
    return applicant


def create_ticket(
    session: Session,
    *,
    service: Service,
    channel: Channel,
    phone: str | None,
    nik: str | None = None,
    name: str | None = None,
    kecamatan_code: str | None = None,
    description: str | None = None,
    confidential: bool = False,
    related_ticket_id: int | None = None,
    draft_id: str | None = None,
    actor_id: int | None = None,
    actor_role: str | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Open a ticket in the first stage of the workflow that serves its channel and service, and take
    over the draft's attachments."""
    now = now or utcnow()
    definition = workflow_for(str(channel), str(service))
    applicant = find_or_create_applicant(session, phone, nik, name)
    year = office_year(now)
    seq = next_value(session, NUMBER_SEQUENCE, year)
    first = definition.first_stage.key
    ticket = Ticket(
        number=ticket_number(year, seq), year=year, seq=seq, service=service, channel=channel,
        workflow=definition.key, stage=first, applicant_id=applicant.id, kecamatan_code=kecamatan_code,
        description=description, confidential=confidential, related_ticket_id=related_ticket_id,
        stage_entered_at=now, sla_started_at=now, created_at=now, updated_at=now,
    )
    ticket.due_at = definition_due_at(ticket, now)
    session.add(ticket)
    session.flush()
    session.add(StageEvent(ticket_id=ticket.id, action="create", from_stage=None, to_stage=first,
                           actor_id=actor_id, actor_role=actor_role, note=f"Kanal: {channel}", created_at=now))
    if draft_id:
        session.execute(
            update(Attachment).where(Attachment.draft_id == draft_id).values(ticket_id=ticket.id)
        )
    emit(TicketEvent.CREATED, session, ticket)
    return ticket


def definition_due_at(ticket: Ticket, now: datetime) -> datetime | None:
    """When the ticket's current stage is due under the working calendar."""
    from routing.sla import due_at

    return due_at(workflow(ticket.workflow), ticket.stage, now, ticket.sla_started_at or now)


def get_by_number(session: Session, number: str) -> Ticket | None:
    """The ticket with this public number."""
    return session.exec(select(Ticket).where(Ticket.number == number.upper())).first()


# Built once: the bot asks it for every status check, and building a joined query costs more than running it.
_OWN_TICKET = (select(Ticket.id, Ticket.number, Ticket.service, Ticket.workflow, Ticket.stage)  # type: ignore[call-overload]
               .join(Applicant, Applicant.id == Ticket.applicant_id)  # type: ignore[arg-type]
               .where(Ticket.number == bindparam("number"), Applicant.phone == bindparam("phone")))


class OwnTicket(NamedTuple):
    """What the bot may tell a citizen of a ticket of their own."""

    id: int
    number: str
    service: str
    workflow: str
    stage: str


def own_ticket(session: Session, number: str, phone: str) -> OwnTicket | None:
    """The ticket with this public number if its applicant has this phone, in one query; None when there is
    no such ticket or it is someone else's."""
    rows = prepared.execute(session.connection(), (_OWN_TICKET, {"number": number.upper(), "phone": phone}))
    return OwnTicket(*rows[0]) if rows else None


def applicant_of(session: Session, ticket: Ticket) -> Applicant:
    """The ticket's applicant."""
    applicant = session.get(Applicant, ticket.applicant_id)
    assert applicant is not None  # enforced by the foreign key
    return applicant


def submitter_id(session: Session, ticket: Ticket) -> int | None:
    """The staff member who opened the ticket (a call-center agent, a village operator); None for the bot."""
    return session.exec(
        select(StageEvent.actor_id).where(StageEvent.ticket_id == ticket.id, StageEvent.action == "create")
    ).first()
