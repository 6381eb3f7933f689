"""What the complaint desk keeps beside the ticket: canned answers and LAPOR! tracking numbers."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from layanan.clock import utcnow
from tickets.types import UTCDateTime


class CannedAnswer(SQLModel, table=True):
    """A reusable answer text that admins keep; the unit picks one in the answer editor and adapts it."""

    __tablename__ = "canned_answer"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=120)
    body: str = Field(max_length=1300)  # the SOP's answer output takes at most this much
    category: str | None = Field(default=None, max_length=60)  # offered first for complaints of this category
    active: bool = Field(default=True)
    updated_by_id: int | None = Field(default=None, foreign_key="staffuser.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LaporRecord(SQLModel, table=True):
    """The SP4N-LAPOR! tracking number a complaint was entered under, and who recorded it when."""

    __tablename__ = "lapor_record"

    ticket_id: int = Field(foreign_key="ticket.id", primary_key=True)
    tracking_number: str = Field(max_length=40, index=True)
    recorded_by_id: int | None = Field(default=None, foreign_key="staffuser.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
