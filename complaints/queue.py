"""The complaint queue per unit: the open complaints not yet disposed, and those of each unit, overdue first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, literal, or_
from sqlmodel import Session, col, select

from complaints.definitions import complaint_definitions, options_of, stages_before_unit, value_of
from routing.definition import OutputMeaning, StageDuty
from tickets.models import Applicant, Ticket
from tickets.privacy import pseudonym

UNDISPOSED = ""  # the tab of complaints whose unit is not chosen yet
ROW_LIMIT = 200  # a tab lists this many, the most urgent; the count above it says how many there are


@dataclass(frozen=True)
class Tab:
    unit: str  # UNDISPOSED or a unit option
    total: int
    overdue: int


@dataclass(frozen=True)
class Row:
    ticket: Ticket
    filer: str  # the applicant's name; a confidential filer's pseudonym, for every reader (lists never name them)
    category: str | None
    priority: str | None
    referral: str | None
    related_number: str | None
    overdue: bool


@dataclass(frozen=True)
class _Scope:
    workflows: tuple[str, ...]
    open_stages: tuple[str, ...]
    before_unit: tuple[str, ...]
    decided_by_citizen: tuple[str, ...]
    unit_keys: tuple[str, ...]


def _scope() -> _Scope:
    found = complaint_definitions()
    unit_keys = (d.output_meaning(OutputMeaning.UNIT) for d in found)
    return _Scope(
        workflows=tuple(d.key for d in found),
        open_stages=tuple(dict.fromkeys(s.key for d in found for s in d.stages if not s.is_terminal)),
        before_unit=tuple(s.key for d in found for s in stages_before_unit(d)),
        decided_by_citizen=tuple(d.stage_for(StageDuty.CITIZEN_VERDICT).key for d in found
                                 if d.has_duty(StageDuty.CITIZEN_VERDICT)),
        unit_keys=tuple(dict.fromkeys(spec.key for spec in unit_keys if spec is not None)),
    )


def _unit(scope: _Scope) -> ColumnElement[str]:
    values = [col(Ticket.outputs)[key].as_string() for key in scope.unit_keys]
    return values[0] if len(values) == 1 else func.coalesce(*values)


def _overdue(scope: _Scope, now: datetime) -> ColumnElement[bool]:
    """Late work of the office: flagged overdue, or past its deadline in a stage the citizen does not decide."""
    return or_(col(Ticket.overdue).is_(True),
               and_(col(Ticket.due_at) < now, col(Ticket.stage).not_in(scope.decided_by_citizen)))


def _open(scope: _Scope) -> ColumnElement[bool]:
    return and_(col(Ticket.workflow).in_(scope.workflows), col(Ticket.stage).in_(scope.open_stages))


def tabs(session: Session, now: datetime) -> list[Tab]:
    """The undisposed tab, then one per unit option (and any unit value no option names any more), with
    their counts of open and overdue complaints: one GROUP BY."""
    scope = _scope()
    if not scope.workflows:
        return []
    per_ticket = select(
        case((col(Ticket.stage).in_(scope.before_unit), literal(UNDISPOSED)), else_=_unit(scope)).label("tab"),
        case((_overdue(scope, now), 1), else_=0).label("late"),
    ).where(_open(scope)).subquery()
    counted = {unit: (int(total), int(overdue or 0)) for unit, total, overdue in session.exec(
        select(per_ticket.c.tab, func.count(), func.sum(per_ticket.c.late)).group_by(per_ticket.c.tab)).all()
        if unit is not None}
    units = [UNDISPOSED, *options_of(OutputMeaning.UNIT)]
    units += [u for u in counted if u not in units]
    return [Tab(u, *counted.get(u, (0, 0))) for u in units]


def rows(session: Session, unit: str, now: datetime, sees_identity: Callable[[Ticket], bool]) -> list[Row]:
    """The open complaints of one tab, overdue first, then by deadline (none last). A confidential complaint's
    related ticket (maybe the filer's own request) is listed only where `sees_identity` lets the reader know
    who filed it."""
    scope = _scope()
    if not scope.workflows:
        return []
    in_tab = (col(Ticket.stage).in_(scope.before_unit) if unit == UNDISPOSED
              else and_(col(Ticket.stage).not_in(scope.before_unit), _unit(scope) == unit))
    late = _overdue(scope, now)
    found = session.exec(
        select(Ticket, Applicant, late).join(Applicant, col(Applicant.id) == col(Ticket.applicant_id))
        .where(_open(scope), in_tab)
        .order_by(case((late, 0), else_=1), col(Ticket.due_at).is_(None), col(Ticket.due_at), col(Ticket.id))
        .limit(ROW_LIMIT)
    ).all()
    related = _numbers(session, {t.related_ticket_id for t, _a, _l in found if t.related_ticket_id})
    by_key = {d.key: d for d in complaint_definitions()}
    result = []
    for ticket, applicant, overdue in found:
        definition = by_key[ticket.workflow]
        linked = ticket.related_ticket_id if sees_identity(ticket) else None
        result.append(Row(
            ticket=ticket,
            filer=pseudonym(ticket.number) if ticket.confidential else (applicant.name or "—"),
            category=value_of(definition, ticket.outputs, OutputMeaning.CATEGORY),
            priority=value_of(definition, ticket.outputs, OutputMeaning.PRIORITY),
            referral=value_of(definition, ticket.outputs, OutputMeaning.REFERRAL),
            related_number=related.get(linked or 0),
            overdue=bool(overdue),
        ))
    return result


def _numbers(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    found = session.exec(select(col(Ticket.id), col(Ticket.number)).where(col(Ticket.id).in_(wanted))).all()
    return {int(i): number for i, number in found if i is not None}
