"""When the office opens next, for replies that promise a person: from the working calendar, in words a
citizen reads ("Senin, 7 Desember 2026 pukul 08.00 WIB"). Pure: the moment is passed in."""

from __future__ import annotations

from datetime import datetime

from layanan.indonesian_words import day_name, long_date
from routing.sla import WorkingCalendar, default_calendar


def closed_until(now: datetime, calendar: WorkingCalendar | None = None) -> datetime | None:
    """The next opening (office time) when the office is closed at `now`; None while it is open."""
    calendar = calendar or default_calendar()
    opening = calendar.next_opening(now)
    return None if opening == now else opening


def opening_words(opening: datetime) -> str:
    """An opening moment as a citizen reads it: Senin, 7 Desember 2026 pukul 08.00 WIB."""
    day = opening.date()
    zone = opening.tzname() or "WIB"
    return f"{day_name(day)}, {long_date(day)} pukul {opening:%H.%M} {zone}"
