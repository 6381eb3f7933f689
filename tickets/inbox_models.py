"""What each staff member has seen of their inbox: when they last opened it, what they marked read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from tickets.types import UTCDateTime


class InboxState(SQLModel, table=True):
    """One row per staff member who has opened the inbox."""

    __tablename__ = "inbox_state"
    staff_id: int = Field(foreign_key="staffuser.id", primary_key=True, sa_column_kwargs={"autoincrement": False})
    opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # items after it are marked new
    cleared_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # "tandai semua dibaca": nothing before


class InboxRead(SQLModel, table=True):
    """One item marked read; an item that arrives again later (a ticket back in the stage) is unread again."""

    __tablename__ = "inbox_read"
    __table_args__ = (UniqueConstraint("staff_id", "kind", "ref", name="uq_inbox_read_item"),)
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staffuser.id")
    kind: str = Field(max_length=30)
    ref: str = Field(max_length=60)
    read_at: datetime = Field(sa_type=UTCDateTime)
