"""The outreach pages: the request form with its letter, the requests, one request's schedule and results, the
monthly recap (page and CSV)."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from berita_acara.views import allowed
from layanan import db
from layanan.clock import to_wib, utcnow
from layanan.ids import parse_id
from outreach import services
from outreach.models import OutreachRequest
from outreach.services import FEATURE, SERVICES, OutreachError, outreach_definition
from pekon.scans import ScanRefused, check_image, keep_scans, limit_text, read_scan, sniff
from routing.definition import RoleDuty
from tickets.access import user
from tickets.accounts import ADMIN_ROLE
from tickets.kecamatan import BY_CODE, KECAMATAN
from tickets.models import Ticket
from tickets.staff_pages import guard

bp = Blueprint("outreach", __name__, url_prefix="/jemput-bola")
guard(bp)
CSV_HEADING = ["Tanggal", "Tiket", "Pemohon", "Pekon", "Kecamatan", "Perkiraan warga", "Dilayani",
               *(s.label for s in SERVICES)]


def request_roles() -> tuple[str, ...]:
    """Who asks for an outreach visit: the pekon's operator, or the office for a letter received."""
    return outreach_definition().roles_for(RoleDuty.REQUEST_OUTREACH, FEATURE)


def planner_roles() -> tuple[str, ...]:
    """Who schedules the visit and records its results."""
    return outreach_definition().roles_for(RoleDuty.PLAN_FIELD_VISITS, FEATURE)


def view_roles() -> tuple[str, ...]:
    """Who opens the outreach pages."""
    definition = outreach_definition()
    supervise = definition.roles_for(RoleDuty.SUPERVISE) if definition.has_duty(RoleDuty.SUPERVISE) else ()
    return tuple(dict.fromkeys(request_roles() + planner_roles() + definition.roles_for(RoleDuty.FIELD_WORK, FEATURE)
                               + supervise + (ADMIN_ROLE,)))


def report_roles() -> tuple[str, ...]:
    """Who reads the monthly recap."""
    definition = outreach_definition()
    supervise = definition.roles_for(RoleDuty.SUPERVISE) if definition.has_duty(RoleDuty.SUPERVISE) else ()
    return tuple(dict.fromkeys(planner_roles() + supervise + (ADMIN_ROLE,)))


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    """The back-office menu links the outreach pages for those who work with them."""
    return {"outreach_roles": view_roles()}


@bp.get("/")
@allowed(view_roles)
def index() -> str:
    """The requests, newest first."""
    rows = services.requests_with_tickets(db.session())
    return render_template("outreach/index.html", rows=rows, kecamatan=BY_CODE,
                           asks=user().has_role(*request_roles()), reports=user().has_role(*report_roles()))


@bp.route("/permintaan/baru", methods=["GET", "POST"])
@allowed(request_roles)
def new_request() -> str | BaseResponse | tuple[str, int]:
    """The request form: who asks, where, how many residents, which services, when, and the letter."""
    values: dict[str, Any] = {"layanan": []}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {**request.form.to_dict(), "layanan": request.form.getlist("layanan")}
        form, errors = services.check_request(request.form.to_dict(), values["layanan"], BY_CODE)
        letter = request.files.get("surat")
        problem = _check_letter(letter)
        if problem:
            errors["surat"] = problem
        if form is not None and not errors and letter is not None:
            session = db.session()
            made = services.submit_request(session, form, user())
            letter.stream.seek(0)
            keep_scans(session, current_app.config, [letter], operator_id=int(user().id or 0),
                       ticket_id=made.ticket_id)  # commits the request with its letter
            flash("Permintaan jemput bola dikirim.")
            return redirect(url_for(".detail", request_id=made.id), code=303)
    page = render_template("outreach/request.html", values=values, errors=errors, kecamatan=KECAMATAN,
                           services=SERVICES, limit=limit_text(int(current_app.config["MEDIA_MAX_BYTES"])))
    return (page, 422) if errors else page


def _check_letter(letter: Any) -> str | None:
    """Why the uploaded letter cannot be kept (checked as the pekon scans are), or None."""
    if letter is None or not letter.filename:
        return "Unggah surat permohonan (PDF, JPG atau PNG)."
    try:
        content = read_scan(letter.stream, int(current_app.config["MEDIA_MAX_BYTES"]))
        if sniff(content).startswith("image/"):
            check_image(content, float(current_app.config["MEDIA_MAX_MEGAPIXELS"]))
    except ScanRefused as exc:
        return f"Surat permohonan ditolak: {exc}. Isian lain tetap tersimpan di formulir; pilih ulang file suratnya."
    return None


def _request_or_404(request_id: int) -> tuple[OutreachRequest, Ticket]:
    session = db.session()
    found = session.get(OutreachRequest, request_id)
    ticket = session.get(Ticket, found.ticket_id) if found is not None else None
    if found is None or ticket is None:
        abort(404)
    return found, ticket


@bp.get("/<id:request_id>")
@allowed(view_roles)
def detail(request_id: int) -> str:
    """One request: what was asked, the schedule, the results."""
    found, ticket = _request_or_404(request_id)
    session = db.session()
    officers = services.field_officers(session)
    names = {o.id: o.full_name for o in officers}
    return render_template("outreach/detail.html", req=found, ticket=ticket, kecamatan=BY_CODE, services=SERVICES,
                           labels={s.value: s.label for s in SERVICES}, officers=officers, names=names,
                           plans=user().has_role(*planner_roles()),
                           stage_name=outreach_definition().stage(ticket.stage).name)


@bp.post("/<id:request_id>/jadwal")
@allowed(planner_roles)
def schedule(request_id: int) -> BaseResponse:
    """Set the visit's date and team."""
    found, _ = _request_or_404(request_id)
    try:
        visit_date = date.fromisoformat(request.form.get("tanggal", ""))
        team = [i for i in (parse_id(v) for v in request.form.getlist("petugas")) if i]
        services.schedule(db.session(), found, visit_date, team, user())
    except ValueError as exc:
        flash(str(exc) if isinstance(exc, OutreachError) else "Tanggal pelaksanaan tidak valid.", "error")
    else:
        flash("Pelaksanaan dijadwalkan.")
    return redirect(url_for(".detail", request_id=request_id), code=303)


@bp.post("/<id:request_id>/hasil")
@allowed(planner_roles)
def results(request_id: int) -> BaseResponse:
    """Record the residents served per service."""
    found, _ = _request_or_404(request_id)
    try:
        services.record_results(db.session(), found, request.form.to_dict(), user())
    except OutreachError as exc:
        flash(str(exc), "error")
    else:
        flash("Hasil pelayanan dicatat.")
    return redirect(url_for(".detail", request_id=request_id), code=303)


def _month() -> date:
    raw = request.args.get("bulan", "")
    try:
        return date.fromisoformat(f"{raw}-01")
    except ValueError:
        return to_wib(utcnow()).date().replace(day=1)


@bp.get("/laporan")
@allowed(report_roles)
def report() -> str:
    """The month's recap: visits held, residents expected and served, per service."""
    recap = services.month_report(db.session(), _month())
    return render_template("outreach/report.html", recap=recap, kecamatan=BY_CODE)


@bp.get("/laporan.csv")
@allowed(report_roles)
def report_csv() -> Response:
    """The month's recap as CSV, one visit a line and a total line."""
    recap = services.month_report(db.session(), _month())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADING)
    for line in recap.lines:
        r = line.request
        writer.writerow([r.scheduled_date.isoformat() if r.scheduled_date else "", line.ticket.number, r.requester,
                         r.pekon, BY_CODE[r.kecamatan_code].name if r.kecamatan_code in BY_CODE else r.kecamatan_code,
                         r.expected_people, line.served, *(r.results.get(s.value, 0) for s in SERVICES)])
    writer.writerow(["Jumlah", "", "", "", "", recap.expected, recap.served, *(n for _, n in recap.per_service)])
    name = f"jemput-bola-{recap.month:%Y-%m}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
