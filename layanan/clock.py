"""The one clock: times are stored in UTC and shown in Tanggamus local time (WIB, UTC+7)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

# Indonesia has had no daylight saving since 1964, so a fixed offset is exact and needs no tzdata.
WIB = timezone(timedelta(hours=7), "WIB")


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def to_wib(moment: datetime) -> datetime:
    """A timezone-aware time as WIB."""
    return moment.astimezone(WIB)


def format_wib(moment: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """A stored UTC time as Tanggamus local time (WIB); '-' for none."""
    return moment.astimezone(WIB).strftime(fmt) if moment else "-"


def office_year(moment: datetime) -> int:
    """The calendar year in Tanggamus (WIB) at this moment: ticket and register numbers count per year."""
    return moment.astimezone(WIB).year
