"""Where "due today" ends: the close of the WIB working day in play, shared by the queue and the dashboard.

On a working day before closing time that day is today; after closing, on a weekend or a holiday it is
the next working day, since nothing more can be done before it. Deadlines are set in working time, so a
ticket due on that next working day is the one to pick up first, like one due later today.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from routing.sla import WorkingCalendar, default_calendar


def working_day_in_play(now: datetime, calendar: WorkingCalendar | None = None) -> datetime:
    """The start (midnight, office time) of the working day that "today" means at this moment."""
    calendar = calendar or default_calendar()
    local = now.astimezone(calendar.tz)
    day = local.date()
    if not calendar.is_working_day(day) or local.time() >= calendar.closes:
        day += timedelta(days=1)
        while not calendar.is_working_day(day):
            day += timedelta(days=1)
    return datetime.combine(day, time(0), calendar.tz)


def due_today_ends(now: datetime, calendar: WorkingCalendar | None = None) -> datetime:
    """The first moment after the working day in play: a deadline before it and not yet passed is due today."""
    return working_day_in_play(now, calendar) + timedelta(days=1)
