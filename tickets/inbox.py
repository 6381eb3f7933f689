"""Each staff member's inbox: what waits for them, gathered from sources the core and the features register.

A source answers `find(session, account, since) -> InboxQuery | None` (None: the account has no part in it):
a SELECT of its items with the columns that name each one (`ref`) and say when it arrived (`at`). The core
adds "unread" (arrived after the account last cleared the inbox, not marked read since it arrived) and either
counts the rows in the database (the badge on every page: one COUNT per source, once per request) or loads
the newest (the inbox page). The core's own sources are the work that arrived in the account's stages, the
tickets overdue in the section it supervises and the notices addressed to its roles; features add theirs
(berita acara and documents to sign, citizens waiting for a person) from their init_app.

Items never show a NIK, and a confidential ticket shows its pseudonym: the inbox is a list, like the queue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, current_app, g, url_for
from flask_login import current_user
from sqlalchemy import String, and_, cast, delete, exists, func, not_, or_
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel import Session, col, select

from layanan.clock import utcnow
from routing import definitions, workflow
from routing.definition import RoleDuty
from tickets.access import queue_scope
from tickets.constants import Service
from tickets.inbox_models import InboxRead, InboxState
from tickets.models import Applicant, StaffNotification, Ticket
from tickets.privacy import pseudonym
from tickets.staff import StaffUser

EXTENSION = "inbox_sources"
WORK, OVERDUE, NOTICE = "work", "overdue", "notice"
OVERDUE_NOTICE = "overdue"  # tickets.sla_jobs' notices: the overdue source shows those tickets live instead
# Work that arrived longer ago than this is the queue's business, not news.
WORK_LOOKBACK = timedelta(days=30)
PAGE_ITEMS = 50  # newest items listed per kind
BADGE_CAP = 99  # the badge shows "99+" beyond this
GROUP_CAP = 999  # a group's heading shows "999+" beyond this


@dataclass(frozen=True)
class InboxItem:
    """One thing waiting for a staff member, as the inbox lists it."""

    kind: str
    ref: str  # names the item within its kind, for "mark read"
    at: datetime  # when it arrived
    title: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class InboxQuery:
    """A source's items for one account: the statement, its reference and arrival columns, and how a row reads."""

    statement: Select[Any]
    ref: ColumnElement[Any]
    at: ColumnElement[Any]
    item: Callable[[Any], InboxItem]


Finder = Callable[[Session, StaffUser, datetime], InboxQuery | None]


@dataclass(frozen=True)
class InboxSource:
    kind: str
    label: str  # the heading of its group on the inbox page
    find: Finder
    # The stages whose tickets this source reports itself, kept out of "work arrived" so nothing counts twice.
    takes_stages: Callable[[], Iterable[str]] = field(default=lambda: ())


def init_app(app: Flask) -> None:
    """Give the app the core's sources; features add theirs with `register_inbox_source`. Templates get
    `inbox_unread()`, the badge's count for the logged-in account."""
    app.extensions[EXTENSION] = {}
    register_inbox_source(app, WORK, "Pekerjaan baru di tahap Anda", _work_arrived)
    register_inbox_source(app, OVERDUE, "Tiket lewat mutu baku di seksi Anda", _overdue_in_section)
    register_inbox_source(app, NOTICE, "Pemberitahuan", _notices)
    app.context_processor(lambda: {"inbox_unread": _badge})


def register_inbox_source(app: Flask, kind: str, label: str, find: Finder, *,
                          takes_stages: Callable[[], Iterable[str]] | None = None) -> None:
    """Add a kind of inbox item; its group is listed after those registered before it."""
    sources: dict[str, InboxSource] = app.extensions[EXTENSION]
    if kind in sources:
        raise ValueError(f"inbox items of kind {kind!r} already have a source")
    sources[kind] = InboxSource(kind, label, find, takes_stages or (lambda: ()))


def sources() -> tuple[InboxSource, ...]:
    """Every registered source, in registration order."""
    return tuple(current_app.extensions[EXTENSION].values())


def since_for(session: Session, account: StaffUser) -> datetime:
    """Items that arrived before this moment are read: when the account last cleared its inbox."""
    state = session.get(InboxState, account.id)
    return state.cleared_at if state and state.cleared_at else datetime(1970, 1, 1, tzinfo=UTC)


def unread_counts(session: Session, account: StaffUser, cap: int = BADGE_CAP) -> dict[str, int]:
    """The unread items of each kind, counted in the database: one COUNT per source that concerns the account,
    of at most cap + 1 rows (a badge says "99+" beyond that, so no page counts thousands of rows)."""
    since = since_for(session, account)
    counts = {}
    for source in sources():
        query = source.find(session, account, since)
        if query is not None:
            counts[source.kind] = _count(session, _unread(source.kind, query, account, since), cap)
    return counts


def _count(session: Session, statement: Select[Any], cap: int) -> int:
    """The rows of the statement, counting no further than cap + 1."""
    limited = statement.order_by(None).limit(cap + 1).subquery()
    return int(session.scalar(select(func.count()).select_from(limited)) or 0)


def open_counts(session: Session, account: StaffUser) -> dict[str, int]:
    """What waits for the account of each kind, read or not (the daily digest's counts)."""
    counts = {}
    for source in sources():
        if source.kind == WORK:
            continue  # news, not a state: the digest counts the stages instead
        query = source.find(session, account, datetime(1970, 1, 1, tzinfo=UTC))
        if query is not None:
            statement = query.statement.order_by(None).subquery()
            counts[source.kind] = int(session.scalar(select(func.count()).select_from(statement)) or 0)
    return counts


@dataclass(frozen=True)
class InboxGroup:
    kind: str
    label: str
    items: list[InboxItem]
    unread: int  # counted up to GROUP_CAP + 1

    @property
    def unread_shown(self) -> str:
        """The group's count as its heading shows it."""
        return f"{GROUP_CAP}+" if self.unread > GROUP_CAP else str(self.unread)


def unread_groups(session: Session, account: StaffUser) -> list[InboxGroup]:
    """The unread items, newest first, grouped by kind in registration order (kinds with none left out)."""
    since = since_for(session, account)
    groups = []
    for source in sources():
        query = source.find(session, account, since)
        if query is None:
            continue
        unread = _unread(source.kind, query, account, since)
        total = _count(session, unread, GROUP_CAP)
        if total:
            rows = session.execute(unread.order_by(query.at.desc()).limit(PAGE_ITEMS)).all()
            groups.append(InboxGroup(source.kind, source.label, [query.item(row) for row in rows], total))
    return groups


def mark_read(session: Session, account: StaffUser, kind: str, ref: str) -> None:
    """Mark one item read (it comes back if it arrives again later); commits."""
    now = utcnow()
    found = session.exec(select(InboxRead).where(InboxRead.staff_id == account.id, InboxRead.kind == kind,
                                                 InboxRead.ref == ref[:60])).first()
    if found is None:
        found = InboxRead(staff_id=int(account.id or 0), kind=kind[:30], ref=ref[:60], read_at=now)
    found.read_at = now
    session.add(found)
    try:
        session.commit()
    except IntegrityError:  # marked at the same moment from another tab: that mark stands
        session.rollback()


def mark_all_read(session: Session, account: StaffUser) -> None:
    """Everything that arrived until now is read; the single marks are no longer needed. Commits."""
    state = _state(session, account)
    state.cleared_at = utcnow()
    session.add(state)
    session.execute(delete(InboxRead).where(col(InboxRead.staff_id) == account.id))
    session.commit()


def opened(session: Session, account: StaffUser) -> datetime | None:
    """Record that the account opens its inbox now; returns when it opened it before (items after are new)."""
    state = _state(session, account)
    before, state.opened_at = state.opened_at, utcnow()
    session.add(state)
    session.commit()
    return before


def _state(session: Session, account: StaffUser) -> InboxState:
    state = session.get(InboxState, account.id)
    return state or InboxState(staff_id=int(account.id or 0))


def _unread(kind: str, query: InboxQuery, account: StaffUser, since: datetime) -> Select[Any]:
    marked = exists().where(col(InboxRead.staff_id) == account.id, col(InboxRead.kind) == kind,
                            col(InboxRead.ref) == cast(query.ref, String), col(InboxRead.read_at) >= query.at)
    return query.statement.where(query.at > since, not_(marked))


def _badge() -> int | str:
    """The number on the inbox badge: every unread item of the logged-in account, counted once per request
    ("99+" beyond BADGE_CAP)."""
    if not current_user.is_authenticated:
        return 0
    if "inbox_unread" not in g:
        from layanan import db

        session = db.session()
        try:
            g.inbox_unread = sum(unread_counts(session, current_user._get_current_object()).values())
        except SQLAlchemyError:  # the page (an error page, maybe) still shows, without the count
            session.rollback()
            g.inbox_unread = 0
    total = int(g.inbox_unread)
    return f"{BADGE_CAP}+" if total > BADGE_CAP else total


# The core's sources.

def _shown_as(row: Any) -> str:
    """Who the ticket is about, as a list may show it: a confidential filer by the pseudonym only."""
    return pseudonym(row.number) if row.confidential else (row.name or "-")


def _service(value: str) -> str:
    try:
        return Service(value).label
    except ValueError:
        return value


def _ticket_columns() -> tuple[Any, ...]:
    return (col(Ticket.id), col(Ticket.number), col(Ticket.stage), col(Ticket.workflow), col(Ticket.service),
            col(Ticket.confidential), col(Ticket.stage_entered_at), col(Ticket.due_at), col(Applicant.name))


def taken_stages() -> set[str]:
    """The stages other sources report themselves."""
    return {key for source in sources() for key in source.takes_stages()}


def _work_arrived(session: Session, account: StaffUser, since: datetime) -> InboxQuery | None:
    """Tickets that entered a stage of one of the account's roles since it last cleared the inbox (and since the
    account exists), still there and not held by someone else; a UPT account only its own kecamatan's."""
    skip = taken_stages()
    anywhere: dict[str, None] = {}  # stages of roles not tied to a kecamatan: one IN list for all of them
    branches = []
    for role in dict.fromkeys(account.roles):
        scope = queue_scope(account, role)
        stages = [s for s in scope.stages if s not in skip]
        if scope.lookup_only or scope.submitted_by is not None or not stages:
            continue
        if scope.kecamatan_code:
            branches.append(and_(col(Ticket.stage).in_(stages), col(Ticket.kecamatan_code) == scope.kecamatan_code))
        else:
            anywhere.update(dict.fromkeys(stages))
    if anywhere:
        branches.append(col(Ticket.stage).in_(list(anywhere)))
    if not branches:
        return None
    floor = max(since, account.created_at, utcnow() - WORK_LOOKBACK)
    statement = (select(*_ticket_columns()).join(Applicant, col(Applicant.id) == col(Ticket.applicant_id))
                 .where(or_(*branches), col(Ticket.stage_entered_at) > floor,
                        or_(col(Ticket.claimed_by_id).is_(None), col(Ticket.claimed_by_id) == account.id)))

    def work(row: Any) -> InboxItem:
        stage = workflow(row.workflow).stage(row.stage)
        return InboxItem(WORK, str(row.id), row.stage_entered_at, f"{row.number} masuk tahap {stage.name}",
                         url_for("backoffice.ticket_detail", number=row.number),
                         f"{_shown_as(row)} · {_service(row.service)}")

    return InboxQuery(statement, col(Ticket.id), col(Ticket.stage_entered_at), work)


def section_stages(account: StaffUser) -> dict[str, list[str]]:
    """Per SOP the account supervises (its `supervise` duty), the work stages of its section: those whose
    overdue tickets go to one of its roles as section head, or every stage when it heads none (a Kabid, the
    Kepala Dinas)."""
    found = {}
    for definition in definitions():
        if not definition.has_duty(RoleDuty.SUPERVISE) or not account.has_role(
                *definition.roles_for(RoleDuty.SUPERVISE)):
            continue
        chain = [s.key for s in definition.chain]
        headed = [key for key in chain if definition.section_head_for(key) in account.roles]
        found[definition.key] = headed or chain
    return found


def _overdue_in_section(session: Session, account: StaffUser, since: datetime) -> InboxQuery | None:
    """Tickets past their mutu baku in a stage of the account's section, until they move on."""
    sections = section_stages(account)
    if not sections:
        return None
    branches = [and_(col(Ticket.workflow) == key, col(Ticket.stage).in_(stages)) for key, stages in sections.items()]
    statement = (select(*_ticket_columns()).join(Applicant, col(Applicant.id) == col(Ticket.applicant_id))
                 # due_at before now: the deadline index finds the few late tickets without reading the rest
                 .where(col(Ticket.overdue).is_(True), col(Ticket.due_at) < utcnow(), or_(*branches)))

    def overdue(row: Any) -> InboxItem:
        stage = workflow(row.workflow).stage(row.stage)
        return InboxItem(OVERDUE, str(row.id), row.due_at, f"{row.number} lewat mutu baku di tahap {stage.name}",
                         url_for("backoffice.ticket_detail", number=row.number),
                         f"{_shown_as(row)} · {_service(row.service)}")

    return InboxQuery(statement, col(Ticket.id), col(Ticket.due_at), overdue)


def _notices(session: Session, account: StaffUser, since: datetime) -> InboxQuery | None:
    """Notices the office addressed to one of the account's roles (e.g. a complaint reopened twice, for those
    who hear escalations); their text was written for staff lists (NIK masked, a confidential filer withheld)."""
    roles = [r for r in account.roles if r in _notified_roles()]
    if not roles:
        return None
    statement = (select(col(StaffNotification.id), col(StaffNotification.text), col(StaffNotification.created_at),
                        col(Ticket.number))
                 .outerjoin(Ticket, col(Ticket.id) == col(StaffNotification.ticket_id))
                 .where(col(StaffNotification.role).in_(roles), col(StaffNotification.kind) != OVERDUE_NOTICE))

    def notice(row: Any) -> InboxItem:
        url = url_for("backoffice.ticket_detail", number=row.number) if row.number else url_for("inbox.index")
        return InboxItem(NOTICE, str(row.id), row.created_at, row.text, url)

    return InboxQuery(statement, col(StaffNotification.id), col(StaffNotification.created_at), notice)


def _notified_roles() -> set[str]:
    """Every role of the SOPs (notices are addressed to roles)."""
    return {role.key for d in definitions() for role in d.roles}

