"""An outreach request beside its ticket: who asked, for what and when, the schedule and the results."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from layanan.clock import utcnow
from tickets.types import UTCDateTime


def _ts(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


class OutreachRequest(SQLModel, table=True):
    """A pekon's or an institution's request for an outreach visit, from its letter to its results."""

    __tablename__ = "outreach_request"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", unique=True)
    requester: str = Field(max_length=120)  # Pekon Sukamaju, SLB Negeri Tanggamus, Panti Werdha ...
    kecamatan_code: str = Field(foreign_key="kecamatan.code", index=True)
    pekon: str = Field(max_length=120)
    letter_number: str = Field(default="", max_length=80)
    expected_people: int
    services: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # Service values
    proposed_date: date
    notes: str = Field(default="", max_length=1000)
    created_by_id: int = Field(foreign_key="staffuser.id")
    created_at: datetime = _ts(default_factory=utcnow)
    scheduled_date: date | None = Field(default=None, index=True)
    team: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # staff ids
    scheduled_by_id: int | None = Field(default=None, foreign_key="staffuser.id")
    # Residents served per service (Service value -> count), as the team leader reports them.
    results: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    results_by_id: int | None = Field(default=None, foreign_key="staffuser.id")
    results_at: datetime | None = _ts(default=None)
