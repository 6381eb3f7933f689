"""Tickets, applicants, the audit trail and the number sequences."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from layanan.clock import utcnow
from tickets.types import UTCDateTime


def _ts(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


class KecamatanRow(SQLModel, table=True):
    """Reference data: the kecamatan of Tanggamus (Kemendagri codes)."""

    __tablename__ = "kecamatan"
    code: str = Field(primary_key=True, max_length=6)
    name: str = Field(max_length=60, unique=True)


class Applicant(SQLModel, table=True):
    """A citizen who asks for a document or complains; personal data."""

    id: int | None = Field(default=None, primary_key=True)
    nik: str | None = Field(default=None, max_length=16, index=True)
    name: str | None = Field(default=None, max_length=120)
    # E.164; none for a citizen without WhatsApp, whose request a village office submitted.
    phone: str | None = Field(default=None, max_length=20, index=True)
    created_at: datetime = _ts(default_factory=utcnow)


class Ticket(SQLModel, table=True):
    """One request or complaint, worked through the stages of a workflow definition."""

    __table_args__ = (
        UniqueConstraint("year", "seq", name="uq_ticket_year_seq"),
        # The work queue reads each stage in deadline order (tickets.queries).
        Index("ix_ticket_queue_order", "stage", "due_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True)
    year: int
    seq: int
    service: str = Field(max_length=30, index=True)
    channel: str = Field(max_length=20)
    workflow: str = Field(max_length=60)
    stage: str = Field(max_length=60, index=True)
    applicant_id: int = Field(foreign_key="applicant.id", index=True)
    kecamatan_code: str | None = Field(default=None, foreign_key="kecamatan.code", index=True)
    description: str | None = Field(default=None)
    # The citizen asked that their identity be kept from the handlers (e.g. reporting pungli): staff
    # without the SOP's `see_protected_identity` duty see a pseudonym instead of name, NIK and number.
    confidential: bool = Field(default=False)
    # The ticket this one is about (a complaint about a request); its page lists the tickets about it.
    related_ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    registration_number: str | None = Field(default=None, max_length=40, unique=True)
    claimed_by_id: int | None = Field(default=None, foreign_key="staffuser.id")
    return_stage: str | None = Field(default=None, max_length=60)
    outputs: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    stage_entered_at: datetime = _ts(default_factory=utcnow)
    sla_started_at: datetime | None = _ts(default=None)
    # Working time spent waiting for the citizen inside the current SLA group; it does not count.
    sla_paused_seconds: int = Field(default=0)
    due_at: datetime | None = _ts(default=None, index=True)
    overdue: bool = Field(default=False)
    created_at: datetime = _ts(default_factory=utcnow, index=True)
    updated_at: datetime = _ts(default_factory=utcnow)
    # Optimistic locking: a transition updates only the version the actor saw (see tickets.services).
    version: int = Field(default=1)


class StageEvent(SQLModel, table=True):
    """The audit trail: who moved which ticket from where to where, and why."""

    __tablename__ = "stage_event"
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    action: str = Field(max_length=30)
    from_stage: str | None = Field(default=None, max_length=60)
    to_stage: str = Field(max_length=60)
    actor_id: int | None = Field(default=None, foreign_key="staffuser.id")
    actor_role: str | None = Field(default=None, max_length=40)
    note: str | None = Field(default=None)
    data: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _ts(default_factory=utcnow)


class NumberSequence(SQLModel, table=True):
    """Gapless yearly counters: ticket numbers, the registration book, berita acara numbers."""

    __tablename__ = "number_sequence"
    name: str = Field(primary_key=True, max_length=40)
    year: int = Field(primary_key=True)
    value: int = Field(default=0)


class StaffNotification(SQLModel, table=True):
    """Something a role must look at, e.g. an overdue ticket for the section head."""

    __tablename__ = "staff_notification"
    id: int | None = Field(default=None, primary_key=True)
    role: str = Field(max_length=40, index=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    kind: str = Field(max_length=30)
    text: str
    created_at: datetime = _ts(default_factory=utcnow)
    read_at: datetime | None = _ts(default=None)
