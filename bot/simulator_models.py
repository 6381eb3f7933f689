"""The numbers started in the WhatsApp simulator: the only ones it shows or sends as."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from layanan.clock import utcnow
from tickets.types import UTCDateTime


class SimulatorNumber(SQLModel, table=True):
    """A phone number a staff member started in the simulator while it had no history outside it."""

    __tablename__ = "simulator_number"

    phone: str = Field(primary_key=True, max_length=20)  # E.164
    started_by_id: int = Field(foreign_key="staffuser.id")
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
