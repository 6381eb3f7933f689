"""The work queue: which tickets a role sees, most urgent first or in the order of a column the user
chose, one keyset page at a time."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, or_, union_all
from sqlmodel import Session, col, select

from tickets.due_today import due_today_ends
from layanan.ids import parse_id
from layanan.phone import InvalidPhone, normalize_phone
from tickets.constants import Service
from tickets.kecamatan import KECAMATAN
from tickets.models import Applicant, StageEvent, Ticket

PAGE_SIZE = 50
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NUMBER_RE = re.compile(r"^(PGD)-?(\d{4})-?(\d{1,6})$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s.\-]")


@dataclass(frozen=True)
class QueueScope:
    """The tickets a queue may list at all, before the user's filters."""

    stages: tuple[str, ...]
    # Tickets waiting for the citizen that will come back to one of these stages.
    resumes_to: tuple[str, ...] = ()
    waiting_stages: tuple[str, ...] = ()
    # UPT: only tickets of this kecamatan.
    kecamatan_code: str | None = None
    # A role without stages of its own looks tickets up; counting every stage for it is costly and idle.
    lookup_only: bool = False
    # Village staff: only the tickets this staff member submitted.
    submitted_by: int | None = None
    # The SOPs in which the account may know who filed a confidential ticket. Elsewhere a search by NIK
    # or number never finds one: the match alone would tell who filed it.
    identity_in: tuple[str, ...] = ()

    @property
    def visible_stages(self) -> tuple[str, ...]:
        """Every stage a ticket of this queue can be in."""
        waiting = self.waiting_stages if self.resumes_to else ()
        return self.stages + waiting

    def is_waiting(self, stage: str) -> bool:
        """Whether a ticket of this queue in this stage waits for the citizen."""
        return stage in self.waiting_stages


class SearchKind(StrEnum):
    NUMBER = "number"
    NIK = "nik"
    PHONE = "phone"


@dataclass(frozen=True)
class SearchTerm:
    kind: SearchKind
    value: str


@dataclass(frozen=True)
class QueueFilters:
    """What the user narrowed the queue to."""

    stage: str | None = None
    kecamatan: str | None = None
    service: str | None = None
    overdue: bool = False
    search: SearchTerm | None = None
    sla: SlaState | None = None  # on time, due today or overdue (the dashboard's traffic lights link here)


class SortKey(StrEnum):
    """The columns a queue can be ordered by; the values are what the URL carries (`urut=`)."""

    DUE = "batas"  # the deadline: the default, most urgent first
    RECEIVED = "diterima"  # when the ticket was created
    NUMBER = "nomor"
    KECAMATAN = "kecamatan"  # by the kecamatan's name
    SERVICE = "layanan"  # by the service's label


@dataclass(frozen=True)
class QueueSort:
    """A column and a direction. Rows without a value (no deadline, no kecamatan) come last either way."""

    key: SortKey = SortKey.DUE
    descending: bool = False

    @classmethod
    def parse(cls, key: str | None, direction: str | None) -> QueueSort:
        """The sort named in the URL (`urut`, `arah=turun`); the default for anything else."""
        try:
            return cls(SortKey(key or SortKey.DUE), direction == "turun")
        except ValueError:
            return cls()

    @property
    def is_default(self) -> bool:
        """Whether this is the queue's own order (most urgent first)."""
        return self == QueueSort()

    def args(self) -> dict[str, str]:
        """The URL arguments that name this sort (none for the default)."""
        if self.is_default:
            return {}
        return {"urut": str(self.key), **({"arah": "turun"} if self.descending else {})}


def _rank(values: list[str]) -> dict[str, int]:
    return {value: rank for rank, value in enumerate(values)}


# Kecamatan and services sort by the name people read, not by their code: a rank per name order.
_KECAMATAN_RANK = _rank([k.code for k in sorted(KECAMATAN, key=lambda k: k.name)])
_SERVICE_RANK = _rank([s.value for s in sorted(Service, key=lambda s: s.label)])


def _sort_column(key: SortKey) -> Any:
    """The SQL expression the rows are ordered by for this column."""
    if key is SortKey.DUE:
        return col(Ticket.due_at)
    if key is SortKey.RECEIVED:
        return col(Ticket.created_at)
    if key is SortKey.NUMBER:
        return col(Ticket.number)
    if key is SortKey.KECAMATAN:
        return case(_KECAMATAN_RANK, value=col(Ticket.kecamatan_code), else_=None)
    return case(_SERVICE_RANK, value=col(Ticket.service), else_=None)


def _sort_value(key: SortKey, ticket: Ticket) -> datetime | int | str | None:
    """The value of the sort column for one ticket, as the cursor keeps it."""
    if key is SortKey.DUE:
        return ticket.due_at
    if key is SortKey.RECEIVED:
        return ticket.created_at
    if key is SortKey.NUMBER:
        return ticket.number
    if key is SortKey.KECAMATAN:
        return _KECAMATAN_RANK.get(ticket.kecamatan_code or "")
    return _SERVICE_RANK.get(ticket.service)


_VALUE_TYPES: dict[SortKey, type] = {SortKey.DUE: datetime, SortKey.RECEIVED: datetime, SortKey.NUMBER: str,
                                     SortKey.KECAMATAN: int, SortKey.SERVICE: int}


@dataclass(frozen=True)
class Cursor:
    """The position after the last row shown: the value of its sort column (None: no value) and its id."""

    value: datetime | int | str | None
    id: int

    def encode(self) -> str:
        """A URL-safe token: `1767225600000000_42` for a time, `r3_42` for a rank, `s<base64>_42` for a
        number, `n_42` for a row without a value."""
        value = self.value
        if value is None:
            head = "n"
        elif isinstance(value, datetime):
            head = str((value - _EPOCH) // timedelta(microseconds=1))
        elif isinstance(value, int):
            head = f"r{value}"
        else:
            head = "s" + base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")
        return f"{head}_{self.id}"

    @classmethod
    def decode(cls, token: str | None) -> Cursor | None:
        """The cursor in a token; None (the first page) for a missing or malformed one."""
        if not token:
            return None
        head, _, ident = token.rpartition("_")
        row_id = parse_id(ident)
        if row_id is None or not head:
            return None
        value: datetime | int | str | None
        if head == "n":
            value = None
        elif re.fullmatch(r"[0-9]{1,18}", head):
            try:
                value = _EPOCH + timedelta(microseconds=int(head))
            except OverflowError:  # past the year 9999
                return None
        elif re.fullmatch(r"r[0-9]{1,4}", head):
            value = int(head[1:])
        elif re.fullmatch(r"s[A-Za-z0-9_-]{1,60}", head):
            try:
                value = base64.urlsafe_b64decode(head[1:] + "=" * (-len(head[1:]) % 4)).decode()
            except (binascii.Error, UnicodeDecodeError, ValueError):
                return None
        else:
            return None
        return cls(value, row_id)

    def fits(self, sort: QueueSort) -> bool:
        """Whether this cursor was written for a queue in this order (a pasted one may not be)."""
        return self.value is None or isinstance(self.value, _VALUE_TYPES[sort.key])


class SlaState(StrEnum):
    """Where a ticket stands against its deadline, as the queue's chip shows it."""

    ON_TIME = "on-time"
    DUE_TODAY = "due-today"
    OVERDUE = "overdue"
    NONE = "none"


def sla_state(due_at: datetime | None, now: datetime) -> SlaState:
    """Overdue once the deadline passed; due today when it falls within the WIB working day in play."""
    if due_at is None:
        return SlaState.NONE
    if due_at < now:
        return SlaState.OVERDUE
    return SlaState.DUE_TODAY if due_at < due_today_ends(now) else SlaState.ON_TIME


def sla_condition(state: SlaState, now: datetime) -> ColumnElement[bool]:
    """sla_state's rule in SQL, for filters and counts."""
    due = col(Ticket.due_at)
    if state is SlaState.NONE:
        return due.is_(None)
    if state is SlaState.OVERDUE:
        return due < now
    ends = due_today_ends(now)
    return and_(due >= now, due < ends) if state is SlaState.DUE_TODAY else due >= ends


@dataclass(frozen=True)
class QueueRow:
    ticket: Ticket
    applicant: Applicant

    def is_overdue(self, now: datetime) -> bool:
        """Whether the ticket's deadline has passed."""
        return self.ticket.due_at is not None and self.ticket.due_at < now

    def sla(self, now: datetime) -> SlaState:
        """The ticket's deadline state for the queue's chip."""
        return sla_state(self.ticket.due_at, now)


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    next_cursor: Cursor | None


@dataclass(frozen=True)
class StageCount:
    total: int
    overdue: int


def parse_search(text: str | None) -> SearchTerm | None:
    """Read a search box: a ticket number, a 16-digit NIK or a mobile number; None if it is none of them."""
    raw = (text or "").strip()
    if not raw:
        return None
    number = _NUMBER_RE.match(raw.replace(" ", ""))
    if number:
        prefix, year, seq = number.groups()
        return SearchTerm(SearchKind.NUMBER, f"{prefix.upper()}-{year}-{int(seq):06d}")
    digits = _SEPARATORS.sub("", raw)
    if re.fullmatch(r"[0-9]{16}", digits, flags=re.ASCII):
        return SearchTerm(SearchKind.NIK, digits)
    try:
        return SearchTerm(SearchKind.PHONE, normalize_phone(raw))
    except InvalidPhone:
        return None


def queue_page(
    session: Session,
    scope: QueueScope,
    filters: QueueFilters,
    *,
    now: datetime,
    after: Cursor | None = None,
    limit: int = PAGE_SIZE,
    sort: QueueSort = QueueSort(),
) -> QueuePage:
    """One page of the queue in the sort's order (by default due_at, no deadline last), then id, starting
    after the cursor."""
    query = (
        select(Ticket, Applicant)
        .join(Applicant, col(Applicant.id) == col(Ticket.applicant_id))
        .where(*_filtered(filters, now))
    )
    if filters.search is not None:
        # A search matches a handful of rows through its own index; no need to walk the queue order.
        query = query.where(_in_scope(scope), *_searchable(scope, filters.search))
        if after is not None:
            query = query.where(_after(after, sort))
    else:
        query = query.where(col(Ticket.id).in_(_first_ids_per_branch(scope, filters, now, after, limit + 1, sort)))
    query = query.order_by(*_order(sort)).limit(limit + 1)
    rows = [QueueRow(ticket, applicant) for ticket, applicant in session.exec(query).all()]
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1].ticket if rows else None
    next_cursor = Cursor(_sort_value(sort.key, last), int(last.id or 0)) if more and last is not None else None
    return QueuePage(rows=rows, next_cursor=next_cursor)


def _order(sort: QueueSort) -> list[Any]:
    """ORDER BY of a sort: the column (rows without a value last), then id in the same direction."""
    column, ident = _sort_column(sort.key), col(Ticket.id)
    if sort.descending:
        return [column.desc().nulls_last(), ident.desc()]
    return [column.asc().nulls_last(), ident.asc()]


def _first_ids_per_branch(scope: QueueScope, filters: QueueFilters, now: datetime, after: Cursor | None,
                          limit: int, sort: QueueSort = QueueSort()) -> Any:
    """The first `limit` ticket ids of each stage of the scope (and of its waiting tickets), in queue order.

    One OR over all stages makes the database walk the whole due_at order and discard most rows (seconds
    at a million tickets); one branch per stage reads the (stage, due_at, id) index in order and stops
    after `limit` rows, so the page costs a few index reads per stage. Another sort order takes the first
    `limit` rows of each branch in that order, which still holds every row of the page.
    """
    branches = [col(Ticket.stage) == stage for stage in scope.stages]
    if scope.resumes_to:
        branches += [and_(col(Ticket.stage) == waiting, col(Ticket.return_stage).in_(scope.resumes_to))
                     for waiting in scope.waiting_stages]
    if not branches:
        branches = [false()]
    common = _filtered(filters, now) + _narrowed(scope)
    if after is not None:
        common.append(_after(after, sort))
    subqueries = [
        select(col(Ticket.id)).where(branch, *common).order_by(*_order(sort)).limit(limit).subquery()
        for branch in branches
    ]
    return union_all(*[select(sub.c.id) for sub in subqueries])


def stage_counts(session: Session, scope: QueueScope, *, now: datetime) -> dict[str, StageCount]:
    """How many tickets of the scope sit in each stage, and how many of them are overdue: one GROUP BY."""
    overdue = func.sum(case((col(Ticket.due_at) < now, 1), else_=0))
    query = (
        select(col(Ticket.stage), func.count(), overdue)
        .where(_in_scope(scope))
        .group_by(col(Ticket.stage))
    )
    return {stage: StageCount(int(total), int(late or 0)) for stage, total, late in session.exec(query).all()}


def _in_scope(scope: QueueScope) -> ColumnElement[bool]:
    parts: list[ColumnElement[bool]] = []
    if scope.stages:
        parts.append(col(Ticket.stage).in_(scope.stages))
    if scope.resumes_to:
        parts += [and_(col(Ticket.stage) == waiting, col(Ticket.return_stage).in_(scope.resumes_to))
                  for waiting in scope.waiting_stages]
    if not parts:
        return false()
    return and_(or_(*parts), *_narrowed(scope))


def _narrowed(scope: QueueScope) -> list[ColumnElement[bool]]:
    """What limits a queue beyond its stages: the UPT's kecamatan, the village operator's own submissions."""
    conditions: list[ColumnElement[bool]] = []
    if scope.kecamatan_code is not None:
        conditions.append(col(Ticket.kecamatan_code) == scope.kecamatan_code)
    if scope.submitted_by is not None:
        created = select(col(StageEvent.ticket_id)).where(col(StageEvent.action) == "create",
                                                          col(StageEvent.actor_id) == scope.submitted_by)
        conditions.append(col(Ticket.id).in_(created))
    return conditions


def _searchable(scope: QueueScope, term: SearchTerm) -> list[ColumnElement[bool]]:
    """What a search by who the citizen is may find: no confidential ticket whose filer the account may not know."""
    if term.kind is SearchKind.NUMBER:
        return []  # a ticket number says nothing of its filer
    return [or_(col(Ticket.confidential).is_(False), col(Ticket.workflow).in_(scope.identity_in))]


def _filtered(filters: QueueFilters, now: datetime) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.stage:
        conditions.append(col(Ticket.stage) == filters.stage)
    if filters.kecamatan:
        conditions.append(col(Ticket.kecamatan_code) == filters.kecamatan)
    if filters.service:
        conditions.append(col(Ticket.service) == filters.service)
    if filters.overdue:
        conditions.append(col(Ticket.due_at) < now)
    if filters.sla is not None:
        conditions.append(sla_condition(filters.sla, now))
    term = filters.search
    if term is not None:
        if term.kind is SearchKind.NUMBER:
            conditions.append(col(Ticket.number) == term.value)
        elif term.kind is SearchKind.NIK:
            conditions.append(col(Applicant.nik) == term.value)
        else:
            conditions.append(col(Applicant.phone) == term.value)
    return conditions


def _after(cursor: Cursor, sort: QueueSort = QueueSort()) -> ColumnElement[bool]:
    """Rows after the cursor in the sort's order (no value last, then id), as a keyset condition instead
    of OFFSET."""
    column, ident = _sort_column(sort.key), col(Ticket.id)
    later_id = ident < cursor.id if sort.descending else ident > cursor.id
    if cursor.value is None:
        return and_(column.is_(None), later_id)
    later = column < cursor.value if sort.descending else column > cursor.value
    return or_(later, and_(column == cursor.value, later_id), column.is_(None))
