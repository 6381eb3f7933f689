"""Working calendar and mutu baku deadlines."""

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routing.definition import Definition
from layanan.clock import WIB
from routing.sla import (
    HolidayKind,
    WorkingCalendar,
    add_working_time,
    default_calendar,
    due_at,
    is_overdue,
    make_calendar,
    read_holidays,
    working_time_between,
)

DAY = timedelta(hours=8)


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


def test_friday_afternoon_plus_one_working_day_is_monday_afternoon() -> None:
    due = add_working_time(wib(2026, 1, 9, 15, 0), DAY)  # Friday
    assert due == wib(2026, 1, 12, 15, 0)  # Monday
    assert due.tzinfo is UTC


def test_across_holidays() -> None:
    # Thursday 14 May 2026 is Kenaikan Yesus Kristus, Friday 15 May cuti bersama.
    assert add_working_time(wib(2026, 5, 13, 10, 0), DAY) == wib(2026, 5, 18, 10, 0)
    without_cuti = make_calendar(include_cuti_bersama=False)
    assert add_working_time(wib(2026, 5, 13, 10, 0), DAY, without_cuti) == wib(2026, 5, 15, 10, 0)
    # Lebaran 2026: closed from Wednesday 18 to Tuesday 24 March.
    assert add_working_time(wib(2026, 3, 17, 12, 0), DAY) == wib(2026, 3, 25, 12, 0)


def test_extra_holidays() -> None:
    calendar = make_calendar(extra_holidays=[date(2026, 1, 12)])  # e.g. HUT Kabupaten
    assert add_working_time(wib(2026, 1, 9, 15, 0), DAY, calendar) == wib(2026, 1, 13, 15, 0)
    assert default_calendar().with_holidays([date(2026, 1, 12)]).holidays == calendar.holidays


def test_start_on_saturday_rolls_to_monday_opening() -> None:
    assert add_working_time(wib(2026, 1, 10, 10, 0), timedelta(0)) == wib(2026, 1, 12, 8, 0)
    assert add_working_time(wib(2026, 1, 10, 10, 0), timedelta(hours=1)) == wib(2026, 1, 12, 9, 0)


def test_start_before_opening_rolls_to_eight() -> None:
    assert add_working_time(wib(2026, 1, 13, 7, 0), timedelta(0)) == wib(2026, 1, 13, 8, 0)
    assert add_working_time(wib(2026, 1, 13, 7, 0), DAY) == wib(2026, 1, 13, 16, 0)


def test_start_after_closing_rolls_to_next_day() -> None:
    assert add_working_time(wib(2026, 1, 13, 16, 0), timedelta(minutes=15)) == wib(2026, 1, 14, 8, 15)
    assert add_working_time(wib(2026, 1, 13, 21, 30), timedelta(minutes=15)) == wib(2026, 1, 14, 8, 15)


def test_other_time_zones_in_utc_out() -> None:
    start = datetime(2026, 1, 9, 8, 0, tzinfo=UTC)  # 15:00 WIB on Friday
    assert add_working_time(start, DAY) == datetime(2026, 1, 12, 8, 0, tzinfo=UTC)
    wita = timezone(timedelta(hours=8))
    assert add_working_time(datetime(2026, 1, 13, 9, 0, tzinfo=wita), timedelta(0)) == wib(2026, 1, 13, 8, 0)


def test_working_time_between_over_a_weekend() -> None:
    assert working_time_between(wib(2026, 1, 9, 14, 0), wib(2026, 1, 12, 10, 0)) == timedelta(hours=4)
    assert working_time_between(wib(2026, 1, 10, 9, 0), wib(2026, 1, 11, 15, 0)) == timedelta(0)
    assert working_time_between(wib(2026, 1, 12, 10, 0), wib(2026, 1, 9, 14, 0)) == timedelta(0)
    assert working_time_between(wib(2026, 1, 5, 0, 0), wib(2026, 1, 12, 0, 0)) == 5 * DAY


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        add_working_time(datetime(2026, 1, 9, 15, 0), DAY)
    with pytest.raises(ValueError, match="timezone-aware"):
        working_time_between(wib(2026, 1, 9), datetime(2026, 1, 12))
    with pytest.raises(ValueError, match="timezone-aware"):
        is_overdue(wib(2026, 1, 9), datetime(2026, 1, 12))
    with pytest.raises(ValueError, match="negative"):
        add_working_time(wib(2026, 1, 9), -DAY)


def test_calendar_settings_are_checked() -> None:
    with pytest.raises(ValueError):
        WorkingCalendar(opens=time(16), closes=time(8))
    with pytest.raises(ValueError):
        WorkingCalendar(workdays=frozenset())


def test_office_calendar_counts_in_wib() -> None:
    # 16:00 WIB is 09:00 UTC: the shipped calendar closes then, whatever zone the caller uses.
    assert default_calendar().tz.utcoffset(None) == WIB.utcoffset(None)
    assert add_working_time(datetime(2026, 1, 9, 8, 0, tzinfo=UTC), timedelta(hours=2)) == \
        datetime(2026, 1, 12, 2, 0, tzinfo=UTC)  # Friday 15:00 WIB + 2 h = Monday 09:00 WIB


def test_shipped_holidays() -> None:
    holidays = [h for h in read_holidays() if h.day.year == 2026]
    assert sum(h.kind is HolidayKind.LIBUR_NASIONAL for h in holidays) == 17
    assert sum(h.kind is HolidayKind.CUTI_BERSAMA for h in holidays) == 8
    assert not any(h.provisional for h in holidays)
    assert all(h.provisional for h in read_holidays() if h.day.year == 2027)
    assert date(2027, 8, 17) in default_calendar().holidays


def test_group_deadline_is_shared_from_the_group_start(tanggamus: Definition) -> None:
    started = wib(2026, 1, 9, 15, 0)
    later = wib(2026, 1, 12, 9, 0)
    for stage in ("intake", "data_lifting", "counter_registration"):
        assert due_at(tanggamus, stage, later, started) == wib(2026, 1, 12, 15, 0)
    assert due_at(tanggamus, "intake", started, None) == wib(2026, 1, 12, 15, 0)
    paused = due_at(tanggamus, "counter_registration", later, started, paused=timedelta(hours=2))
    assert paused == wib(2026, 1, 13, 9, 0)
    # The berita acara group starts when the ticket enters handover_batch.
    assert due_at(tanggamus, "handover_batch", later, later) == wib(2026, 1, 13, 9, 0)


def test_stages_without_mutu_baku_have_no_deadline(tanggamus: Definition) -> None:
    for stage in ("kasi_verification", "courier_delivery", "waiting_citizen", "done"):
        assert due_at(tanggamus, stage, wib(2026, 1, 12, 9, 0), None) is None
    assert not is_overdue(None, wib(2030, 1, 1))


def test_stage_deadline_in_minutes(balangan: Definition) -> None:
    entered = wib(2026, 1, 12, 15, 50)
    due = due_at(balangan, "isi_formulir", entered, None)
    assert due == wib(2026, 1, 13, 8, 5)
    assert not is_overdue(due, wib(2026, 1, 13, 8, 5))
    assert is_overdue(due, wib(2026, 1, 13, 8, 6))


@settings(max_examples=200, database=None, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 1), timezones=st.just(WIB)),
    minutes=st.integers(min_value=0, max_value=20 * 8 * 60),
)
def test_between_undoes_add(start: datetime, minutes: int) -> None:
    duration = timedelta(minutes=minutes)
    end = add_working_time(start, duration)
    assert working_time_between(start, end) == duration
    assert end >= start
