"""Assignment pages: a section head assigns a ticket from its page and switches automatic assignment per
stage and officers on or off duty (/penugasan); an officer marks themself on or off duty from the queue."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from layanan import db
from layanan.ids import parse_id
from routing import definitions
from routing.definition import RoleDuty
from tickets import services
from tickets.access import can_view_ticket, duty_required, duty_roles, roles_required, user
from tickets.assignment import (
    CannotAssign,
    assign,
    assigned_to,
    auto_stages,
    candidates,
    may_assign,
    open_work,
    role_holders,
    set_auto,
    set_on_duty,
    supervises,
)
from tickets.models import Ticket
from tickets.queries import QueueScope
from tickets.staff import StaffUser
from tickets.staff_pages import guard

log = logging.getLogger(__name__)
bp = Blueprint("assignment", __name__)
guard(bp)


@bp.post("/tiket/<number>/tugaskan")
@roles_required()
def assign_ticket(number: str) -> Response:
    """A section head assigns the ticket to a named officer of its stage."""
    session, account = db.session(), user()
    ticket = services.get_by_number(session, number)
    if ticket is None:
        abort(404)
    if not can_view_ticket(account, ticket) or not may_assign(account, ticket):
        abort(403)
    try:
        officer = assign(session, ticket, parse_id(request.form.get("officer_id")) or 0, actor=account,
                         expected_version=parse_id(request.form.get("version")) or -1)
    except CannotAssign as exc:
        flash(str(exc), "error")
    else:
        flash(f"Tiket {ticket.number} ditugaskan kepada {officer.full_name}.", "ok")
    return redirect(url_for("backoffice.ticket_detail", number=number) + "#penugasan", code=303)


@bp.get("/penugasan")
@duty_required(RoleDuty.SUPERVISE)
def overview() -> str:
    """The stages of the SOPs the section head supervises, with automatic assignment and who is on duty."""
    session, account = db.session(), user()
    sops = [d for d in definitions() if supervises(account, d.key)]
    roles = list(dict.fromkeys(s.role for d in sops for s in d.chain if s.role))
    holders = {role: role_holders(session, role) for role in roles}
    load = open_work(session, [int(s.id or 0) for people in holders.values() for s in people])
    return render_template("tickets/assignment.html", sops=sops, auto=auto_stages(session), holders=holders,
                           load=load)


@bp.post("/penugasan/tahap/<stage_key>")
@duty_required(RoleDuty.SUPERVISE)
def toggle_stage(stage_key: str) -> Response:
    """Switch automatic assignment of one work stage on or off."""
    account = user()
    stage = next((s for d in definitions() if supervises(account, d.key) for s in d.chain
                  if s.key == stage_key and s.role), None)
    if stage is None:
        abort(404)
    on = request.form.get("on") == "1"
    set_auto(db.session(), stage_key, on, actor=account)
    log.info("%s switched automatic assignment of %s %s", account.username, stage_key, "on" if on else "off")
    flash(f"Penugasan otomatis tahap \"{stage.name}\" {'aktif' if on else 'dimatikan'}.", "ok")
    return redirect(url_for("assignment.overview"), code=303)


@bp.post("/bertugas")
@roles_required()
def toggle_duty() -> Response:
    """Mark oneself (or, for a section head, an officer) on or off duty."""
    session, account = db.session(), user()
    officer_id = parse_id(request.form.get("officer_id")) or account.id
    officer = session.get(StaffUser, officer_id)
    if officer is None:
        abort(404)
    if officer.id != account.id and not account.has_role(*duty_roles(RoleDuty.SUPERVISE)):
        abort(403)
    on = request.form.get("on") == "1"
    set_on_duty(session, officer, on)
    flash(f"{officer.full_name} {'sedang bertugas' if on else 'tidak bertugas'}.", "ok")
    back = request.form.get("back")
    return redirect(url_for("assignment.overview") if back == "penugasan" else url_for("backoffice.queue"), code=303)


@bp.app_template_global()
def assign_panel(ticket: Ticket) -> dict[str, Any] | None:
    """For the ticket page: the officers a section head may assign this ticket to, with their open work."""
    account = user()
    if not may_assign(account, ticket):
        return None
    session = db.session()
    officers = candidates(session, ticket)
    return {"officers": officers, "load": open_work(session, [int(s.id or 0) for s in officers])}


@bp.app_template_global()
def assigned_to_me(scope: QueueScope) -> list[Ticket]:
    """For the queue: the tickets of this queue held by the reader, nearest deadline first."""
    return assigned_to(db.session(), int(user().id or 0), scope.visible_stages)


@bp.app_context_processor
def assignment_helpers() -> dict[str, Any]:
    """The roles that see the assignment page in the menu (the section heads)."""
    return {"supervisor_roles": duty_roles(RoleDuty.SUPERVISE)}
