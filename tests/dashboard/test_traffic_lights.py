"""The dashboard's traffic lights per stage: counts against a direct count of the tickets, each number opening
the queue of exactly those tickets, and "due today" by the WIB working day across a weekend and a holiday."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from layanan.clock import WIB
from routing import workflow
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import login, make_staff, make_ticket, queue_numbers
from tickets import dashboard_queries as q
from tickets.models import Ticket
from tickets.queries import SlaState, sla_state

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # Tuesday 10:00 WIB, a working day
DEFINITION = workflow(TANGGAMUS)


def at_wib(day: int, hour: int, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=WIB)


@pytest.fixture
def spread(session: Session) -> dict[str, list[Ticket]]:
    """Tickets on time, due today and overdue across stages, some where the SOP sets no time, others done."""
    plan = {
        "intake": [NOW + timedelta(days=3), at_wib(1, 16), NOW - timedelta(hours=1)],
        "counter_registration": [NOW - timedelta(days=2), NOW - timedelta(minutes=5)],
        "handover_batch": [at_wib(1, 14), at_wib(2, 9)],
        "kasi_verification": [None, None],  # the SOP sets no time here
        "done": [NOW - timedelta(days=9)],
    }
    return {stage: [make_ticket(session, stage=stage, due_at=due) for due in dues] for stage, dues in plan.items()}


def direct_count(session: Session, now: datetime) -> dict[str, Counter[str]]:
    """Each stage's tickets by the queue chip's own rule, read one ticket at a time."""
    found: dict[str, Counter[str]] = {}
    for ticket in session.exec(select(Ticket).where(Ticket.workflow == TANGGAMUS)).all():
        found.setdefault(ticket.stage, Counter())[sla_state(ticket.due_at, now)] += 1
    return found


def test_the_counts_per_stage_agree_with_a_direct_count(session: Session, spread) -> None:  # type: ignore[no-untyped-def]
    lights = q.traffic_lights(session, DEFINITION, NOW)
    direct = direct_count(session, NOW)

    assert [row.key for row in lights] == [s.key for s in DEFINITION.chain]  # SOP order, work stages only
    for row in lights:
        counted = direct.get(row.key, Counter())
        assert (row.open, row.on_time, row.due_today, row.overdue) == (
            sum(counted.values()), counted[SlaState.ON_TIME], counted[SlaState.DUE_TODAY], counted[SlaState.OVERDUE])
    by_key = {row.key: row for row in lights}
    assert (by_key["intake"].on_time, by_key["intake"].due_today, by_key["intake"].overdue) == (1, 1, 1)
    assert by_key["counter_registration"].overdue == 2
    assert (by_key["handover_batch"].due_today, by_key["handover_batch"].on_time) == (1, 1)
    assert by_key["kasi_verification"].open == 2 and not by_key["kasi_verification"].has_deadline


@pytest.mark.parametrize(("now", "due_today", "on_time", "why"), [
    # Friday 17:00 WIB, after closing: Monday's deadline is the next thing to do, Tuesday's is not.
    (at_wib(4, 17), [at_wib(7, 9), at_wib(7, 15)], [at_wib(8, 9)], "after closing on Friday"),
    # Saturday: the working day in play is Monday.
    (at_wib(5, 10), [at_wib(7, 9)], [at_wib(8, 10)], "on a Saturday"),
    # Thursday 24 December (cuti bersama), then Christmas and the weekend: Monday 28 December is in play.
    (at_wib(24, 10), [at_wib(28, 11)], [at_wib(29, 9)], "on a holiday"),
])
def test_due_today_is_the_working_day_in_play(http, session: Session, monkeypatch, now, due_today, on_time, why) -> None:  # type: ignore[no-untyped-def]
    soon = [make_ticket(session, stage="intake", due_at=due) for due in due_today]
    later = [make_ticket(session, stage="intake", due_at=due) for due in on_time]
    late = make_ticket(session, stage="intake", due_at=now - timedelta(minutes=1))

    intake = q.traffic_lights(session, DEFINITION, now.astimezone(UTC))[0]
    assert (intake.due_today, intake.on_time, intake.overdue) == (len(soon), len(later), 1), why

    # The queue's filter and chips follow the same rule.
    monkeypatch.setattr("tickets.views.utcnow", lambda: now.astimezone(UTC))
    make_staff(session, "wa_receiver")
    login(http, "wa-receiver")
    queue = http.get("/antrian", params={"tahap": "intake", "sla": "due-today"}).text
    assert sorted(queue_numbers(queue)) == sorted(t.number for t in soon), why
    assert '<option value="due-today" selected>Jatuh tempo hari ini</option>' in queue  # the filter shows
    assert queue_numbers(http.get("/antrian", params={"tahap": "intake", "sla": "overdue"}).text) == [late.number]


def test_each_number_opens_the_queue_of_exactly_those_tickets(http, session: Session, spread, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("tickets.dashboard_views.utcnow", lambda: NOW)
    monkeypatch.setattr("tickets.views.utcnow", lambda: NOW)
    make_staff(session, "admin")
    login(http, "admin")

    page = http.get("/dasbor/").text

    section = page[page.index('id="lampu-tahap"'):]
    row = re.search(r'<tr data-stage="intake">(.*?)</tr>', section, flags=re.S).group(1)
    cells = dict(re.findall(r'data-light="([a-z-]+)"><a class="chip[^"]*" href="([^"]+)"><span class="count">', row))
    words = re.findall(r'<span class="count">(\d+)</span> <span class="what">([^<]+)</span>', row)
    assert words == [("3", "terbuka"), ("1", "tepat waktu"), ("1", "jatuh tempo hari ini"), ("1", "terlambat")]
    expected = {"on-time": spread["intake"][0], "due-today": spread["intake"][1], "overdue": spread["intake"][2]}
    for state, ticket in expected.items():
        listed = queue_numbers(http.get(cells[state].replace("&amp;", "&")).text)
        assert listed == [ticket.number], state
    assert sorted(queue_numbers(http.get(cells["open"].replace("&amp;", "&")).text)) == sorted(
        t.number for t in spread["intake"])
    # A stage without a deadline in the SOP says so instead of showing lights; an empty count links nowhere.
    verification = re.search(r'<tr data-stage="kasi_verification">(.*?)</tr>', section, flags=re.S).group(1)
    assert "tanpa batas waktu dalam SOP" in verification and 'data-light="overdue"' not in verification
    empty = re.search(r'<tr data-stage="data_lifting">(.*?)</tr>', section, flags=re.S).group(1)
    assert "href=" not in empty


def test_a_supervisor_follows_only_the_queues_they_may_open(http, session: Session, spread, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("tickets.dashboard_views.utcnow", lambda: NOW)
    make_staff(session, "kasi_identitas")
    make_ticket(session, stage="kasi_verification", due_at=NOW - timedelta(hours=2))
    login(http, "kasi-identitas")

    section = http.get("/dasbor/").text.split('id="lampu-tahap"')[1]

    own = re.search(r'<tr data-stage="kasi_verification">(.*?)</tr>', section, flags=re.S).group(1)
    assert "peran=kasi_identitas" in own and "tahap=kasi_verification" in own
    other = re.search(r'<tr data-stage="intake">(.*?)</tr>', section, flags=re.S).group(1)
    assert "href=" not in other and '<span class="count">3</span>' in other  # counted, not linked
