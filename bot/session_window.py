"""WhatsApp's customer-service window: free-form messages only within 24 hours of the citizen's
last message; outside it only an approved template may be sent."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from tickets.messages import Message
from tickets.constants import Direction
from layanan.clock import utcnow

WINDOW = timedelta(hours=24)
# Leave a margin: a message queued at 23:59 may reach Twilio after the window closed.
MARGIN = timedelta(minutes=5)


def last_inbound_at(session: Session, phone: str) -> datetime | None:
    """When the citizen last wrote to the office's number."""
    return session.exec(
        select(func.max(Message.created_at)).where(Message.phone == phone, Message.direction == Direction.INBOUND)
    ).one()


def in_session_window(session: Session, phone: str, now: datetime | None = None) -> bool:
    """Whether a free-form message to this number is allowed now."""
    last = last_inbound_at(session, phone)
    return last is not None and (now or utcnow()) < last + WINDOW - MARGIN
