"""Retention (UU 27/2022 PDP): what is kept of a finished ticket once RETENTION_DAYS_AFTER_DONE have passed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from layanan.clock import utcnow
from tickets.types import UTCDateTime


class RetentionRun(SQLModel, table=True):
    """One run of the purge, real or dry: what it removed, or would have removed."""

    __tablename__ = "retention_run"
    id: int | None = Field(default=None, primary_key=True)
    dry_run: bool
    retention_days: int
    cutoff: datetime = Field(sa_type=UTCDateTime)  # tickets finished before this were purged
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    tickets: int = Field(default=0)
    # What was (or would be) removed, by kind: files, bytes, messages, reports ...
    counts: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class PurgedTicket(SQLModel, table=True):
    """A finished ticket whose personal content is gone; its row, stage events and counts stay."""

    __tablename__ = "purged_ticket"
    ticket_id: int = Field(foreign_key="ticket.id", primary_key=True)
    run_id: int = Field(foreign_key="retention_run.id", index=True)
    purged_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
