"""Back-office pages: the sorting report, the berita acara list, one berita acara and its steps."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from urllib.parse import quote
from uuid import uuid4

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from sqlmodel import Session, select
from werkzeug.wrappers import Response

from berita_acara import document, handover, jobs
from berita_acara.exports import report_csv, report_xlsx
from berita_acara.handover import COURIER_ROLE, CREATOR_ROLE, SIGNER_ROLE, UPT_ROLE, VIEW_ROLES, HandoverError
from berita_acara.models import BeritaAcara, BeritaAcaraStatus
from berita_acara.sorting import Period, PeriodError, batch_report, period_report
from layanan.clock import WIB
from layanan import db
from tickets.access import is_upt_only, roles_required, user
from tickets.accounts import ADMIN_ROLE
from tickets.models import KecamatanRow
from tickets.staff import StaffUser

log = logging.getLogger(__name__)
bp = Blueprint("berita_acara", __name__, url_prefix="/berita-acara")

REPORT_ROLES = ("sorter", CREATOR_ROLE, SIGNER_ROLE, ADMIN_ROLE)
FORMATS = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.app_context_processor
def _nav() -> dict[str, object]:
    return {"berita_acara_roles": VIEW_ROLES, "sorting_report_roles": REPORT_ROLES}


@bp.get("/pemilahan")
@roles_required(*REPORT_ROLES)
def sorting_form() -> str:
    """Choose the period or the current batch for the sorting report."""
    today = datetime.now(WIB).date()
    return render_template("berita_acara/sorting_form.html", first=today.replace(day=1), last=today)


@bp.get("/pemilahan/laporan.<fmt>")
@roles_required(*REPORT_ROLES)
def sorting_report(fmt: str) -> Response | tuple[str, int]:
    """The sorting report as PDF, CSV or XLSX."""
    if fmt not in FORMATS:
        abort(404)
    try:
        period = _period_from_args()
    except PeriodError as exc:
        return render_template("berita_acara/sorting_form.html", error=str(exc),
                               first=request.args.get("dari"), last=request.args.get("sampai")), 400
    if fmt == "pdf":
        # Printing takes seconds: the worker renders it and the result page waits for the file.
        key = f"pemilahan-{uuid4().hex}"
        jobs.request_rendering(jobs.render_sorting_report, key, period and period.first.isoformat(),
                               period and period.last.isoformat(), user().full_name)
        return redirect(url_for(".sorting_result", key=key))
    session = db.session()
    report = period_report(session, period) if period else batch_report(session)
    name = f"laporan-pemilahan-{period.first}-{period.last}" if period else "laporan-pemilahan-batch"
    body = report_csv(report) if fmt == "csv" else report_xlsx(report)
    return _download(body, FORMATS[fmt], f"{name}.{fmt}")


@bp.get("/pemilahan/hasil/<key>")
@roles_required(*REPORT_ROLES)
def sorting_result(key: str) -> Response | tuple[str, int]:
    """The rendered sorting report, or a page that reloads itself until the worker has made it."""
    return _rendered_or_wait(key, "laporan-pemilahan.pdf")


@bp.get("/")
@roles_required(*VIEW_ROLES)
def index() -> str:
    """Berita acara the account may see, newest first; for the Kasi Inovasi also the waiting berkas."""
    session = db.session()
    account = user()
    query = select(BeritaAcara).order_by(BeritaAcara.id.desc()).limit(200)  # type: ignore[union-attr]
    if is_upt_only(account):
        query = query.where(BeritaAcara.kecamatan_code == (account.kecamatan_code or ""))
    rows = session.exec(query).all()
    waiting = handover.waiting_tickets(session) if account.has_role(CREATOR_ROLE) else {}
    return render_template("berita_acara/index.html", rows=rows, waiting=waiting,
                           kecamatan=_kecamatan_names(session), statuses=BeritaAcaraStatus)


@bp.post("/buat")
@roles_required(CREATOR_ROLE)
def create() -> Response:
    """Draw up the berita acara for one kecamatan's waiting berkas."""
    session = db.session()
    code = request.form.get("kecamatan", "")
    try:
        made = handover.create_berita_acara(session, user(), code, current_app.config["BERITA_ACARA_NUMBER_FORMAT"])
    except HandoverError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".index"))
    flash(f"Berita acara {made.number} dibuat dengan status konsep.", "success")
    return redirect(url_for(".detail", ba_id=made.id))


@bp.get("/<int:ba_id>")
@roles_required(*VIEW_ROLES)
def detail(ba_id: int) -> str:
    """One berita acara: its state, items and the step the account may take."""
    session = db.session()
    berita_acara = _visible(session, ba_id)
    couriers = [s for s in session.exec(select(StaffUser).where(StaffUser.active == True)  # noqa: E712
                                        .order_by(StaffUser.full_name)) if COURIER_ROLE in s.roles]
    return render_template(
        "berita_acara/detail.html", ba=berita_acara, items=handover.items_of(session, berita_acara),
        status=BeritaAcaraStatus(berita_acara.status), statuses=BeritaAcaraStatus,
        kecamatan=_kecamatan_names(session), couriers=couriers, people=_people(session, berita_acara),
        account=user(),
    )


@bp.get("/<int:ba_id>/berita-acara.pdf")
@roles_required(*VIEW_ROLES)
def pdf(ba_id: int) -> Response:
    """The printable berita acara (the signed file once signed)."""
    session = db.session()
    berita_acara = _visible(session, ba_id)
    filename = f"berita-acara-{berita_acara.number.replace('/', '-')}.pdf"
    if berita_acara.signed_pdf:
        return _download(berita_acara.signed_pdf, FORMATS["pdf"], filename, inline=True)
    key = jobs.draft_key(berita_acara)
    if not jobs.rendering_path(key).exists():
        jobs.request_rendering(jobs.render_berita_acara, key, berita_acara.id)
    return _rendered_or_wait(key, filename)


@bp.post("/<int:ba_id>/keluarkan/<int:item_id>")
@roles_required(CREATOR_ROLE)
def remove_item(ba_id: int, item_id: int) -> Response:
    """Take a berkas out of a draft berita acara."""
    session = db.session()
    berita_acara = _visible(session, ba_id)
    return _step(lambda: handover.remove_item(session, berita_acara, user(), item_id), ba_id,
                 "Berkas dikeluarkan dari berita acara; berkas itu dapat masuk berita acara berikutnya.")


@bp.post("/<int:ba_id>/tandatangani")
@roles_required(SIGNER_ROLE)
def sign(ba_id: int) -> Response:
    """The Kepala Dinas signs with the office certificate's passphrase."""
    session = db.session()
    berita_acara = _visible(session, ba_id)
    verify_url = current_app.config["PUBLIC_BASE_URL"] + url_for(".detail", ba_id=ba_id)
    return _step(lambda: document.sign(session, berita_acara, user(), request.form.get("passphrase", ""),
                                       current_app.config, verify_url),
                 ba_id, "Berita acara sudah ditandatangani.")


@bp.post("/<int:ba_id>/serahkan-ke-kurir")
@roles_required(CREATOR_ROLE)
def dispatch(ba_id: int) -> Response:
    """The Kasi Inovasi hands the signed berita acara and the papers to a courier."""
    session = db.session()
    berita_acara = _visible(session, ba_id)
    courier = session.get(StaffUser, request.form.get("kurir", type=int) or 0)
    if courier is None:
        flash("Pilih kurir yang membawa berkas.", "error")
        return redirect(url_for(".detail", ba_id=ba_id))
    return _step(lambda: handover.dispatch(session, berita_acara, user(), courier), ba_id,
                 f"Berkas diserahkan kepada kurir {courier.full_name}.")


@bp.post("/<int:ba_id>/diserahkan-ke-upt")
@roles_required(COURIER_ROLE)
def delivered(ba_id: int) -> Response:
    """The courier records handing the papers to the UPT."""
    session = db.session()
    berita_acara = _visible(session, ba_id)
    return _step(lambda: handover.record_delivery(session, berita_acara, user()), ba_id,
                 "Penyerahan berkas ke UPT sudah dicatat.")


@bp.post("/<int:ba_id>/terima")
@roles_required(UPT_ROLE)
def receive(ba_id: int) -> Response:
    """The UPT confirms the papers item by item, with a note for each missing one."""
    session = db.session()
    berita_acara = _visible(session, ba_id)
    found = {int(v) for v in request.form.getlist("ada") if v.isdigit()}
    notes = {int(k.removeprefix("catatan-")): v for k, v in request.form.items()
             if k.startswith("catatan-") and k.removeprefix("catatan-").isdigit()}
    return _step(lambda: handover.confirm_receipt(session, berita_acara, user(), found, notes), ba_id,
                 "Penerimaan berkas sudah dicatat.")


@bp.post("/<int:ba_id>/susulan/<int:item_id>")
@roles_required(UPT_ROLE)
def receive_late(ba_id: int, item_id: int) -> Response:
    """A berkas noted missing arrives later."""
    session = db.session()
    berita_acara = _visible(session, ba_id)
    return _step(lambda: handover.receive_late(session, berita_acara, user(), item_id), ba_id,
                 "Berkas susulan sudah dicatat diterima.")


def _rendered_or_wait(key: str, filename: str) -> Response | tuple[str, int]:
    try:
        path = jobs.rendering_path(key)
    except ValueError:
        abort(404)
    if path.exists():
        return _download(path.read_bytes(), FORMATS["pdf"], filename, inline=True)
    return render_template("berita_acara/rendering.html"), 202


def _step(run: Callable[[], object], ba_id: int, done: str) -> Response:
    try:
        run()
    except HandoverError as exc:
        flash(str(exc), "error")
    else:
        flash(done, "success")
    return redirect(url_for(".detail", ba_id=ba_id))


def _visible(session: Session, ba_id: int) -> BeritaAcara:
    berita_acara = session.get(BeritaAcara, ba_id)
    # Another kecamatan's berita acara is answered like a missing one: its existence is not shown either.
    if berita_acara is None or not handover.can_view(user(), berita_acara):
        abort(404)
    return berita_acara


def _period_from_args() -> Period | None:
    """The period asked for, or None for the current batch."""
    if request.args.get("batch"):
        return None
    try:
        first = date.fromisoformat(request.args.get("dari", ""))
        last = date.fromisoformat(request.args.get("sampai", ""))
    except ValueError:
        raise PeriodError("Isi tanggal awal dan akhir periode dengan benar (tttt-bb-hh).") from None
    return Period(first, last)


def _download(body: bytes, mimetype: str, filename: str, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(filename)}",
        "Cache-Control": "no-store",  # lists names of citizens
    })


def _kecamatan_names(session: Session) -> dict[str, str]:
    return {k.code: k.name for k in session.exec(select(KecamatanRow))}


def _people(session: Session, berita_acara: BeritaAcara) -> dict[str, StaffUser | None]:
    ids = {"created_by": berita_acara.created_by_id, "signed_by": berita_acara.signed_by_id,
           "courier": berita_acara.courier_id, "received_by": berita_acara.received_by_id}
    return {key: session.get(StaffUser, value) if value else None for key, value in ids.items()}
