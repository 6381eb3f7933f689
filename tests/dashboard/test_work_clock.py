"""The fast working clock gives the same answers as the SLA engine's calendar it stands in for."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from layanan.clock import WIB
from routing.sla import add_working_time, working_time_between
from tickets.work_clock import WorkClock

SPAN_START = datetime(2026, 3, 1, tzinfo=WIB)
SPAN_END = datetime(2026, 6, 30, tzinfo=WIB)


def random_moments(count: int, seed: int) -> list[datetime]:
    rng = random.Random(seed)
    seconds = int((SPAN_END - SPAN_START).total_seconds())
    return [SPAN_START + timedelta(seconds=rng.randrange(seconds)) for _ in range(count)]


def test_between_matches_the_calendar_across_nights_weekends_and_holidays() -> None:
    clock = WorkClock.covering(SPAN_START, SPAN_END)
    moments = random_moments(400, seed=1)
    for a, b in zip(moments, moments[1:]):
        assert clock.between(a, b) == pytest.approx(working_time_between(a, b).total_seconds(), abs=1e-3)


def test_add_matches_the_calendar() -> None:
    clock = WorkClock.covering(SPAN_START, SPAN_END)
    rng = random.Random(2)
    for start in random_moments(300, seed=3):
        duration = timedelta(seconds=rng.randrange(1, 5 * 8 * 3600))
        assert clock.add(start, duration) == add_working_time(start, duration)


def test_a_whole_working_day_ends_at_closing_time_and_holidays_are_skipped() -> None:
    clock = WorkClock(date(2026, 3, 16), date(2026, 3, 31))
    monday_open = datetime(2026, 3, 16, 8, tzinfo=WIB)
    assert clock.add(monday_open, timedelta(hours=8)) == datetime(2026, 3, 16, 16, tzinfo=WIB).astimezone(UTC)
    # Tuesday 17 March 15:00 plus two working hours: Nyepi and Idul Fitri close the office 18-24 March.
    tuesday = datetime(2026, 3, 17, 15, tzinfo=WIB)
    assert clock.add(tuesday, timedelta(hours=2)) == datetime(2026, 3, 25, 9, tzinfo=WIB).astimezone(UTC)
    assert clock.between(tuesday, datetime(2026, 3, 25, 9, tzinfo=WIB)) == 2 * 3600


def test_moments_beyond_the_span_are_refused() -> None:
    clock = WorkClock(date(2026, 3, 2), date(2026, 3, 6))
    with pytest.raises(ValueError):
        clock.offset(datetime(2026, 4, 1, 9, tzinfo=WIB))
    with pytest.raises(ValueError):
        clock.moment(10 * 8 * 3600)
    with pytest.raises(ValueError):
        WorkClock(date(2026, 3, 7), date(2026, 3, 8))  # a weekend has no working time
