"""Call statistics for the section head: per day, per outcome, per agent, and how many became tickets."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from layanan.clock import WIB
from bot.call_center.models import CallLog, Outcome
from tickets.staff import StaffUser

NO_AGENT = "Integrasi (API)"


@dataclass
class CallStats:
    start: date
    end: date  # inclusive
    total: int = 0
    tickets: int = 0
    per_day: dict[date, int] = field(default_factory=dict)  # every day of the period, zeros included
    per_outcome: dict[Outcome, int] = field(default_factory=dict)  # every outcome, zeros included
    per_agent: list[tuple[str, int, int]] = field(default_factory=list)  # (name, calls, tickets), busiest first


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The UTC instants bounding whole office days (WIB) from start to end inclusive."""
    return (datetime.combine(start, time(), WIB), datetime.combine(end + timedelta(days=1), time(), WIB))


def call_statistics(session: Session, start: date, end: date) -> CallStats:
    """Count the calls logged from start to end (office days, inclusive)."""
    low, high = period_bounds(start, end)
    rows = session.exec(
        select(CallLog.called_at, CallLog.outcome, CallLog.agent_id, CallLog.ticket_id)
        .where(col(CallLog.called_at) >= low, col(CallLog.called_at) < high)
    ).all()
    stats = CallStats(start=start, end=end, total=len(rows))
    days = Counter(called_at.astimezone(WIB).date() for called_at, _, _, _ in rows)
    stats.per_day = {start + timedelta(days=i): days.get(start + timedelta(days=i), 0)
                     for i in range((end - start).days + 1)}
    outcomes = Counter(outcome for _, outcome, _, _ in rows)
    stats.per_outcome = {o: outcomes.get(o.value, 0) for o in Outcome}
    stats.tickets = sum(1 for *_, ticket_id in rows if ticket_id is not None)
    calls: Counter[int | None] = Counter(agent for _, _, agent, _ in rows)
    tickets: Counter[int | None] = Counter(agent for _, _, agent, ticket_id in rows if ticket_id is not None)
    names = _agent_names(session, {a for a in calls if a is not None})
    stats.per_agent = sorted(
        ((names.get(agent, NO_AGENT) if agent is not None else NO_AGENT, n, tickets.get(agent, 0))
         for agent, n in calls.items()),
        key=lambda row: (-row[1], row[0]),
    )
    return stats


def _agent_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {u.id: u.full_name for u in session.exec(select(StaffUser).where(col(StaffUser.id).in_(ids)))
            if u.id is not None}
