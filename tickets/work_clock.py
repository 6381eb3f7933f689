"""Working time as a straight line, for code that measures or adds it many thousands of times.

routing.sla walks the calendar day by day, which is right for one deadline but too slow for a
dashboard over a month of stage events or a generator writing millions of them. Here every
working second of a span of days gets an offset once, so adding and measuring are a binary search.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, date, datetime, timedelta

from routing.sla import WorkingCalendar, default_calendar


class WorkClock:
    """Offsets in working seconds over [first_day, last_day] of a working calendar."""

    def __init__(self, first_day: date, last_day: date, calendar: WorkingCalendar | None = None) -> None:
        if last_day < first_day:
            raise ValueError("last_day must not be before first_day")
        self.calendar = calendar or default_calendar()
        self.first_day, self.last_day = first_day, last_day
        opens: list[float] = []
        day = first_day
        while day <= last_day:
            if self.calendar.is_working_day(day):
                opens.append(datetime.combine(day, self.calendar.opens, self.calendar.tz).timestamp())
            day += timedelta(days=1)
        if not opens:
            raise ValueError("the span has no working day")
        today = datetime.combine(first_day, self.calendar.opens)
        self.day_seconds = (datetime.combine(first_day, self.calendar.closes) - today).total_seconds()
        self._opens = opens

    @classmethod
    def covering(cls, first: datetime, last: datetime, calendar: WorkingCalendar | None = None) -> WorkClock:
        """A clock whose span holds both moments, with a margin for deadlines after the last one."""
        tz = (calendar or default_calendar()).tz
        return cls(first.astimezone(tz).date() - timedelta(days=7), last.astimezone(tz).date() + timedelta(days=60),
                   calendar)

    @property
    def span(self) -> float:
        """Working seconds in the whole span: `moment` takes offsets below it."""
        return len(self._opens) * self.day_seconds

    def offset(self, moment: datetime) -> float:
        """Working seconds from the span's first opening to this moment."""
        return self.offset_at(moment.timestamp())

    def offset_at(self, stamp: float) -> float:
        """As offset(), for a POSIX timestamp (seconds since 1970 UTC)."""
        index = bisect_right(self._opens, stamp) - 1
        if index < 0:
            return 0.0
        if index == len(self._opens) - 1 and stamp - self._opens[index] > self.day_seconds * 2:
            raise ValueError(f"{datetime.fromtimestamp(stamp, UTC).isoformat()} is after the clock's span "
                             f"(until {self.last_day})")
        return index * self.day_seconds + min(max(stamp - self._opens[index], 0.0), self.day_seconds)

    def moment(self, offset: float) -> datetime:
        """The UTC moment at this working offset; a whole day's end is that day's closing time."""
        if offset <= 0:
            return datetime.fromtimestamp(self._opens[0], UTC)
        index = -int(-offset // self.day_seconds) - 1  # ceil(offset / day) - 1
        if index >= len(self._opens):
            raise ValueError(f"offset beyond the clock's span (until {self.last_day})")
        return datetime.fromtimestamp(self._opens[index] + offset - index * self.day_seconds, UTC)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The moment `duration` of working time after start (as routing.sla.add_working_time)."""
        return self.moment(self.offset(start) + duration.total_seconds())

    def between(self, a: datetime, b: datetime) -> float:
        """Working seconds from a to b; zero if b is not after a."""
        return max(self.offset(b) - self.offset(a), 0.0)
