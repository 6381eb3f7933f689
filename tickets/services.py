"""Creating and reading tickets; transactions begin and end in the caller."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, select

from layanan import prepared
from layanan.rows import built_as_loaded, columns_of, insert_of, stored
from layanan.clock import office_year, utcnow
from routing import workflow, workflow_for
from tickets.constants import Channel, Service
from tickets.events import TicketEvent, emit
from tickets.messages import Attachment
from tickets.models import Applicant, StageEvent, Ticket
from tickets.numbering import next_value, ticket_number

NUMBER_SEQUENCE = "ticket"


def applicant_id(session: Session, phone: str | None, nik: str | None, name: str | None) -> int:
    """The id of the applicant with this phone and NIK, or of a new one; a NIK-less contact is matched by
    phone. A citizen without WhatsApp (phone None) is matched by NIK among the others without one; with
    neither, nothing tells who it is (a school a campaign visits, say), so it is always a new applicant.
    A name given replaces the one stored."""
    connection = session.connection()
    if phone is not None or nik is not None:
        rows = prepared.execute(connection, (_find_applicant(phone is None, nik is None), {"phone": phone, "nik": nik}))
        if rows:
            found, stored_name = rows[0]
            if name and stored_name != name:
                prepared.execute(connection, (_RENAME_APPLICANT, {"applicant_id": found, "name": name}))
                _loaded_sees(session, Applicant, found, name=name)
            return int(found)
    inserted = prepared.execute(connection, (_INSERT_APPLICANT, {"phone": phone, "nik": nik, "name": name,
                                                                 "created_at": utcnow()}))
    return int(inserted[0][0])


@functools.lru_cache(maxsize=4)
def _find_applicant(no_phone: bool, no_nik: bool) -> Select:
    phone = _APPLICANT.c.phone.is_(None) if no_phone else _APPLICANT.c.phone == bindparam("phone")
    nik = _APPLICANT.c.nik.is_(None) if no_nik else _APPLICANT.c.nik == bindparam("nik")
    return sa_select(_APPLICANT.c.id, _APPLICANT.c.name).where(phone, nik).order_by(_APPLICANT.c.id).limit(1)


def _loaded_sees(session: Session, model: type, row_id: int, **values: object) -> None:
    """Make an object of the row that the session already holds see what a Core statement just wrote."""
    instance = session.identity_map.get(identity_key(model, row_id))
    if instance is not None:
        for key, value in values.items():
            set_committed_value(instance, key, value)


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
    over the draft's attachments.

    The rows are written with Core statements built once (layanan.rows): the bot opens a ticket inside
    the webhook's turn, where three ORM flushes cost more than everything else the message does."""
    now = now or utcnow()
    if now.tzinfo is None:  # the statements go to the driver as they are: no column type refuses it there
        raise ValueError("naive datetime refused: store timezone-aware UTC")
    session.flush()  # the draft's attachments, and anything else the caller changed, before the statements
    definition = workflow_for(str(channel), str(service))
    applicant = applicant_id(session, phone, nik, name)
    year = office_year(now)
    seq = next_value(session, NUMBER_SEQUENCE, year)
    first = definition.first_stage.key
    ticket = built_as_loaded(
        Ticket, number=ticket_number(year, seq), year=year, seq=seq, service=service, channel=channel,
        workflow=definition.key, stage=first, applicant_id=applicant, kecamatan_code=kecamatan_code,
        description=description, confidential=confidential, related_ticket_id=related_ticket_id,
        registration_number=None, claimed_by_id=None, return_stage=None, outputs={}, stage_entered_at=now,
        sla_started_at=now, sla_paused_seconds=0, due_at=None, overdue=False, created_at=now, updated_at=now,
        version=1,
    )
    ticket.__dict__["due_at"] = definition_due_at(ticket, now)
    connection = session.connection()
    session.add(stored(ticket, prepared.execute(connection, (_INSERT_TICKET, columns_of(ticket)))[0][0]))
    prepared.execute(connection, (_INSERT_STAGE_EVENT, {
        "ticket_id": ticket.id, "action": "create", "from_stage": None, "to_stage": first, "actor_id": actor_id,
        "actor_role": actor_role, "note": f"Kanal: {channel}", "data": {}, "created_at": now}))
    if draft_id:
        prepared.execute(connection, (_TAKE_DRAFT, {"draft": draft_id, "taken_by": ticket.id}))
        for instance in list(session.identity_map.values()):
            if isinstance(instance, Attachment) and instance.draft_id == draft_id:
                set_committed_value(instance, "ticket_id", ticket.id)
    emit(TicketEvent.CREATED, session, ticket)
    return ticket


_APPLICANT = Applicant.__table__  # type: ignore[attr-defined]
_ATTACHMENT = Attachment.__table__  # type: ignore[attr-defined]
_INSERT_APPLICANT = insert_of(_APPLICANT)
_RENAME_APPLICANT = _APPLICANT.update().where(_APPLICANT.c.id == bindparam("applicant_id")).values(name=bindparam("name"))
_INSERT_TICKET = insert_of(Ticket.__table__)  # type: ignore[attr-defined]
_INSERT_STAGE_EVENT = insert_of(StageEvent.__table__)  # type: ignore[attr-defined]
_TAKE_DRAFT = (_ATTACHMENT.update().where(_ATTACHMENT.c.draft_id == bindparam("draft"))
               .values(ticket_id=bindparam("taken_by")))


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
    return own_ticket_of(prepared.execute(session.connection(), own_ticket_query(number, phone)))


def own_ticket_query(number: str, phone: str) -> prepared.Statement:
    """`own_ticket`'s query, for a caller that runs it on a connection of its own."""
    return _OWN_TICKET, {"number": number.upper(), "phone": phone}


def own_ticket_of(rows: Sequence[Any]) -> OwnTicket | None:
    """The ticket in the rows of `own_ticket_query`, if any."""
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
