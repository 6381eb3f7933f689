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


class OutreachPerson(SQLModel, table=True):
    """One resident served on an outreach visit, by name and by address, with what was done for him or her."""

    __tablename__ = "outreach_person"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="outreach_request.id", index=True)
    name: str = Field(max_length=120)
    nik: str | None = Field(default=None, max_length=16, index=True)  # when known; masked for most readers
    kecamatan_code: str = Field(foreign_key="kecamatan.code")
    pekon: str = Field(max_length=120)  # as the pekon list names it
    dusun: str = Field(default="", max_length=120)  # dusun, RT/RW, free text
    category: str = Field(max_length=40)  # a Service value: what the team did (see outreach.people.CATEGORIES)
    note: str = Field(default="", max_length=200)
    row_number: int | None = None  # the imported file's row, for the report's reader
    recorded_by_id: int = Field(foreign_key="staffuser.id")
    created_at: datetime = _ts(default_factory=utcnow)
