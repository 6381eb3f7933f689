"""The Siaga pages: the priority queue, the visits by date and pekon, and one report with its visit forms."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from tickets.access import allowed
from layanan import db
from layanan.clock import to_wib, utcnow
from layanan.ids import parse_id
from routing.definition import RoleDuty
from siaga import services
from siaga.models import RESULT_LABELS, VisitResult
from siaga.services import FEATURE, SiagaError, siaga_definition
from tickets.access import user
from tickets import villages
from tickets.accounts import ADMIN_ROLE
from tickets.kecamatan import BY_CODE
from tickets.staff_pages import guard

bp = Blueprint("siaga", __name__, url_prefix="/siaga")
guard(bp)


def planner_roles() -> tuple[str, ...]:
    """Who schedules the home visits and records their results."""
    return siaga_definition().roles_for(RoleDuty.PLAN_FIELD_VISITS, FEATURE)


def visit_roles() -> tuple[str, ...]:
    """Who records a visit's result: the planners and the field team."""
    return tuple(dict.fromkeys(planner_roles() + siaga_definition().roles_for(RoleDuty.FIELD_WORK, FEATURE)))


def view_roles() -> tuple[str, ...]:
    """Who opens the Siaga pages: the chain's roles, the field team, the supervisors."""
    definition = siaga_definition()
    supervise = definition.roles_for(RoleDuty.SUPERVISE) if definition.has_duty(RoleDuty.SUPERVISE) else ()
    chain = tuple(s.role for s in definition.chain if s.role)
    return tuple(dict.fromkeys(planner_roles() + definition.roles_for(RoleDuty.FIELD_WORK, FEATURE) + chain
                               + supervise + (ADMIN_ROLE,)))


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    """The back-office menu links the Siaga pages for those who work with them."""
    return {"siaga_roles": view_roles()}


@bp.get("/")
@allowed(view_roles)
def queue() -> str:
    """Open reports, urgent first."""
    session = db.session()
    rows = services.queue(session)
    return render_template("siaga/queue.html", rows=rows, urgent=lambda r: services.is_urgent(r.report, r.ticket),
                           stage_name=lambda key: siaga_definition().stage(key).name, kecamatan=BY_CODE)


@bp.get("/kunjungan")
@allowed(view_roles)
def visits() -> str:
    """Scheduled home visits by date, then pekon; past ones only when asked."""
    session = db.session()
    everything = request.args.get("semua") == "1"
    today = to_wib(utcnow()).date()
    rows = services.visits(session, None if everything else today)
    days: dict[date, list[services.Row]] = {}
    for row in rows:
        days.setdefault(row.report.visit_date, []).append(row)  # type: ignore[arg-type]
    return render_template("siaga/visits.html", days=days, everything=everything, kecamatan=BY_CODE,
                           team=services.team_names(session, rows), results=RESULT_LABELS,
                           urgent=lambda r: services.is_urgent(r.report, r.ticket))


@bp.route("/<number>", methods=["GET"])
@allowed(view_roles)
def report(number: str) -> str:
    """One report: the resident, the reporter, the visit's schedule and result."""
    session = db.session()
    row = _report_or_404(session, number)
    return render_template("siaga/report.html", row=row, kecamatan=BY_CODE, results=RESULT_LABELS,
                           officers=services.field_officers(session), team=services.team_names(session, [row]),
                           plans=user().has_role(*planner_roles()), records=user().has_role(*visit_roles()),
                           urgent=services.is_urgent(row.report, row.ticket),
                           stage_name=siaga_definition().stage(row.ticket.stage).name,
                           places=[(BY_CODE[code], tuple(p.name for p in villages.pekon_of(session, code)))
                                   for code in [row.ticket.kecamatan_code] if code in BY_CODE])


@bp.post("/<number>/jadwal")
@allowed(planner_roles)
def schedule(number: str) -> BaseResponse:
    """Set the home visit's date and team."""
    session = db.session()
    row = _report_or_404(session, number)
    try:
        visit_date = date.fromisoformat(request.form.get("tanggal", ""))
        team = [i for i in (parse_id(v) for v in request.form.getlist("petugas")) if i]
        services.schedule_visit(session, row, visit_date, team, user())
    except ValueError as exc:
        flash(str(exc) if isinstance(exc, SiagaError) else "Tanggal kunjungan tidak valid.", "error")
    else:
        flash("Kunjungan dijadwalkan.")
    return redirect(url_for(".report", number=row.ticket.number), code=303)


@bp.post("/<number>/pekon")
@allowed(planner_roles)
def pekon(number: str) -> BaseResponse:
    """Put a pekon the reporter wrote that is on no list right, from the kecamatan's list."""
    session = db.session()
    row = _report_or_404(session, number)
    try:
        services.confirm_pekon(session, row, request.form.get("pekon", ""), user())
    except SiagaError as exc:
        flash(str(exc), "error")
    else:
        flash(f"Pekon dipastikan: {row.report.pekon}.")
    return redirect(url_for(".report", number=row.ticket.number), code=303)


@bp.post("/<number>/hasil")
@allowed(visit_roles)
def result(number: str) -> BaseResponse:
    """Record how the visit ended."""
    session = db.session()
    row = _report_or_404(session, number)
    try:
        outcome = VisitResult(request.form.get("hasil", ""))
        services.record_result(session, row, outcome, request.form.get("keterangan", ""), user())
    except ValueError as exc:
        flash(str(exc) if isinstance(exc, SiagaError) else "Pilih hasil kunjungan.", "error")
    else:
        flash("Hasil kunjungan dicatat.")
    return redirect(url_for(".report", number=row.ticket.number), code=303)


def _report_or_404(session: Session, number: str) -> services.Row:
    """The Siaga report of this ticket number, or the not-found page."""
    row = services.report_of(session, number)
    if row is None:
        abort(404)
    return row
