"""The secret address of a staff member's calendar feed (calendar apps cannot log in); only its hash is kept."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from layanan.clock import utcnow
from tickets.types import UTCDateTime


class CalendarFeedToken(SQLModel, table=True):
    """One live feed address per staff member; making a new one ends the old one."""

    __tablename__ = "calendar_feed_token"

    staff_id: int = Field(foreign_key="staffuser.id", primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
