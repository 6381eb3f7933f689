"""The monthly complaint recap (page, PDF, XLSX) and the LAPOR! export, for those who supervise complaints."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request

from complaints.definitions import complaint_definitions
from complaints.recap import Month, build_recap, received_in
from complaints.recap_exports import lapor_csv, made_at, recap_pdf, recap_xlsx, table_header
from layanan import db
from layanan.clock import utcnow
from routing.definition import Definition, RoleDuty
from tickets.access import roles_required, user
from tickets.accounts import ADMIN_ROLE
from tickets.staff_pages import guard

bp = Blueprint("complaint_reports", __name__, url_prefix="/pengaduan")
guard(bp)

FORMATS = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@bp.get("/rekap")
@roles_required()
def recap() -> str:
    """The recap of the chosen month (the last full month by default) as a page."""
    definition = _chosen_workflow()
    month, error = _month_from_request()
    report = build_recap(db.session(), definition, month, utcnow())
    return render_template("complaints/recap.html", recap=report, error=error, made_at=made_at(report),
                           table_header=table_header, workflows=_supervised(), chosen=definition,
                           args={"bulan": month.key, "alur": definition.key})


@bp.get("/rekap.<fmt>")
@roles_required()
def recap_file(fmt: str) -> Response:
    """The recap as a printed A4 report (PDF) or a workbook (XLSX)."""
    if fmt not in FORMATS:
        abort(404)
    definition = _chosen_workflow()
    month, error = _month_from_request()
    if error:
        return Response(error, status=400, mimetype="text/plain")
    report = build_recap(db.session(), definition, month, utcnow())
    # A recap has a fixed number of rows (categories, units, the 20 kecamatan, statuses): two A4 pages,
    # printed in well under a second, so the request prints it instead of a worker.
    body = recap_pdf(report, current_app.config) if fmt == "pdf" else recap_xlsx(report)
    return _download(body, FORMATS[fmt], f"rekap-pengaduan-{month.key}.{fmt}")


@bp.get("/lapor.csv")
@roles_required()
def lapor_csv_export() -> Response:
    """The month's complaints, one row each with what a LAPOR! entry records (UTF-8 with BOM)."""
    definition = _chosen_workflow()
    month, error = _month_from_request()
    if error:
        return Response(error, status=400, mimetype="text/plain")
    body = lapor_csv(received_in(db.session(), definition, month.period))
    return _download(body, "text/csv; charset=utf-8", f"lapor-pengaduan-{month.key}.csv")


def _supervised() -> tuple[Definition, ...]:
    """The complaint SOPs whose recap this account may read: where one of its roles supervises; all for admin."""
    account = user()
    return tuple(d for d in complaint_definitions()
                 if account.has_role(ADMIN_ROLE, *(d.roles_for(RoleDuty.SUPERVISE) if d.has_duty(RoleDuty.SUPERVISE)
                                                   else ())))


def _chosen_workflow() -> Definition:
    """The complaint SOP named by `alur`, else the first the account supervises; 403 for none, 404 for another."""
    allowed = {d.key: d for d in _supervised()}
    if not allowed:
        abort(403)
    key = request.args.get("alur") or next(iter(allowed))
    if key not in allowed:
        abort(404)
    return allowed[key]


def _month_from_request() -> tuple[Month, str | None]:
    """The month asked for (`bulan=2026-11`), else the last full month, with what was wrong with the request."""
    default = Month.last_full(utcnow())
    raw = request.args.get("bulan", "").strip()
    if not raw:
        return default, None
    try:
        return Month.parse(raw), None
    except ValueError as exc:
        return default, f"{exc} Ditampilkan bulan {default.label}."


def _download(body: bytes, content_type: str, filename: str) -> Response:
    # content_type, not mimetype: the charset is given once, as written.
    return Response(body, content_type=content_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})

