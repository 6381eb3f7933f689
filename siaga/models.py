"""A Siaga report beside its ticket: who reported whom, where, and the home visit with its result."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from layanan.clock import utcnow
from tickets.types import UTCDateTime


def _ts(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


class VisitResult(StrEnum):
    """How a home visit ended."""

    RECORDED = "recorded"  # the biometrics were recorded: the ticket may move on
    NOT_HOME = "not_home"  # nobody at the address: schedule again
    CANNOT_RECORD = "cannot_record"  # the resident's condition did not allow it: schedule again or close

    @property
    def label(self) -> str:
        """The result as staff read it."""
        return RESULT_LABELS[self]


RESULT_LABELS: dict[VisitResult, str] = {
    VisitResult.RECORDED: "Berhasil direkam",
    VisitResult.NOT_HOME: "Tidak bertemu penduduk",
    VisitResult.CANNOT_RECORD: "Belum dapat direkam",
}


class SiagaReport(SQLModel, table=True):
    """The report a third party made for a vulnerable resident, and the home visit it led to."""

    __tablename__ = "siaga_report"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", unique=True)
    reporter_name: str = Field(max_length=120)
    relation: str = Field(max_length=80)  # of the reporter to the resident: anak, aparat pekon, pendamping sosial
    subject_name: str = Field(max_length=120)
    pekon: str = Field(max_length=120, index=True)
    # Not found in the kecamatan's pekon list: kept as typed (a village is never lost) for staff to check.
    pekon_unlisted: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    contact_phone: str = Field(max_length=20)  # E.164, to arrange the visit
    urgent: bool = Field(default=False, index=True)  # needed for hospital care or social aid
    created_at: datetime = _ts(default_factory=utcnow)
    visit_date: date | None = Field(default=None, index=True)
    team: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # staff ids
    scheduled_by_id: int | None = Field(default=None, foreign_key="staffuser.id")
    visit_result: str | None = Field(default=None, max_length=20)
    visit_note: str | None = Field(default=None, max_length=500)
    result_by_id: int | None = Field(default=None, foreign_key="staffuser.id")
    result_at: datetime | None = _ts(default=None)
