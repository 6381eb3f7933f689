"""Assigning a ticket to a named officer: by a section head, or automatically per SOP stage.

Assigned means claimed by that officer (`Ticket.claimed_by_id`), so the engine's claim rules hold as they
are: the officer acts without claiming first, nobody else may act, and the officer or a section head may
release it. Who may assign: the roles of the ticket's SOP with the `supervise` duty. Whom: an active officer
holding the role of the ticket's stage (of its kecamatan, for a role bound to one).

Automatic assignment is switched on per work stage by a section head: a ticket entering such a stage goes
to the officer with the least open work (tickets claimed) among the stage's role holders who are on duty,
the longest-serving account first on a tie. Either way the ticket's history records who assigned it to whom.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime

from flask import Flask
from sqlalchemy import bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import Field, Session, SQLModel, col, select

from layanan import prepared
from layanan.clock import utcnow
from routing import roles_with_duty, workflow
from routing.definition import RoleDuty, Stage, StageKind
from tickets import events
from tickets.models import StageEvent, Ticket
from tickets.staff import StaffUser
from tickets.types import UTCDateTime

log = logging.getLogger(__name__)

ASSIGN = "assign"  # the stage event of a section head's assignment
AUTO_ASSIGN = "auto_assign"  # the stage event of an automatic one (no actor)


class AutoAssignStage(SQLModel, table=True):
    """A work stage whose new tickets are assigned automatically (work stage keys are unique office-wide)."""

    __tablename__ = "auto_assign_stage"

    stage: str = Field(primary_key=True, max_length=60)
    enabled_by_id: int | None = Field(default=None, foreign_key="staffuser.id")
    enabled_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CannotAssign(ValueError):
    """The assignment is refused; the text says why, in words for staff."""


def init_app(app: Flask) -> None:
    """Assign tickets automatically as they are created in, or enter, a stage with automatic assignment."""
    events.on(app, events.TicketEvent.CREATED, lambda session, ticket: auto_assign(session, ticket))
    events.on(app, events.TicketEvent.STAGE_ENTERED,
              lambda session, ticket, event, transition: auto_assign(session, ticket))


def assignable_stage(ticket: Ticket) -> Stage | None:
    """The ticket's stage when an officer can be assigned to it: a work stage with a role."""
    stage = workflow(ticket.workflow).stage(ticket.stage)
    return stage if stage.kind is StageKind.WORK and stage.role else None


def supervises(account: StaffUser, workflow_key: str) -> bool:
    """Whether the account holds a role of this SOP's `supervise` duty (a section head)."""
    definition = workflow(workflow_key)
    return definition.has_duty(RoleDuty.SUPERVISE) and account.has_role(*definition.roles_for(RoleDuty.SUPERVISE))


def may_assign(account: StaffUser, ticket: Ticket) -> bool:
    """Whether the account may assign this ticket now."""
    return assignable_stage(ticket) is not None and supervises(account, ticket.workflow)


def role_holders(session: Session, role: str, kecamatan_code: str | None = None) -> list[StaffUser]:
    """The active accounts holding this role (of this kecamatan, for a role bound to one), by name."""
    bound = role in roles_with_duty(RoleDuty.KECAMATAN_BOUND)
    staff = session.exec(select(StaffUser).where(col(StaffUser.active).is_(True))
                         .order_by(col(StaffUser.full_name), col(StaffUser.id))).all()
    return [s for s in staff if role in s.roles and (not bound or s.kecamatan_code == kecamatan_code)]


def candidates(session: Session, ticket: Ticket) -> list[StaffUser]:
    """The officers this ticket may be assigned to now."""
    stage = assignable_stage(ticket)
    return role_holders(session, str(stage.role), ticket.kecamatan_code) if stage else []


def open_work(session: Session, staff_ids: list[int]) -> Counter[int]:
    """How many tickets each of these officers holds (claimed or assigned, and so not finished)."""
    if not staff_ids:
        return Counter()
    rows = session.exec(select(col(Ticket.claimed_by_id), func.count()).where(col(Ticket.claimed_by_id).in_(staff_ids))
                        .group_by(col(Ticket.claimed_by_id))).all()
    return Counter({int(staff_id): int(count) for staff_id, count in rows})


def least_busy(session: Session, ticket: Ticket) -> StaffUser | None:
    """The on-duty officer of the ticket's stage with the least open work (the oldest account on a tie)."""
    on_duty = [s for s in candidates(session, ticket) if s.on_duty]
    if not on_duty:
        return None
    load = open_work(session, [int(s.id or 0) for s in on_duty])
    return min(on_duty, key=lambda s: (load[int(s.id or 0)], s.id))


def assign(session: Session, ticket: Ticket, officer_id: int, *, actor: StaffUser, expected_version: int) -> StaffUser:
    """A section head assigns the ticket to an officer of its stage: claimed by them, recorded. Commits."""
    if not may_assign(actor, ticket):
        raise CannotAssign("Hanya kepala seksi atau pimpinan SOP ini yang dapat menugaskan tiket pada tahap kerja.")
    if ticket.version != expected_version:
        raise CannotAssign("Tiket ini baru saja diubah petugas lain. Muat ulang halaman lalu coba lagi.")
    officer = next((s for s in candidates(session, ticket) if s.id == officer_id), None)
    if officer is None:
        raise CannotAssign("Petugas itu tidak memegang peran tahap ini (atau akunnya tidak aktif).")
    _record(session, ticket, officer, action=ASSIGN, actor=actor)
    session.commit()
    log.info("ticket %s assigned to %s by %s", ticket.number, officer.username, actor.username)
    return officer


def auto_assign(session: Session, ticket: Ticket) -> StaffUser | None:
    """Assign a ticket that just entered its stage, when the stage assigns automatically (in the caller's
    transaction; a ticket already held stays with its holder)."""
    stage = assignable_stage(ticket)
    if stage is None or ticket.claimed_by_id is not None or not _switched_on(session, stage.key):
        return None
    officer = least_busy(session, ticket)
    if officer is None:
        log.warning("ticket %s: automatic assignment in %s found nobody on duty", ticket.number, stage.key)
        return None
    _record(session, ticket, officer, action=AUTO_ASSIGN, actor=None)
    return officer


def _switched_on(session: Session, stage_key: str) -> bool:
    """Whether the stage assigns automatically, in one prepared query: every new ticket asks."""
    return bool(prepared.execute(session.connection(), (_SWITCHED_ON, {"stage": stage_key})))


_SWITCHED_ON = sa_select(AutoAssignStage.__table__.c.stage).where(  # type: ignore[attr-defined]
    AutoAssignStage.__table__.c.stage == bindparam("stage"))  # type: ignore[attr-defined]


def _record(session: Session, ticket: Ticket, officer: StaffUser, *, action: str, actor: StaffUser | None) -> None:
    now = utcnow()
    ticket.claimed_by_id, ticket.updated_at, ticket.version = officer.id, now, ticket.version + 1
    session.add(ticket)
    session.add(StageEvent(ticket_id=ticket.id, action=action, from_stage=ticket.stage, to_stage=ticket.stage,
                           actor_id=actor.id if actor else None, actor_role=_head_role(actor, ticket),
                           note=officer.full_name, created_at=now))


def _head_role(actor: StaffUser | None, ticket: Ticket) -> str | None:
    if actor is None:
        return None
    return next(iter(r for r in workflow(ticket.workflow).roles_for(RoleDuty.SUPERVISE) if actor.has_role(r)), None)


def auto_stages(session: Session) -> set[str]:
    """The stages that assign automatically."""
    return set(session.exec(select(col(AutoAssignStage.stage))).all())


def set_auto(session: Session, stage_key: str, on: bool, *, actor: StaffUser) -> None:
    """Switch automatic assignment of a stage on or off. Commits."""
    row = session.get(AutoAssignStage, stage_key)
    if on and row is None:
        session.add(AutoAssignStage(stage=stage_key, enabled_by_id=actor.id))
    elif not on and row is not None:
        session.delete(row)
    session.commit()


def set_on_duty(session: Session, officer: StaffUser, on: bool) -> None:
    """Mark an officer on or off duty (automatic assignment passes over those off duty). Commits."""
    officer.on_duty = on
    session.add(officer)
    session.commit()


def assigned_to(session: Session, staff_id: int, stages: tuple[str, ...], limit: int = 50) -> list[Ticket]:
    """The tickets this officer holds in these stages, nearest deadline first."""
    if not stages:
        return []
    return list(session.exec(
        select(Ticket).where(col(Ticket.claimed_by_id) == staff_id, col(Ticket.stage).in_(stages))
        .order_by(col(Ticket.due_at).asc().nulls_last(), col(Ticket.id)).limit(limit)
    ).all())
