"""The campaign pages: schools, visits, student lists, the day at the school, the handover and the report."""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from sqlmodel import col, select
from werkzeug.wrappers import Response as BaseResponse

from campaigns import handover, jobs, services
from campaigns.models import EQUIPMENT, School, SchoolVisit, StudentStatus
from campaigns.report import COLUMNS, build_report, report_xlsx
from campaigns.services import FEATURE, CampaignError, campaign_definition
from campaigns.students import parse_students
from layanan.spreadsheet_import import ImportRefused, read_rows
from layanan import db, renderings
from layanan.clock import office_year, utcnow
from layanan.ids import parse_id
from routing.definition import RoleDuty
from tickets.access import allowed, user
from tickets.accounts import ADMIN_ROLE
from tickets.kecamatan import BY_CODE, KECAMATAN
from tickets.privacy import mask_nik
from tickets.staff_pages import guard

log = logging.getLogger(__name__)
bp = Blueprint("campaigns", __name__, url_prefix="/sekolah")
guard(bp)
MAX_UPLOAD = 2 * 1024 * 1024


def planner_roles() -> tuple[str, ...]:
    """Who keeps the schools, plans visits, imports lists and draws up the handover."""
    return campaign_definition().roles_for(RoleDuty.PLAN_SCHOOL_VISITS, FEATURE)


def day_roles() -> tuple[str, ...]:
    """Who records the students' statuses on the day: the field team and the coordinator."""
    return tuple(dict.fromkeys(campaign_definition().roles_for(RoleDuty.FIELD_WORK, FEATURE) + planner_roles()))


def report_roles() -> tuple[str, ...]:
    """Who reads the campaign report."""
    definition = campaign_definition()
    supervise = definition.roles_for(RoleDuty.SUPERVISE) if definition.has_duty(RoleDuty.SUPERVISE) else ()
    return tuple(dict.fromkeys(planner_roles() + supervise + (ADMIN_ROLE,)))


def view_roles() -> tuple[str, ...]:
    """Who opens the visits."""
    return tuple(dict.fromkeys(day_roles() + handover.signer_roles() + report_roles()))


def sees_full_nik() -> bool:
    """Whether the reader's roles may read students' NIKs unmasked (the SOP's sees_full_nik)."""
    return bool(set(user().roles) & campaign_definition().roles_seeing_full_nik)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    """The back-office menu links the campaign pages for those who work with them."""
    return {"campaign_roles": view_roles()}


@bp.get("/")
@allowed(view_roles)
def index() -> str:
    """Visits, the next ones first, then the past ones."""
    session = db.session()
    visits = list(session.exec(select(SchoolVisit).order_by(col(SchoolVisit.visit_date).desc())))
    schools = {s.id: s for s in session.exec(select(School))}
    return render_template("campaigns/index.html", visits=visits, schools=schools, kecamatan=BY_CODE,
                           plans=user().has_role(*planner_roles()), reports=user().has_role(*report_roles()))


@bp.route("/daftar-sekolah", methods=["GET", "POST"])
@allowed(lambda: planner_roles() + (ADMIN_ROLE,))
def schools() -> str | BaseResponse:
    """The list of schools per kecamatan, which staff keep."""
    session = db.session()
    if request.method == "POST":
        kecamatan_code = request.form.get("kecamatan", "")
        if kecamatan_code not in BY_CODE:
            abort(400)
        try:
            services.save_school(session, request.form.get("nama", ""), kecamatan_code,
                                 request.form.get("alamat", ""), request.form.get("kepala_sekolah", ""),
                                 school_id=parse_id(request.form.get("id")), active=request.form.get("aktif") != "0")
        except CampaignError as exc:
            flash(str(exc), "error")
        else:
            flash("Data sekolah disimpan.")
        return redirect(url_for(".schools"), code=303)
    found = list(session.exec(select(School).order_by(School.kecamatan_code, School.name)))
    return render_template("campaigns/schools.html", schools=found, kecamatan=KECAMATAN, by_code=BY_CODE)


@bp.route("/kunjungan/baru", methods=["GET", "POST"])
@allowed(planner_roles)
def plan() -> str | BaseResponse:
    """Plan a visit: school, date, field team, equipment, eligibility window."""
    session = db.session()
    schools = list(session.exec(select(School).where(School.active == True)  # noqa: E712
                                .order_by(School.kecamatan_code, School.name)))
    officers = services.field_officers(session)
    if request.method == "POST":
        school = session.get(School, parse_id(request.form.get("sekolah")) or 0)
        try:
            visit_date = date.fromisoformat(request.form.get("tanggal", ""))
            window = int(request.form.get("rentang_hari", "0") or 0)
        except ValueError:
            flash("Tanggal kunjungan dan rentang hari harus diisi dengan benar.", "error")
        else:
            if school is None:
                flash("Pilih sekolah dari daftar.", "error")
            else:
                ids = {i for i in (parse_id(v) for v in request.form.getlist("petugas")) if i}
                try:
                    visit = services.plan_visit(session, user(), school, visit_date, window, ids,
                                                request.form.getlist("peralatan"))
                except CampaignError as exc:
                    flash(str(exc), "error")
                else:
                    flash("Kunjungan direncanakan.")
                    return redirect(url_for(".visit", visit_id=visit.id), code=303)
    return render_template("campaigns/plan.html", schools=schools, officers=officers, equipment=EQUIPMENT,
                           by_code=BY_CODE, form=request.form)


def _visit(visit_id: int) -> SchoolVisit:
    visit = db.session().get(SchoolVisit, visit_id)
    if visit is None:
        abort(404)
    return visit


def _page(visit: SchoolVisit, template: str, **extra: Any) -> str:
    session = db.session()
    school = session.get(School, visit.school_id)
    students = services.students_of(session, visit)
    full = sees_full_nik()
    return render_template(
        template, visit=visit, school=school, students=students, ticket=services.ticket_of(session, visit),
        team=services.team_of(session, visit), equipment=EQUIPMENT, kecamatan=BY_CODE, statuses=StudentStatus,
        eligible=lambda s: services.eligible(s, visit), nik=lambda s: (s.nik if full else mask_nik(s.nik)) if s.nik else "—",
        plans=user().has_role(*planner_roles()), works=user().has_role(*day_roles()),
        signs=user().has_role(*handover.signer_roles()), **extra)


@bp.get("/kunjungan/<id:visit_id>")
@allowed(view_roles)
def visit(visit_id: int) -> str:
    """A visit: school, date, team, equipment, the student list with statuses, printing and the handover."""
    return _page(_visit(visit_id), "campaigns/visit.html", errors=())


@bp.post("/kunjungan/<id:visit_id>/siswa")
@allowed(planner_roles)
def import_students(visit_id: int) -> str | BaseResponse:
    """Import the school's student list (CSV or XLSX): every row or none."""
    visit = _visit(visit_id)
    upload = request.files.get("berkas")
    if upload is None or not upload.filename:
        flash("Pilih berkas daftar siswa (CSV atau XLSX).", "error")
        return redirect(url_for(".visit", visit_id=visit_id), code=303)
    content = upload.read(MAX_UPLOAD + 1)
    try:
        if len(content) > MAX_UPLOAD:
            raise ImportRefused(["Berkas lebih dari 2 MB."])
        rows = parse_students(read_rows(upload.filename, content))
    except ImportRefused as exc:
        return _page(visit, "campaigns/visit.html", errors=exc.errors), 422  # type: ignore[return-value]
    result = services.import_students(db.session(), visit, rows)
    flash(f"{result.imported} siswa diimpor.")
    for line in result.duplicates:
        flash(f"Duplikat: {line}", "error")
    return redirect(url_for(".visit", visit_id=visit_id), code=303)


@bp.get("/kunjungan/<id:visit_id>/hari-h")
@allowed(day_roles)
def day(visit_id: int) -> str:
    """The day at the school, for a phone: each student with buttons for where he or she stands."""
    return _page(_visit(visit_id), "campaigns/day.html")


@bp.post("/kunjungan/<id:visit_id>/siswa/<id:student_id>/status")
@allowed(day_roles)
def set_status(visit_id: int, student_id: int) -> BaseResponse:
    """Record a student's status on the day (a problem with its reason)."""
    visit = _visit(visit_id)
    try:
        status = StudentStatus(request.form.get("status", ""))
    except ValueError:
        abort(400)
    try:
        services.set_status(db.session(), visit, student_id, status, request.form.get("alasan", ""), user())
    except CampaignError as exc:
        flash(str(exc), "error")
    return redirect(url_for(".day", visit_id=visit_id) + f"#siswa-{student_id}", code=303)


@bp.post("/kunjungan/<id:visit_id>/cetak")
@allowed(day_roles)
def printed(visit_id: int) -> BaseResponse:
    """Record which students' cards are printed."""
    visit = _visit(visit_id)
    ids = {i for i in (parse_id(v) for v in request.form.getlist("tercetak")) if i}
    try:
        count = services.mark_printed(db.session(), visit, ids)
    except CampaignError as exc:
        flash(str(exc), "error")
    else:
        flash(f"{count} KTP-el ditandai tercetak.")
    return redirect(url_for(".visit", visit_id=visit_id) + "#cetak", code=303)


@bp.post("/kunjungan/<id:visit_id>/berita-acara")
@allowed(planner_roles)
def draw_up(visit_id: int) -> BaseResponse:
    """Draw up (or refresh, while unsigned) the berita acara handing the printed cards to the school."""
    try:
        handover.draw_up(db.session(), _visit(visit_id))
    except CampaignError as exc:
        flash(str(exc), "error")
    else:
        flash("Berita acara serah terima dibuat; menunggu tanda tangan Kepala Dinas.")
    return redirect(url_for(".visit", visit_id=visit_id) + "#serah-terima", code=303)


@bp.get("/kunjungan/<id:visit_id>/berita-acara.pdf")
@allowed(view_roles)
def handover_pdf(visit_id: int) -> Response | BaseResponse:
    """The school's berita acara: the signed file as stored, or a draft the worker renders while the reader
    waits."""
    visit = _visit(visit_id)
    name = f"berita-acara-sekolah-{visit.id}.pdf"
    if visit.handover_pdf is not None:
        return Response(visit.handover_pdf, mimetype="application/pdf",
                        headers={"Content-Disposition": f"attachment; filename={name}"})
    if visit.handover_number is None:
        abort(404)
    key = renderings.new_key(f"berita-acara-sekolah-{visit.id}")
    renderings.request(db.session(), jobs.render_handover, key, visit.id)
    return redirect(url_for(".document", key=key), code=303)


@bp.post("/kunjungan/<id:visit_id>/berita-acara/tandatangani")
@allowed(handover.signer_roles)
def sign(visit_id: int) -> BaseResponse:
    """The Kepala Dinas signs the school's berita acara with the office certificate (TTE)."""
    visit = _visit(visit_id)
    try:
        stuck = handover.sign(db.session(), visit, user(), request.form.get("passphrase", ""), current_app.config)
    except CampaignError as exc:
        flash(str(exc), "error")
    else:
        flash("Berita acara ditandatangani.")
        if stuck:
            flash(stuck, "error")
    return redirect(url_for(".visit", visit_id=visit_id) + "#serah-terima", code=303)


@bp.get("/verifikasi/<code>")
def verify(code: str) -> str | tuple[str, int]:
    """Public: whether the berita acara behind a QR code was signed by the office and is unchanged."""
    session = db.session()
    found = session.exec(select(SchoolVisit).where(SchoolVisit.handover_code == code)).first() \
        if 0 < len(code) <= 64 else None
    if found is None:
        return render_template("pdf_delivery/verification_unknown.html"), 404
    return render_template("berita_acara/verification.html", result=handover.verify(session, current_app.config, found))


def _year() -> int:
    raw = request.args.get("tahun", "")
    if not raw:
        return office_year(utcnow())
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        abort(400)
    return int(raw)


@bp.get("/laporan")
@allowed(report_roles)
def report() -> str:
    """The year's campaign report per kecamatan and per school."""
    year = _year()
    return render_template("campaigns/report.html", report=build_report(db.session(), year, utcnow()),
                           columns=COLUMNS, year=year)


@bp.get("/laporan.<fmt>")
@allowed(report_roles)
def report_file(fmt: str) -> Response | BaseResponse:
    """The report as a workbook, or as an A4 PDF under the letterhead that the worker renders."""
    year = _year()
    if fmt == "pdf":
        key = renderings.new_key(f"laporan-perekaman-sekolah-{year}")
        renderings.request(db.session(), jobs.render_report, key, year)
        return redirect(url_for(".document", key=key), code=303)
    if fmt != "xlsx":
        abort(404)
    content = report_xlsx(build_report(db.session(), year, utcnow()))
    name = f"laporan-perekaman-sekolah-{year}.xlsx"
    return Response(content, mimetype=renderings.MIMETYPES["xlsx"],
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.get("/dokumen/<key>")
@allowed(view_roles)
def document(key: str) -> Response | tuple[str, int]:
    """A PDF the worker renders: the waiting page until it is made, then the file."""
    return renderings.served_or_wait(key, re.sub(r"-[0-9a-f]{32}$", "", key) + ".pdf")
