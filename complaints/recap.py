"""The numbers of the monthly complaint recap (SP4N-LAPOR! and the Ombudsman) and of the LAPOR! export.

A month is a calendar month in Tanggamus (WIB); the recap counts the complaints *received* in it, each
with its status when the recap is made. What the words mean, read from the complaint SOP:

- **answered**: the approved answer went out, i.e. the ticket entered the SOP's citizen-verdict stage;
  a complaint reopened and answered again keeps its first answer;
- **on time**: answered by the deadline the SLA clock set for the stage the answer left, which for
  the complaint SOP is the class's working days counted from the disposition (routing.sla.due_at, so
  the same calendar, holidays and `by_output` durations as the tickets' own deadlines);
- **days to answer**: working days (8 working hours each) on the office calendar from receipt to the
  answer;
- **first response**: the first disposition (the ticket entering the answer stage), or the dismissal
  of a complaint closed without one;
- **referred**: the output meaning the referral (the other agency's name) is filled; such a complaint
  counts as referred whatever stage it is in, unless it was dismissed.

Nothing here reads who filed a complaint: the reports never carry a name, NIK or phone number.
"""

from __future__ import annotations

import functools
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlmodel import Session, col

from complaints.definitions import value_of
from complaints.models import LaporRecord
from routing.definition import WORKING_DAY, Definition, OutputMeaning, StageDuty
from routing.sla import due_at, working_time_between
from tickets.charts import number, percent
from tickets.dashboard_queries import MONTHS, Period, today_wib
from tickets.kecamatan import BY_CODE, KECAMATAN
from tickets.models import StageEvent, Ticket

NO_KECAMATAN = "Tidak disebut"
NO_CATEGORY = "Belum ditentukan"
NO_UNIT = "Belum didisposisi"


class ComplaintStatus(StrEnum):
    """Where a complaint stands, as the recap and the LAPOR! export count it; each complaint has one."""

    OPEN = "proses"
    ANSWERED = "dijawab"
    CLOSED = "selesai"
    DISMISSED = "ditutup"
    REFERRED = "dirujuk"

    @property
    def label(self) -> str:
        """The status as staff and the reports write it."""
        return STATUS_LABELS[self]


STATUS_LABELS: dict[ComplaintStatus, str] = {
    ComplaintStatus.OPEN: "Dalam proses",
    ComplaintStatus.ANSWERED: "Sudah dijawab, menunggu tanggapan pelapor",
    ComplaintStatus.CLOSED: "Selesai",
    ComplaintStatus.DISMISSED: "Ditutup tanpa tindak lanjut (spam/bukan wewenang)",
    ComplaintStatus.REFERRED: "Dirujuk ke instansi lain",
}


# Statuses in the order a complaint goes through them; the two ways out of the office last.
STATUS_ORDER = (ComplaintStatus.OPEN, ComplaintStatus.ANSWERED, ComplaintStatus.CLOSED, ComplaintStatus.REFERRED,
                ComplaintStatus.DISMISSED)


@dataclass(frozen=True)
class Month:
    """A calendar month in Tanggamus."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """`2026-11`; ValueError with a message for staff otherwise."""
        try:
            year, month = (int(part) for part in text.strip().split("-"))
            if not 2000 <= year <= 2100 or not 1 <= month <= 12:
                raise ValueError
        except ValueError:
            raise ValueError("Bulan tidak dikenali; tulis sebagai TTTT-BB, mis. 2026-11.") from None
        return cls(year, month)

    @classmethod
    def last_full(cls, now: datetime) -> Month:
        """The last month that has ended in Tanggamus at this moment."""
        previous = today_wib(now).replace(day=1) - timedelta(days=1)
        return cls(previous.year, previous.month)

    @property
    def period(self) -> Period:
        return Period.month_of(date(self.year, self.month, 1))

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{MONTHS[self.month - 1]} {self.year}"


@dataclass(frozen=True)
class Complaint:
    """One complaint as the reports read it: what it is about, where it went and when; never who filed it."""

    ticket_id: int
    number: str
    received_at: datetime
    kecamatan_code: str | None
    category: str | None
    complaint_class: str | None
    unit: str | None
    referral: str | None
    status: ComplaintStatus
    first_response_at: datetime | None
    answered_at: datetime | None
    answer_due_at: datetime | None  # the deadline the answer was measured against
    working_days_to_answer: float | None
    tracking_number: str | None  # SP4N-LAPOR!

    @property
    def on_time(self) -> bool | None:
        """Whether the answer went out by its deadline (None: not answered); no deadline is never late."""
        if self.answered_at is None:
            return None
        return self.answer_due_at is None or self.answered_at <= self.answer_due_at

    @property
    def destination(self) -> str | None:
        """Where the complaint went: the agency it was referred to, else the unit."""
        return self.referral or self.unit


def received_in(session: Session, definition: Definition, period: Period) -> list[Complaint]:
    """The complaints received in the period, oldest first."""
    return _complaints(session, definition, _received(period))


def answered_in(session: Session, definition: Definition, period: Period) -> list[Complaint]:
    """The complaints whose (first) answer went out in the period."""
    start, end = period.bounds()
    verdict = definition.stage_for(StageDuty.CITIZEN_VERDICT).key
    answers = select(StageEvent.ticket_id).where(
        StageEvent.to_stage == verdict, col(StageEvent.created_at) >= start, col(StageEvent.created_at) < end)
    found = _complaints(session, definition, col(Ticket.id).in_(answers))
    return [c for c in found if c.answered_at is not None and start <= c.answered_at < end]


def categories_received(session: Session, definition: Definition, period: Period) -> Counter[str | None]:
    """How many complaints of each category were received in the period (None: not yet triaged)."""
    rows = session.execute(select(Ticket.outputs).where(Ticket.workflow == definition.key, _received(period))).scalars()
    return Counter(value_of(definition, outputs or {}, OutputMeaning.CATEGORY) for outputs in rows)


def _received(period: Period) -> ColumnElement[bool]:
    start, end = period.bounds()
    return (col(Ticket.created_at) >= start) & (col(Ticket.created_at) < end)


def _complaints(session: Session, definition: Definition, where: ColumnElement[bool]) -> list[Complaint]:
    tickets = session.execute(
        select(Ticket.id, Ticket.number, Ticket.created_at, Ticket.kecamatan_code, Ticket.stage, Ticket.outputs)
        .where(Ticket.workflow == definition.key, where).order_by(Ticket.created_at, Ticket.id)
    ).all()
    ids = [t.id for t in tickets]
    history: dict[int, list[Any]] = defaultdict(list)
    tracking: dict[int, str] = {}
    for chunk in _chunks(ids, 500):
        for event in session.execute(
            select(StageEvent.ticket_id, StageEvent.from_stage, StageEvent.to_stage, StageEvent.data,
                   StageEvent.created_at)
            .where(col(StageEvent.ticket_id).in_(chunk))
            .order_by(StageEvent.ticket_id, StageEvent.created_at, StageEvent.id)
        ):
            if event.from_stage != event.to_stage:  # claiming and releasing move nothing
                history[event.ticket_id].append(event)
        tracking.update(session.execute(
            select(LaporRecord.ticket_id, LaporRecord.tracking_number).where(col(LaporRecord.ticket_id).in_(chunk))
        ).all())
    reader = _Reader(definition)
    return [reader.complaint(t, history[t.id], tracking.get(t.id)) for t in tickets]


class _Reader:
    """Reads a complaint's outputs and history through the meanings and duties its SOP declares."""

    def __init__(self, definition: Definition) -> None:
        self.definition = definition
        self.answer = definition.stage_for(StageDuty.ANSWER).key
        self.verdict = definition.stage_for(StageDuty.CITIZEN_VERDICT).key
        self.dismissed = definition.rejected_stage.key if definition.rejected_stage else None
        self.done = definition.done_stage.key

    def complaint(self, ticket: Any, events: Sequence[Any], tracking_number: str | None) -> Complaint:
        outputs = ticket.outputs or {}
        value = functools.partial(value_of, self.definition, outputs)
        first_response, answered, due = self._history(outputs, events)
        return Complaint(
            ticket_id=ticket.id, number=ticket.number, received_at=ticket.created_at,
            kecamatan_code=ticket.kecamatan_code, category=value(OutputMeaning.CATEGORY),
            complaint_class=value(OutputMeaning.COMPLAINT_CLASS), unit=value(OutputMeaning.UNIT),
            referral=value(OutputMeaning.REFERRAL), status=self._status(ticket.stage, value(OutputMeaning.REFERRAL)),
            first_response_at=first_response, answered_at=answered, answer_due_at=due,
            working_days_to_answer=None if answered is None else
            working_time_between(ticket.created_at, answered) / WORKING_DAY,
            tracking_number=tracking_number,
        )

    def _status(self, stage: str, referral: str | None) -> ComplaintStatus:
        """Dismissed, else referred (wherever it stands), else closed, answered or still open."""
        if stage == self.dismissed:
            return ComplaintStatus.DISMISSED
        if referral:
            return ComplaintStatus.REFERRED
        if stage == self.done:
            return ComplaintStatus.CLOSED
        if stage == self.verdict:
            return ComplaintStatus.ANSWERED
        return ComplaintStatus.OPEN

    def _history(self, outputs: dict[str, Any], events: Sequence[Any]
                 ) -> tuple[datetime | None, datetime | None, datetime | None]:
        """(first response, first answer, the deadline that answer had), replaying the SLA clock's rule:
        a group's deadline runs from entering the group, a stage's own from entering the stage, its length
        from the outputs given by then (values no stage event carries were the ticket's from the start)."""
        first_response = answered = due = None
        given: dict[str, Any] = {}
        given_at_entry: dict[str, Any] = {}
        stage: str | None = None
        entered = started = datetime.min
        for event in events:
            if stage is not None and event.to_stage == self.verdict and answered is None:
                answered = event.created_at
                due = due_at(self.definition, stage, entered, started, outputs={**outputs, **given_at_entry})
            if first_response is None and event.to_stage in (self.answer, self.dismissed):
                first_response = event.created_at
            given.update(event.data or {})
            group = self.definition.sla_group_for(event.to_stage)
            if stage is None or group is None or group != self.definition.sla_group_for(stage):
                started = event.created_at
            stage, entered, given_at_entry = event.to_stage, event.created_at, dict(given)
        return first_response, answered, due


def _chunks(values: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


@dataclass(frozen=True)
class Row:
    """One line of a recap table: complaints received, how many of them are answered, how many on time."""

    label: str
    received: int
    answered: int = 0
    on_time: int = 0


@dataclass(frozen=True)
class Table:
    """One table of the recap: the complaints counted per category, unit, kecamatan or status."""

    key: str
    title: str
    heading: str  # what the first column names
    rows: tuple[Row, ...]
    answers: bool = True  # whether the answered and on-time columns belong to the table

    @property
    def total(self) -> Row:
        """The Jumlah line."""
        return Row("Jumlah", sum(r.received for r in self.rows), sum(r.answered for r in self.rows),
                   sum(r.on_time for r in self.rows))


@dataclass(frozen=True)
class Figure:
    """One number of the recap's summary, with how people read it and how a spreadsheet formats it."""

    label: str
    value: float | None
    text: str
    number_format: str


@dataclass(frozen=True)
class Recap:
    """A month's complaints counted every way the SP4N-LAPOR! and Ombudsman reports ask for."""

    month: Month
    sop_name: str
    made_at: datetime
    complaints: tuple[Complaint, ...]
    tables: tuple[Table, ...]
    deadlines: tuple[tuple[str, float], ...]  # (complaint class, working days to answer) as the SOP sets them

    @property
    def figures(self) -> tuple[Figure, ...]:
        """The summary: received, answered, on time, the on-time share and the median days to answer."""
        total, share, median = self.total, self.on_time_share, self.median_days
        return (
            Figure("Pengaduan diterima", total.received, number(total.received), "0"),
            Figure("Sudah dijawab", total.answered, number(total.answered), "0"),
            Figure("Dijawab tepat waktu", total.on_time, number(total.on_time), "0"),
            Figure("Persentase dijawab tepat waktu (dari yang sudah dijawab)", share, percent(share), "0.0%"),
            Figure("Median lama menjawab (hari kerja, dari diterima sampai jawaban terkirim)", median,
                   "–" if median is None else f"{number(median, 1)} hari kerja", "0.0"),
        )

    @property
    def total(self) -> Row:
        """Complaints received, answered and answered on time."""
        return _row("Jumlah", self.complaints)

    @property
    def on_time_share(self) -> float | None:
        """Answered on time over answered, 0-1; None when nothing was answered."""
        return self.total.on_time / self.total.answered if self.total.answered else None

    @property
    def median_days(self) -> float | None:
        """Median working days from receipt to answer, over the answered complaints."""
        days = [c.working_days_to_answer for c in self.complaints if c.working_days_to_answer is not None]
        return statistics.median(days) if days else None


def build_recap(session: Session, definition: Definition, month: Month, now: datetime) -> Recap:
    """The recap of the complaints received in this month, their statuses as they are at `now`."""
    complaints = tuple(received_in(session, definition, month.period))
    category = definition.output_meaning(OutputMeaning.CATEGORY)
    unit = definition.output_meaning(OutputMeaning.UNIT)
    kecamatan = sorted(KECAMATAN, key=lambda k: (-sum(c.kecamatan_code == k.code for c in complaints), k.name))
    tables = (
        Table("kategori", "Per kategori pengaduan", "Kategori",
              _rows(complaints, lambda c: c.category, category.options if category else (), NO_CATEGORY)),
        Table("unit", "Per unit yang menangani", "Unit", _rows(complaints, lambda c: c.unit,
                                                               unit.options if unit else (), NO_UNIT)),
        Table("kecamatan", "Per kecamatan", "Kecamatan",
              _rows(complaints, lambda c: _kecamatan_name(c.kecamatan_code), [k.name for k in kecamatan],
                    NO_KECAMATAN, keep_missing=True), answers=False),
        Table("status", "Per status", "Status",
              _rows(complaints, lambda c: c.status.label, [s.label for s in STATUS_ORDER], ""), answers=False),
    )
    return Recap(month, definition.name, now, complaints, tables, answer_deadlines(definition))


def answer_deadlines(definition: Definition) -> tuple[tuple[str, float], ...]:
    """(complaint class, working days) of the answer's deadline; one ("", days) line when no output picks it."""
    answer = definition.stage_for(StageDuty.ANSWER)
    group = definition.sla_group_for(answer.key)
    if group is None:
        return (("", answer.sla / WORKING_DAY),) if answer.sla else ()
    if group.durations:
        return tuple((option, duration / WORKING_DAY) for option, duration in group.durations)
    return (("", group.duration / WORKING_DAY),)


def _rows(complaints: Sequence[Complaint], value: Callable[[Complaint], str | None], options: Iterable[str],
          missing: str, *, keep_missing: bool = False) -> tuple[Row, ...]:
    """A row per option (in the SOP's order, zeros too), then values outside the options, then the unfilled."""
    groups: dict[str | None, list[Complaint]] = {option: [] for option in options}
    for complaint in complaints:
        groups.setdefault(value(complaint), []).append(complaint)
    unfilled = groups.pop(None, [])
    rows = [_row(label, found) for label, found in groups.items() if label is not None]
    if unfilled or keep_missing:
        rows.append(_row(missing, unfilled))
    return tuple(rows)


def _row(label: str, complaints: Sequence[Complaint]) -> Row:
    return Row(label, len(complaints), sum(c.answered_at is not None for c in complaints),
               sum(bool(c.on_time) for c in complaints))


def _kecamatan_name(code: str | None) -> str | None:
    return None if code is None else (BY_CODE[code].name if code in BY_CODE else code)
