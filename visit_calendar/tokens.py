"""The secret address of a staff member's feed: shown once when made, kept only as a hash, one per person."""

from __future__ import annotations

import hashlib
import secrets

from sqlmodel import Session, select

from layanan.clock import utcnow
from tickets.staff import StaffUser
from visit_calendar.models import CalendarFeedToken

MAX_TOKEN = 64  # longer URLs are refused before hashing


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def make_token(session: Session, staff: StaffUser) -> str:
    """A new feed token for the staff member, replacing the old one (whose address stops working); commits."""
    token = secrets.token_urlsafe(32)
    row = session.get(CalendarFeedToken, staff.id) or CalendarFeedToken(staff_id=int(staff.id or 0), token_hash="")
    row.token_hash, row.created_at = _hash(token), utcnow()
    session.add(row)
    session.commit()
    return token


def has_token(session: Session, staff: StaffUser) -> bool:
    """Whether the staff member has a live feed address."""
    return session.get(CalendarFeedToken, staff.id) is not None


def owner(session: Session, token: str) -> StaffUser | None:
    """The active staff member whose feed this token opens, or None."""
    if not 0 < len(token) <= MAX_TOKEN:
        return None
    row = session.exec(select(CalendarFeedToken).where(CalendarFeedToken.token_hash == _hash(token))).first()
    staff = session.get(StaffUser, row.staff_id) if row is not None else None
    return staff if staff is not None and staff.active else None
