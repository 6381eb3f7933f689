"""The section head's call statistics agree with a direct count of the calls."""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from html import unescape
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.call_center.models import CallLog, Outcome
from bot.call_center.services import log_call, parse_call
from tests.call_center.conftest import call_form
from tests.tickets.conftest import login, make_staff

WIB = ZoneInfo("Asia/Jakarta")


def _seed(session, agents, days: list[date], rng: random.Random) -> None:  # type: ignore[no-untyped-def]
    """Calls spread over the days and agents, with every outcome, some near midnight WIB."""
    for i in range(40):
        outcome = rng.choice(list(Outcome))
        topic = "ktp-el" if outcome is not Outcome.ANSWERED else rng.choice(["kk", "umum"])
        draft, errors = parse_call(call_form(outcome=outcome.value, topic=topic, phone=f"08131111{i:04d}",
                                             notes="Pengaduan antrean loket terlalu lama"))
        assert draft is not None, errors
        moment = datetime.combine(rng.choice(days), time(rng.choice([0, 8, 13, 23]), rng.randrange(60)), WIB)
        draft = replace(draft, called_at=moment)
        log_call(session, draft, agent_id=rng.choice(agents).id)


def test_numbers_match_a_direct_count(http, session) -> None:  # type: ignore[no-untyped-def]
    agents = [make_staff(session, "call_center_agent"), make_staff(session, "call_center_agent", username="cc-2",
                                                            full_name="Agen Kedua")]
    make_staff(session, "kabid")
    days = [date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 5)]
    _seed(session, agents, days, random.Random(4))
    outside = call_form(outcome="answered", topic="kk", phone="081322223333")
    draft, _ = parse_call(outside)
    log_call(session, replace(draft, called_at=datetime(2026, 11, 6, 0, 5, tzinfo=WIB)),  # type: ignore[arg-type]
             agent_id=agents[0].id)

    login(http, "kabid")
    page = unescape(http.get("/call-center/statistik", params={"dari": "2026-11-01", "sampai": "2026-11-05"}).text)

    start = datetime(2026, 11, 1, tzinfo=WIB)
    end = datetime(2026, 11, 6, tzinfo=WIB)
    calls = [c for c in session.exec(select(CallLog)).all() if start <= c.called_at < end]
    assert len(calls) == 40
    assert re.search(r'id="total-calls">(\d+)<', page).group(1) == str(len(calls))  # type: ignore[union-attr]
    assert re.search(r'id="total-tickets">(\d+)<', page).group(1) == str(  # type: ignore[union-attr]
        sum(1 for c in calls if c.ticket_id is not None))
    per_outcome = dict(re.findall(r'data-outcome="([^"]+)"><td>[^<]+</td><td class="count">(\d+)<', page))
    assert per_outcome == {o.value: str(sum(1 for c in calls if c.outcome == o)) for o in Outcome}
    per_day = dict(re.findall(r'data-day="([^"]+)"><td>[^<]+</td><td class="count">(\d+)<', page))
    counted = Counter(c.called_at.astimezone(WIB).date().isoformat() for c in calls)
    assert per_day == {(date(2026, 11, 1) + timedelta(days=i)).isoformat(): str(counted.get(
        (date(2026, 11, 1) + timedelta(days=i)).isoformat(), 0)) for i in range(5)}
    per_agent = re.findall(r'<tr><td>([^<]+)</td><td class="count">(\d+)</td><td class="tickets">(\d+)</td></tr>', page)
    expected = {a.full_name: (str(sum(1 for c in calls if c.agent_id == a.id)),
                              str(sum(1 for c in calls if c.agent_id == a.id and c.ticket_id))) for a in agents}
    assert {name: (n, t) for name, n, t in per_agent} == expected


def test_an_impossible_period_falls_back_with_a_note(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "kepala_dinas")
    login(http, "kepala-dinas")
    page = unescape(http.get("/call-center/statistik", params={"dari": "2026-11-05", "sampai": "2026-11-01"}).text)
    assert "Tanggal akhir sebelum tanggal awal" in page
    assert len(re.findall(r'data-day="', page)) == 30
