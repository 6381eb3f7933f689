"""The numbers of the dashboard: counts aggregate in SQL; stage times walk the period's stage events.

A period is a range of calendar days in Tanggamus (WIB). Counts per kecamatan, service, channel and
week are of tickets *received* in the period. Stage times and mutu baku compliance are of stage
passages *finished* in the period: the time from entering a stage (or an SLA group) to leaving it,
in working time, without the time spent waiting for the citizen, just as the SLA clock counts it.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal_column, select
from sqlmodel import Session, col

from routing.definition import Definition, StageKind
from layanan.clock import WIB
from tickets.constants import Channel, Service
from tickets.kecamatan import BY_CODE, KECAMATAN
from tickets.models import StageEvent, Ticket
from tickets.queries import SlaState, sla_condition
from tickets.work_clock import WorkClock

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")
MAX_PERIOD_DAYS = 366
NO_KECAMATAN = "Tanpa kecamatan"


def indonesian_date(day: date) -> str:
    """A date as staff write it, e.g. 3 November 2026."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class Period:
    """Calendar days in WIB, both ends included."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("Tanggal akhir periode tidak boleh sebelum tanggal awal.")
        if (self.last - self.first).days + 1 > MAX_PERIOD_DAYS:
            raise ValueError(f"Periode paling panjang {MAX_PERIOD_DAYS} hari.")

    @classmethod
    def month_of(cls, day: date) -> Period:
        """The calendar month containing this day."""
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return cls(first, following - timedelta(days=1))

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as UTC moments [start, end)."""
        start = datetime.combine(self.first, time(0), WIB).astimezone(UTC)
        end = datetime.combine(self.last + timedelta(days=1), time(0), WIB).astimezone(UTC)
        return start, end

    @property
    def label(self) -> str:
        return f"{indonesian_date(self.first)} s.d. {indonesian_date(self.last)}"


def today_wib(now: datetime) -> date:
    """The calendar day in Tanggamus at this moment."""
    return now.astimezone(WIB).date()


@dataclass(frozen=True)
class Count:
    """One bar: a key for the CSV, the label people read, the number."""

    key: str
    label: str
    value: int


@dataclass(frozen=True)
class StageNow:
    key: str
    label: str
    tickets: int
    overdue: int


def tickets_per_stage(session: Session, definition: Definition, now: datetime) -> list[StageNow]:
    """How many tickets sit in each stage right now, and how many of them are past their deadline."""
    late = func.sum(case((col(Ticket.due_at) < now, 1), else_=0))
    rows = session.execute(
        select(Ticket.stage, func.count(), late).where(Ticket.workflow == definition.key).group_by(Ticket.stage)
    ).all()
    found = {stage: (int(count), int(overdue or 0)) for stage, count, overdue in rows}
    return [StageNow(s.key, s.name, *found.get(s.key, (0, 0))) for s in _stages_in_order(definition)]


@dataclass(frozen=True)
class StageLights:
    """One stage's open tickets by where they stand against their deadline, as the queue's chips say it."""

    key: str
    label: str
    has_deadline: bool  # the SOP sets a time for the stage (its own or its SLA group's)
    open: int
    on_time: int
    due_today: int
    overdue: int

    @property
    def without_deadline(self) -> int:
        """Open tickets with no deadline running (e.g. a stage the SOP sets no time for)."""
        return self.open - self.on_time - self.due_today - self.overdue


LIGHTS: tuple[SlaState, ...] = (SlaState.ON_TIME, SlaState.DUE_TODAY, SlaState.OVERDUE)


def traffic_lights(session: Session, definition: Definition, now: datetime) -> list[StageLights]:
    """Per work stage in SOP order: tickets there now, and how many are on time, due today or overdue; one
    GROUP BY, each state by the same SQL rule the queue's filter uses."""
    states = [func.sum(case((sla_condition(state, now), 1), else_=0)) for state in LIGHTS]
    rows = session.execute(
        select(Ticket.stage, func.count(), *states).where(Ticket.workflow == definition.key).group_by(Ticket.stage)
    ).all()
    found = {stage: tuple(int(n or 0) for n in numbers) for stage, *numbers in rows}
    return [StageLights(s.key, s.name, s.sla is not None or definition.sla_group_for(s.key) is not None,
                        *found.get(s.key, (0, 0, 0, 0))) for s in definition.chain]


@dataclass(frozen=True)
class Kpis:
    """The dashboard's headline figures."""

    open: int  # tickets not in a terminal stage now
    overdue: int  # of those, past their deadline now
    done_this_month: int  # tickets that reached the done stage in this calendar month (WIB)
    on_time_share: float | None  # stage passages of the period within their mutu baku, 0-1


def kpis(session: Session, definition: Definition, now: datetime, sla: Iterable[SlaCompliance]) -> Kpis:
    """Open and overdue tickets now, those completed this month, and the period's on-time share."""
    stages = [s for s in tickets_per_stage(session, definition, now) if not definition.is_terminal(s.key)]
    start, end = Period.month_of(today_wib(now)).bounds()
    done = session.execute(
        select(func.count(func.distinct(StageEvent.ticket_id)))
        .join(Ticket, col(Ticket.id) == col(StageEvent.ticket_id))
        .where(Ticket.workflow == definition.key, StageEvent.to_stage == definition.done_stage.key,
               col(StageEvent.created_at) >= start, col(StageEvent.created_at) < end)
    ).scalar_one()
    checks = list(sla)
    passages = sum(c.passages for c in checks)
    share = sum(c.within for c in checks) / passages if passages else None
    return Kpis(sum(s.tickets for s in stages), sum(s.overdue for s in stages), int(done), share)


def per_kecamatan(session: Session, definition: Definition, period: Period) -> list[Count]:
    """Tickets received in the period per kecamatan, every kecamatan listed, the most first."""
    found = _received_by(session, definition, period, col(Ticket.kecamatan_code))
    rows = [Count(k.code, k.name, found.pop(k.code, 0)) for k in KECAMATAN]
    rows += [Count(code, BY_CODE[code].name if code in BY_CODE else code, n) for code, n in found.items() if code]
    rows.sort(key=lambda c: (-c.value, c.label))
    if found.get(None):
        rows.append(Count("", NO_KECAMATAN, found[None]))
    return rows


def per_service(session: Session, definition: Definition, period: Period) -> list[Count]:
    """Tickets received in the period per service, in the catalogue's order."""
    found = _received_by(session, definition, period, col(Ticket.service))
    rows = [Count(str(s), s.label, found.pop(str(s), 0)) for s in Service]
    return rows + [Count(str(key), str(key), n) for key, n in found.items()]


def per_channel(session: Session, definition: Definition, period: Period) -> list[Count]:
    """Tickets received in the period per channel the SOP takes tickets from (WhatsApp, call center, ...)."""
    labels = {Channel.WHATSAPP: "WhatsApp", Channel.CALL_CENTER: "Call center", Channel.PEKON: "Kantor pekon"}
    found = _received_by(session, definition, period, col(Ticket.channel))
    served = dict.fromkeys(s.channel for s in definition.serves)
    rows = [Count(c, labels.get(Channel(c), c) if c in set(Channel) else c, found.pop(c, 0)) for c in served]
    return rows + [Count(str(key), str(key), n) for key, n in found.items()]


def weekly_received(session: Session, definition: Definition, period: Period) -> list[Count]:
    """Tickets received per week (Monday to Sunday, WIB) over the weeks the period touches."""
    dialect = session.get_bind().dialect.name
    week = _week_start(dialect)
    start, end = period.bounds()
    rows = session.execute(
        select(week, func.count()).where(Ticket.workflow == definition.key, col(Ticket.created_at) >= start,
                                         col(Ticket.created_at) < end).group_by(week)
    ).all()
    found = {_as_date(monday): int(n) for monday, n in rows}
    monday = period.first - timedelta(days=period.first.weekday())
    weeks: list[Count] = []
    while monday <= period.last:
        sunday = monday + timedelta(days=6)
        label = f"{monday.day:02d}/{monday.month:02d}–{sunday.day:02d}/{sunday.month:02d}"
        weeks.append(Count(monday.isoformat(), label, found.get(monday, 0)))
        monday += timedelta(days=7)
    return weeks


@dataclass
class StageTime:
    key: str
    label: str
    passages: int
    median_seconds: float | None


@dataclass
class SlaCompliance:
    key: str
    label: str
    stages: tuple[str, ...]
    limit_seconds: float
    passages: int
    within: int

    @property
    def share(self) -> float | None:
        """The share finished within the mutu baku, 0-1, or None without passages."""
        return self.within / self.passages if self.passages else None


@dataclass
class StageTimes:
    stages: list[StageTime] = field(default_factory=list)
    sla: list[SlaCompliance] = field(default_factory=list)


def stage_times(session: Session, definition: Definition, period: Period) -> StageTimes:
    """Median working time per stage and mutu baku compliance, over passages finished in the period.

    Reads the history of the tickets that changed in the period (their entry into a stage may lie
    before it) as a stream, one pass; only the durations are kept, one number per passage.
    """
    start, end = period.bounds()
    # Every change of a ticket writes a stage event and sets updated_at (tickets.services,
    # tickets.workflow_service), so these are the tickets with an event in the period; the ticket
    # table is far smaller than the event table to search.
    changed = (col(Ticket.workflow) == definition.key) & (col(Ticket.created_at) < end) & \
        (col(Ticket.updated_at) >= start)
    units = _sla_units(definition)
    durations: dict[str, list[float]] = defaultdict(list)
    within: dict[str, list[bool]] = defaultdict(list)
    # A ticket's history begins when it was created, so the oldest creation bounds the clock's span.
    first = session.execute(select(func.min(Ticket.created_at)).where(changed)).scalar_one()
    if first is not None:
        clock = WorkClock.covering(first, end)
        # Core rows with the time as a POSIX timestamp: no ORM loading and no datetime per row.
        events = session.connection().execution_options(stream_results=True, yield_per=20_000).execute(
            select(StageEvent.ticket_id, StageEvent.from_stage, StageEvent.to_stage, _epoch(session))
            .where(col(StageEvent.ticket_id).in_(select(Ticket.id).where(changed)),
                   col(StageEvent.created_at) < end, _moves())
            .order_by(StageEvent.ticket_id, StageEvent.created_at, StageEvent.id)
        )
        for unit, seconds in _passages(definition, events, clock, start):
            if unit in units:
                within[unit].append(seconds <= units[unit][1] + 1e-6)
            else:
                durations[unit].append(seconds)
    result = StageTimes()
    for stage in definition.chain:
        values = durations.get(stage.key, [])
        result.stages.append(StageTime(stage.key, stage.name, len(values),
                                       statistics.median(values) if values else None))
    for key, (label, limit, stages) in units.items():
        results = within.get(key, [])
        result.sla.append(SlaCompliance(key, label, stages, limit, len(results), sum(results)))
    return result


def _passages(definition: Definition, events: Iterable[Any], clock: WorkClock,
              since: datetime) -> Iterable[tuple[str, float]]:
    """(stage or SLA unit, working seconds) of each passage that ended at or after `since`.

    Each event's moment is placed on the working clock once; durations are differences of offsets.
    """
    waiting = definition.waiting_stage.key if definition.waiting_stage else None
    terminal = {s.key for s in definition.stages if s.is_terminal}
    units = _unit_of_stage(definition)
    since_stamp = since.timestamp() - 1e-3  # timestamps from SQL may round a little
    ticket: int | None = None
    stage: str = ""
    unit: str | None = None
    entered = unit_started = wait_started = 0.0
    stage_paused = unit_paused = 0.0
    for ticket_id, from_stage, to_stage, moment in events:
        moment = round(float(moment), 3)  # SQLite's julianday arithmetic is off by some microseconds
        now = clock.offset_at(moment)
        if ticket_id != ticket or from_stage is None:
            # A history that begins mid-way (no creation event) is measured from its first event.
            current = to_stage if from_stage is None else from_stage
            ticket, stage, entered, stage_paused = ticket_id, current, now, 0.0
            unit, unit_started, unit_paused = units.get(current), now, 0.0
            if from_stage is None:
                continue
        if to_stage == waiting:
            wait_started = now
            continue
        if from_stage == waiting:
            stage_paused += now - wait_started
            unit_paused += now - wait_started
            if to_stage == stage:
                continue  # the citizen answered: the same stage carries on
        counts = moment >= since_stamp
        if counts and stage not in terminal:
            yield stage, max(now - entered - stage_paused, 0.0)
        new_unit = units.get(to_stage)
        if new_unit != unit:
            if counts and unit is not None:
                yield unit, max(now - unit_started - unit_paused, 0.0)
            unit, unit_started, unit_paused = new_unit, now, 0.0
        stage, entered, stage_paused = to_stage, now, 0.0


def _sla_units(definition: Definition) -> dict[str, tuple[str, float, tuple[str, ...]]]:
    """Each deadline the SOP sets: its groups, then stages with their own mutu baku."""
    units = {f"sla:{g.key}": (g.name, g.duration.total_seconds(), g.stages) for g in definition.sla_groups}
    for stage in definition.chain:
        if stage.sla is not None and definition.sla_group_for(stage.key) is None:
            units[f"sla:{stage.key}"] = (stage.name, stage.sla.total_seconds(), (stage.key,))
    return units


def _unit_of_stage(definition: Definition) -> dict[str, str]:
    return {stage: key for key, (_, _, stages) in _sla_units(definition).items() for stage in stages}


def _moves() -> ColumnElement[bool]:
    """Events that move the ticket (claiming and releasing leave it where it is)."""
    return col(StageEvent.from_stage).is_(None) | (col(StageEvent.from_stage) != col(StageEvent.to_stage))


def _received_by(session: Session, definition: Definition, period: Period, column: Any) -> dict[Any, int]:
    start, end = period.bounds()
    rows = session.execute(
        select(column, func.count()).where(Ticket.workflow == definition.key, col(Ticket.created_at) >= start,
                                           col(Ticket.created_at) < end).group_by(column)
    ).all()
    return {key: int(n) for key, n in rows}


def _week_start(dialect: str) -> Any:
    """The Monday (WIB) of a ticket's reception, in SQL."""
    if dialect == "postgresql":
        return func.date(func.date_trunc("week", func.timezone("Asia/Jakarta", col(Ticket.created_at))))
    # SQLite stores UTC text; shift to WIB, go to that week's Sunday, then back to its Monday.
    return func.date(col(Ticket.created_at), literal_column("'+7 hours'"), literal_column("'weekday 0'"),
                     literal_column("'-6 days'"))


def _epoch(session: Session) -> Any:
    """A stage event's time as seconds since 1970 UTC, in SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", col(StageEvent.created_at))
    # SQLite keeps UTC text; julianday keeps the fraction of a second that strftime('%s') drops.
    return (func.julianday(col(StageEvent.created_at)) - 2440587.5) * 86400.0


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _stages_in_order(definition: Definition) -> list[Any]:
    """Work stages in SOP order, then waiting, done and rejected."""
    rest = [s for s in definition.stages if s.kind is not StageKind.WORK]
    return list(definition.chain) + rest
