"""Working calendar and mutu baku deadlines: Monday-Friday, 08:00-16:00 WIB, minus holidays."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from routing.definition import Definition

HOLIDAYS_FILE = Path(__file__).parent / "holidays.yaml"


class HolidayKind(StrEnum):
    LIBUR_NASIONAL = "libur_nasional"
    CUTI_BERSAMA = "cuti_bersama"


@dataclass(frozen=True)
class Holiday:
    day: date
    name: str
    kind: HolidayKind
    provisional: bool = False


@dataclass(frozen=True)
class WorkingCalendar:
    """Office hours on working days in one time zone; holidays are closed all day."""

    holidays: frozenset[date] = frozenset()
    opens: time = time(8)
    closes: time = time(16)
    workdays: frozenset[int] = frozenset(range(5))  # Monday = 0
    tz: tzinfo = UTC  # the shipped calendar file names the office's own zone

    def __post_init__(self) -> None:
        if self.opens >= self.closes:
            raise ValueError("opening time must be before closing time")
        if not self.workdays or not self.workdays <= set(range(7)):
            raise ValueError("workdays must be weekday numbers 0-6, at least one")

    def is_working_day(self, day: date) -> bool:
        """Whether the office opens on this calendar day."""
        return day.weekday() in self.workdays and day not in self.holidays

    def with_holidays(self, extra: Iterable[date]) -> WorkingCalendar:
        """A copy of this calendar with more closed days."""
        return replace(self, holidays=self.holidays | frozenset(extra))

    def next_opening(self, moment: datetime) -> datetime:
        """The moment itself if the office is open then, otherwise the next opening (local time)."""
        local = _aware(moment, "moment").astimezone(self.tz)
        day = local.date()
        if self.is_working_day(day):
            if self.opens <= local.time() < self.closes:
                return local
            if local.time() < self.opens:
                return datetime.combine(day, self.opens, self.tz)
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return datetime.combine(day, self.opens, self.tz)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The moment `duration` of working time after start, in UTC."""
        if duration < timedelta(0):
            raise ValueError("duration must not be negative")
        cursor = self.next_opening(start)
        remaining = duration
        while True:
            close = datetime.combine(cursor.date(), self.closes, self.tz)
            if remaining <= close - cursor:
                return (cursor + remaining).astimezone(UTC)
            remaining -= close - cursor
            cursor = self.next_opening(close)

    def between(self, a: datetime, b: datetime) -> timedelta:
        """Working time from a to b; zero if b is not after a."""
        start = _aware(a, "a").astimezone(self.tz)
        end = _aware(b, "b").astimezone(self.tz)
        total = timedelta(0)
        day = start.date()
        while day <= end.date():
            if self.is_working_day(day):
                opened = max(start, datetime.combine(day, self.opens, self.tz))
                closed = min(end, datetime.combine(day, self.closes, self.tz))
                if closed > opened:
                    total += closed - opened
            day += timedelta(days=1)
        return total


def read_holidays(path: str | Path = HOLIDAYS_FILE) -> tuple[Holiday, ...]:
    """Every entry of a holidays file, in file order."""
    path = Path(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = data.get("holidays") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a 'holidays' list")
    return tuple(_holiday(path, i, entry) for i, entry in enumerate(entries))


def load_holidays(path: str | Path | None = None, *, include_cuti_bersama: bool = True) -> frozenset[date]:
    """The closed days listed in a holidays file (the shipped one by default)."""
    return frozenset(
        h.day
        for h in read_holidays(path or HOLIDAYS_FILE)
        if include_cuti_bersama or h.kind is HolidayKind.LIBUR_NASIONAL
    )


def office_zone(path: str | Path | None = None) -> tzinfo:
    """The office's time zone, as the calendar file gives it (`utc_offset_hours`, `zone_name`)."""
    data = yaml.safe_load(Path(path or HOLIDAYS_FILE).read_text(encoding="utf-8"))
    offset = data.get("utc_offset_hours") if isinstance(data, dict) else None
    if isinstance(offset, bool) or not isinstance(offset, (int, float)) or not -12 <= offset <= 14:
        raise ValueError(f"{path or HOLIDAYS_FILE}: expected utc_offset_hours between -12 and 14")
    return timezone(timedelta(hours=offset), str(data.get("zone_name") or f"UTC{offset:+g}"))


def make_calendar(
    extra_holidays: Iterable[date] = (),
    *,
    holidays_path: str | Path | None = None,
    include_cuti_bersama: bool = True,
) -> WorkingCalendar:
    """The office calendar from a holidays file plus extra closed days (e.g. local holidays)."""
    holidays = load_holidays(holidays_path, include_cuti_bersama=include_cuti_bersama)
    return WorkingCalendar(holidays=holidays | frozenset(extra_holidays), tz=office_zone(holidays_path))


@functools.cache
def default_calendar() -> WorkingCalendar:
    """The office calendar with the shipped national holidays and cuti bersama."""
    return make_calendar()


def add_working_time(start: datetime, duration: timedelta, calendar: WorkingCalendar | None = None) -> datetime:
    """The UTC moment `duration` of working time after start (one working day is 8 hours)."""
    return (calendar or default_calendar()).add(start, duration)


def working_time_between(a: datetime, b: datetime, calendar: WorkingCalendar | None = None) -> timedelta:
    """Working time elapsed from a to b."""
    return (calendar or default_calendar()).between(a, b)


def due_at(
    definition: Definition,
    stage_key: str,
    entered_at: datetime,
    group_started_at: datetime | None,
    *,
    paused: timedelta = timedelta(0),
    calendar: WorkingCalendar | None = None,
    outputs: Mapping[str, Any] | None = None,
) -> datetime | None:
    """When a ticket in this stage is due, or None if the SOP sets no time for it.

    Stages in an SLA group share the group's deadline, counted from group_started_at (when the
    ticket entered the group's first stage); other stages count from entered_at. `paused` is
    working time spent waiting for the citizen, which does not count against the office. `outputs` are
    the ticket's, for a group whose duration an output picks (`by_output`).
    """
    stage = definition.stage(stage_key)
    group = definition.sla_group_for(stage_key)
    if group is not None:
        start, duration = group_started_at or entered_at, group.duration_for(outputs)
    elif stage.sla is not None:
        start, duration = entered_at, stage.sla
    else:
        return None
    return add_working_time(start, duration + paused, calendar)


def is_overdue(due: datetime | None, now: datetime) -> bool:
    """Whether a deadline has passed; a ticket without deadline is never overdue."""
    _aware(now, "now")
    return due is not None and _aware(due, "due") < now


def _aware(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return moment


def _holiday(path: Path, index: int, entry: Any) -> Holiday:
    where = f"{path.name}: holidays[{index}]"
    if not isinstance(entry, dict) or not isinstance(entry.get("date"), date):
        raise ValueError(f"{where}: needs a date written as YYYY-MM-DD")
    try:
        kind = HolidayKind(entry.get("kind", HolidayKind.LIBUR_NASIONAL))
    except ValueError:
        raise ValueError(f"{where}: unknown kind {entry.get('kind')!r}") from None
    return Holiday(
        day=entry["date"],
        name=str(entry.get("name", "")),
        kind=kind,
        provisional=bool(entry.get("provisional", False)),
    )
