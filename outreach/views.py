"""The outreach pages: the request form with its letter, the requests, one request's schedule, the residents
served (typed one by one on a phone or imported), the visit's report (page, XLSX, PDF from the worker) and the
monthly recap (page and CSV)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from layanan.spreadsheet_import import ImportRefused, read_rows
from layanan import db, renderings
from layanan.clock import to_wib, utcnow
from layanan.ids import parse_id
from outreach import jobs, people, services
from outreach.models import OutreachRequest
from outreach.services import FEATURE, SERVICES, OutreachError, outreach_definition
from pekon.scans import ScanRefused, check_image, keep_scans, limit_text, read_scan, sniff
from routing.definition import RoleDuty
from tickets import audit, villages
from tickets.access import allowed, user
from tickets.accounts import ADMIN_ROLE
from tickets.kecamatan import BY_CODE, KECAMATAN
from tickets.models import Ticket
from tickets.privacy import mask_nik
from tickets.staff_pages import guard

bp = Blueprint("outreach", __name__, url_prefix="/jemput-bola")
guard(bp)
MAX_UPLOAD = 2 * 1024 * 1024
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


def entry_roles() -> tuple[str, ...]:
    """Who records the residents served: the planners and the team that went out."""
    return tuple(dict.fromkeys(planner_roles() + outreach_definition().roles_for(RoleDuty.FIELD_WORK, FEATURE)))


def sees_full_nik() -> bool:
    """Whether the reader's roles may read residents' NIKs unmasked (the SOP's sees_full_nik)."""
    return bool(set(user().roles) & outreach_definition().roles_seeing_full_nik)


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
    session = db.session()
    rows = services.requests_with_tickets(session)
    by_name = people.counts_by_request(session, [int(r.id or 0) for r, _ in rows])
    served = {r.id: sum(by_name[r.id].values()) if r.id in by_name else sum(r.results.values()) for r, _ in rows}
    return render_template("outreach/index.html", rows=rows, kecamatan=BY_CODE, served=served,
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
        form = _listed_pekon(form, errors)
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
                           places=_places(str(values.get("kecamatan", ""))),
                           services=SERVICES, limit=limit_text(int(current_app.config["MEDIA_MAX_BYTES"])))
    return (page, 422) if errors else page


def _listed_pekon(form: Any, errors: dict[str, str]) -> Any:
    """The request with its pekon as the kecamatan's list names it; an unlisted one is an error beside the field."""
    if form is None or "kecamatan" in errors or "pekon" in errors:
        return form
    listed = villages.listed_name(db.session(), form.kecamatan_code, form.pekon)
    if listed is None:
        errors["pekon"] = f"Pilih pekon/kelurahan dari daftar Kecamatan {BY_CODE[form.kecamatan_code].name}."
        return None
    return replace(form, pekon=listed)


def _places(first: str) -> list[tuple[Any, tuple[str, ...]]]:
    """Each kecamatan with its pekon offered, `first` (the visit's kecamatan) leading: most residents live there."""
    offered = villages.offered(db.session())
    order = [first] + [k.code for k in KECAMATAN if k.code != first]
    return [(BY_CODE[c], offered.get(c, ())) for c in order if c in BY_CODE]


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
                           plans=user().has_role(*planner_roles()), enters=user().has_role(*entry_roles()),
                           served=len(people.people_of(session, found)),
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


@bp.route("/<id:request_id>/warga", methods=["GET", "POST"])
@allowed(entry_roles)
def residents(request_id: int) -> str | BaseResponse | tuple[str, int]:
    """The residents served, for a phone: one after another, the pekon and result kept for the next one."""
    found, _ = _request_or_404(request_id)
    values = {"pekon": request.args.get("pekon", ""), "dusun": request.args.get("dusun", ""),
              "kategori": request.args.get("kategori", "")}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = request.form.to_dict()
        person, errors = people.check_person(values, found.kecamatan_code)
        if person is not None:
            try:
                people.add_person(db.session(), found, person, user())
            except ImportRefused as exc:
                errors = {"nama": exc.errors[0]}
            else:
                flash(f"{person.name} dicatat: {people.category_label(person.category)}.")
                keep = {"pekon": values.get("pekon", ""), "dusun": values.get("dusun", ""),
                        "kategori": values.get("kategori", "")}
                return redirect(url_for(".residents", request_id=request_id, **keep), code=303)
    page = _residents_page(found, values, errors)
    return (page, 422) if errors else page


def _residents_page(found: OutreachRequest, values: dict[str, str], errors: dict[str, str],
                    import_errors: tuple[str, ...] = ()) -> str:
    session = db.session()
    full = sees_full_nik()
    served = people.people_of(session, found)
    return render_template(
        "outreach/residents.html", req=found, values=values, errors=errors, import_errors=import_errors,
        served=list(reversed(served)), categories=people.CATEGORIES, label=people.category_label,
        places=_places(found.kecamatan_code),
        nik=lambda p: (p.nik if full else mask_nik(p.nik)) if p.nik else "-")


@bp.post("/<id:request_id>/warga/impor")
@allowed(entry_roles)
def import_residents(request_id: int) -> str | BaseResponse | tuple[str, int]:
    """Import the team's list (CSV or XLSX): every row or none, each bad row named."""
    found, _ = _request_or_404(request_id)
    upload = request.files.get("berkas")
    session = db.session()
    try:
        if upload is None or not upload.filename:
            raise ImportRefused(["Pilih berkas daftar warga (CSV atau XLSX)."])
        content = upload.read(MAX_UPLOAD + 1)
        if len(content) > MAX_UPLOAD:
            raise ImportRefused(["Berkas lebih dari 2 MB."])
        rows = people.parse_people(read_rows(upload.filename, content), found.kecamatan_code,
                                   people.people_of(session, found))
        count = people.import_people(session, found, rows, user())
    except ImportRefused as exc:
        return _residents_page(found, {}, {}, exc.errors), 422
    flash(f"{count} warga diimpor.")
    return redirect(url_for(".residents", request_id=request_id), code=303)


@bp.post("/<id:request_id>/warga/<id:person_id>/hapus")
@allowed(entry_roles)
def remove_resident(request_id: int, person_id: int) -> BaseResponse:
    """Take a wrongly typed resident off the visit."""
    found, _ = _request_or_404(request_id)
    try:
        people.remove_person(db.session(), found, person_id, user())
    except ImportRefused as exc:
        flash(exc.errors[0], "error")
    else:
        flash("Data warga dihapus.")
    return redirect(url_for(".residents", request_id=request_id), code=303)


@bp.get("/<id:request_id>/laporan-hasil")
@allowed(view_roles)
def results_report(request_id: int) -> str:
    """The visit's report: residents by pekon and result, with totals."""
    found, ticket = _request_or_404(request_id)
    full = sees_full_nik()
    return render_template("outreach/results.html", report=people.visit_report(db.session(), found), req=found,
                           ticket=ticket, label=people.category_label, kecamatan=BY_CODE,
                           nik=lambda p: (p.nik if full else mask_nik(p.nik)) if p.nik else "-")


@bp.get("/<id:request_id>/laporan-hasil.xlsx")
@allowed(view_roles)
def results_xlsx(request_id: int) -> Response:
    """The visit's report as a workbook (NIK as the reader may see it)."""
    found, ticket = _request_or_404(request_id)
    _record_view(ticket.id)
    body = people.report_xlsx(people.visit_report(db.session(), found), sees_full_nik(),
                              f"{jobs.TITLE} {ticket.number}")
    return Response(body, content_type=renderings.MIMETYPES["xlsx"], headers={
        "Content-Disposition": f"attachment; filename=hasil-jemput-bola-{found.id}.xlsx", "Cache-Control": "no-store"})


@bp.get("/<id:request_id>/laporan-hasil.pdf")
@allowed(view_roles)
def results_pdf(request_id: int) -> BaseResponse:
    """Ask the worker for the visit's report as a PDF; the reader waits on the document's page."""
    found, _ = _request_or_404(request_id)
    key = renderings.new_key(f"jemput-bola-{found.id}")
    renderings.request(db.session(), jobs.render_results, key, found.id)
    return redirect(url_for(".document", key=key), code=303)


@bp.get("/dokumen/<key>")
@allowed(view_roles)
def document(key: str) -> Response | tuple[str, int]:
    """A report the worker renders: the waiting page until it is made, then the file."""
    name = re.sub(r"-[0-9a-f]{32}$", "", key)
    answer = renderings.served_or_wait(key, f"laporan-hasil-{name}.pdf")
    if isinstance(answer, Response):
        _record_view(None)
    return answer


def _record_view(ticket_id: int | None) -> None:
    """One audit record for a report listing residents by name (the path names which), committed."""
    audit.record(db.session(), audit.AuditAction.VIEW_DOCUMENT, staff_id=user().id, ticket_id=ticket_id,
                 detail=request.path, ip=request.remote_addr)
    db.session().commit()


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
                         r.expected_people, line.served, *(line.counts.get(s.value, 0) for s in SERVICES)])
    writer.writerow(["Jumlah", "", "", "", "", recap.expected, recap.served, *(n for _, n in recap.per_service)])
    name = f"jemput-bola-{recap.month:%Y-%m}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
