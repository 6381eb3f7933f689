"""Periodic SLA work: mark tickets past their mutu baku and tell the section head.

The flag is what the supervisors' inboxes read (tickets.inbox: the ticket is listed while it stays overdue in
their section); the notice row records who was told, for the ticket's history (the complaint timeline)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, select

from layanan.db import job_session
from layanan.jobs import job_app
from routing import workflow
from tickets.models import StaffNotification, Ticket
from layanan.clock import utcnow

log = logging.getLogger(__name__)


def mark_overdue_tickets(session: Session, now: datetime) -> list[Ticket]:
    """Flag every ticket whose deadline passed and notify its stage's section head, once per stage visit."""
    due = session.exec(
        select(Ticket).where(Ticket.due_at < now, Ticket.overdue == False)  # noqa: E712
        .order_by(Ticket.due_at).limit(1000)
    ).all()
    marked = []
    for ticket in due:
        definition = workflow(ticket.workflow)
        if definition.is_terminal(ticket.stage) or definition.decided_by_citizen(ticket.stage):
            continue  # a stage the citizen decides is not late work of the office
        # Guarded on the version so a ticket moved meanwhile is left for the next run.
        result = session.execute(
            update(Ticket).where(Ticket.id == ticket.id, Ticket.version == ticket.version, Ticket.overdue == False)  # noqa: E712
            .values(overdue=True)
        )
        if result.rowcount != 1:
            continue
        stage = definition.stage(ticket.stage)
        session.add(StaffNotification(
            role=definition.section_head_for(ticket.stage), ticket_id=ticket.id, kind="overdue",
            text=f"Tiket {ticket.number} melewati mutu baku pada tahap '{stage.name}'.", created_at=now,
        ))
        marked.append(ticket)
    session.commit()
    return marked


def mark_overdue() -> int:
    """Job (run every few minutes by the clock process): mark overdue tickets."""
    app = job_app()
    with app.app_context(), job_session(app) as session:
        marked = mark_overdue_tickets(session, utcnow())
    if marked:
        log.info("%d ticket(s) marked overdue", len(marked))
    return len(marked)
