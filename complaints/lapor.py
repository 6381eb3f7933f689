"""The SP4N-LAPOR! tracking number a complaint was entered under, with who recorded it and when."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from complaints.models import LaporRecord
from layanan.clock import utcnow
from tickets.staff import StaffUser

MAX_LENGTH = int(LaporRecord.__table__.c.tracking_number.type.length)  # type: ignore[attr-defined]
# What LAPOR! prints as a tracking number: letters and digits, maybe grouped by dashes, dots or slashes.
_TRACKING = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9./-]*[A-Za-z0-9])?$")


@dataclass(frozen=True)
class Recorded:
    tracking_number: str
    recorded_at: datetime
    recorded_by: str | None  # the staff member's name


def parse_tracking_number(raw: str | None) -> str | None:
    """The tracking number as typed (spaces around it dropped), or None when it cannot be one."""
    value = (raw or "").strip()
    if not value or len(value) > MAX_LENGTH or not _TRACKING.match(value):
        return None
    return value


def record(session: Session, ticket_id: int, tracking_number: str, staff_id: int | None) -> LaporRecord:
    """Record (or change) the complaint's tracking number, noting who did it now; commits."""
    row = session.get(LaporRecord, ticket_id) or LaporRecord(ticket_id=ticket_id, tracking_number=tracking_number)
    row.tracking_number, row.recorded_by_id, row.recorded_at = tracking_number, staff_id, utcnow()
    session.add(row)
    session.commit()
    return row


def recorded(session: Session, ticket_id: int) -> Recorded | None:
    """The complaint's tracking number with who recorded it, if any."""
    row = session.get(LaporRecord, ticket_id)
    if row is None:
        return None
    who = session.get(StaffUser, row.recorded_by_id) if row.recorded_by_id else None
    return Recorded(row.tracking_number, row.recorded_at, who.full_name if who else None)
