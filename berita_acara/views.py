"""Back-office pages: the sorting report, the berita acara list, one berita acara and its steps."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from urllib.parse import quote
from uuid import uuid4

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from sqlmodel import Session, col, select
from werkzeug.wrappers import Response

from berita_acara import document, handover, jobs, records
from berita_acara.exports import report_csv, report_xlsx
from berita_acara.handover import HandoverError
from berita_acara.models import BeritaAcara, BeritaAcaraStatus
from berita_acara.sorting import Period, PeriodError, batch_report, period_report
from berita_acara.numbering import take_report_number
from berita_acara.stages import (courier_roles, creator_roles, handover_chains, report_roles, sorter_roles, stages_of,
                                 upt_roles, view_roles)
from layanan.clock import WIB, office_year, utcnow
from layanan import db, renderings
from layanan.ids import parse_id
from routing.definition import RoleDuty, StageDuty
from tickets import audit
from tickets.access import allowed, duty_required, is_upt_only, roles_required, user
from tickets.kecamatan import KECAMATAN
from tickets.events import Elsewhere
from tickets.models import KecamatanRow, Ticket
from tickets.staff import StaffUser

log = logging.getLogger(__name__)
bp = Blueprint("berita_acara", __name__, url_prefix="/berita-acara")

FORMATS = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.app_context_processor
def _helpers() -> dict[str, object]:
    """Who sees this package's pages in the navigation, the kecamatan a sorted berkas may go to, what the
    ticket page shows of the SOP's papers (the berita acara linked), and what waits for the signer (the TTE page)."""
    return {"berita_acara_roles": view_roles(), "sorting_report_roles": report_roles(),
            "kecamatan_choices": KECAMATAN, "papers_of": _papers_of,
            "berita_acara_to_sign": lambda: handover.awaiting_signature(db.session(), user())}


def _papers_of(ticket: Ticket) -> dict[str, Any]:
    """What the SOP's papers record of the ticket: the document number, the paraf (who, when) and the
    berita acara listing it, with whether the reader may open that."""
    session = db.session()
    berita_acara = handover.listing(session, ticket)
    return {"document_number": records.document_number(ticket), "paraf": records.parafs(session, [ticket]).get(
                int(ticket.id or 0)),
            "ba": berita_acara, "status": BeritaAcaraStatus(berita_acara.status) if berita_acara else None,
            "may_open": berita_acara is not None and handover.can_view(user(), berita_acara)}


# What each paper-trail step is, as the ticket page says where it is taken.
_STEP_WHY = {
    StageDuty.HANDOVER: "Berkas tiket ini diserahkan ke kurir bersama semua berkas berita acara {number}; kurirnya "
                "dipilih di halaman berita acara.",
    StageDuty.COURIER: "Penyerahan berkas ke UPT dicatat di berita acara {number}, sekaligus untuk semua berkasnya.",
    StageDuty.UPT_RECEIPT: "UPT memeriksa penerimaan setiap berkas di halaman berita acara {number}.",
}


def step_on_berita_acara(session: Session, ticket: Ticket) -> Elsewhere | None:
    """The berita acara page, for a ticket at a stage whose step is taken there."""
    chain = stages_of(ticket.workflow)
    if chain is None:
        return None
    steps = {chain.handover.key: StageDuty.HANDOVER, chain.courier.key: StageDuty.COURIER,
             chain.upt.key: StageDuty.UPT_RECEIPT}
    step = steps.get(ticket.stage)
    if step is None:
        return None
    berita_acara = handover.listing(session, ticket)
    if berita_acara is None:
        if step is not StageDuty.HANDOVER:
            return None  # listed in none: its own page moves it
        return Elsewhere(url_for("berita_acara.index"), "Buka daftar berita acara",
                         "Tiket ini belum tercantum dalam berita acara: buat berita acara untuk kecamatannya dulu.")
    return Elsewhere(url_for("berita_acara.detail", ba_id=berita_acara.id), f"Buka berita acara {berita_acara.number}",
                     _STEP_WHY[step].format(number=berita_acara.number))


@bp.get("/pemilahan")
@allowed(report_roles)
def sorting_form() -> str:
    """Choose the period or the current batch, and the sorter who signs, for the sorting report."""
    today = datetime.now(WIB).date()
    return _sorting_form(first=today.replace(day=1), last=today)


def _sorting_form(**values: Any) -> str:
    sorters = _sorters(db.session())
    mine = user().id if any(s.id == user().id for s in sorters) else None
    return render_template("berita_acara/sorting_form.html", sorters=sorters, chosen=values.pop("chosen", mine),
                           signatory=jobs.report_signatory(None).role_label, **values)


def _sorters(session: Session) -> list[StaffUser]:
    """Active accounts that sort the berkas, who may sign the sorting report."""
    roles = sorter_roles()
    return [s for s in session.exec(select(StaffUser).where(StaffUser.active == True)  # noqa: E712
                                    .order_by(StaffUser.full_name)) if s.has_role(*roles)]


@bp.get("/pemilahan/laporan.<fmt>")
@allowed(report_roles)
def sorting_report(fmt: str) -> Response | tuple[str, int]:
    """The sorting report as PDF, CSV or XLSX."""
    if fmt not in FORMATS:
        abort(404)
    session = db.session()
    # Without a choice (the batch link), the sorter who asks signs; "" is a choice to sign by hand.
    chosen = parse_id(request.args["pemilah"]) if "pemilah" in request.args else user().id
    sorter = next((s for s in _sorters(session) if s.id == chosen), None)
    try:
        period = _period_from_args()
        if request.args.get("pemilah") and sorter is None:
            raise PeriodError("Pilih petugas pemilah yang menandatangani laporan dari daftar.")
    except PeriodError as exc:
        return _sorting_form(error=str(exc), first=request.args.get("dari"), last=request.args.get("sampai"),
                             chosen=chosen), 400
    if fmt == "pdf":
        # Printing takes seconds: the worker renders it and the result page waits for the file. The number
        # is the printed paper's, taken now (committed before the job runs).
        number = take_report_number(session, current_app.config["SORTING_REPORT_NUMBER_FORMAT"],
                                    office_year(utcnow()))
        session.commit()
        key = f"pemilahan-{uuid4().hex}"
        renderings.request(session, jobs.render_sorting_report, key, period and period.first.isoformat(),
                           period and period.last.isoformat(), sorter and sorter.id, number)
        return redirect(url_for(".sorting_result", key=key))
    report = period_report(session, period) if period else batch_report(session)
    name = f"laporan-pemilahan-{period.first}-{period.last}" if period else "laporan-pemilahan-batch"
    body = report_csv(report) if fmt == "csv" else report_xlsx(report)
    return download(body, FORMATS[fmt], f"{name}.{fmt}")


@bp.get("/pemilahan/hasil/<key>")
@allowed(report_roles)
def sorting_result(key: str) -> Response | tuple[str, int]:
    """The rendered sorting report, or a page that reloads itself until the worker has made it."""
    return rendered_or_wait(key, "laporan-pemilahan.pdf")


@bp.get("/")
@allowed(view_roles)
def index() -> str:
    """Berita acara the account may see, newest first; for the Kasi Inovasi also the waiting berkas."""
    session = db.session()
    account = user()
    query = select(BeritaAcara).order_by(BeritaAcara.id.desc()).limit(200)  # type: ignore[union-attr]
    if is_upt_only(account):
        query = query.where(BeritaAcara.kecamatan_code == (account.kecamatan_code or ""))
    rows = session.exec(query).all()
    chains = handover_chains()
    waiting = [{"sop": chain.definition, "code": code, "tickets": tickets}
               for chain in chains if account.has_role(chain.creator_role)
               for code, tickets in sorted(handover.waiting_tickets(session, chain).items())]
    return render_template("berita_acara/index.html", rows=rows, waiting=waiting, several_sops=len(chains) > 1,
                           kecamatan=_kecamatan_names(session), statuses=BeritaAcaraStatus)


@bp.post("/buat")
@allowed(creator_roles)
def create() -> Response:
    """Draw up the berita acara for one kecamatan's waiting berkas."""
    session = db.session()
    code = request.form.get("kecamatan", "")
    try:
        made = handover.create_berita_acara(session, user(), code, current_app.config["BERITA_ACARA_NUMBER_FORMAT"],
                                           sop=request.form.get("sop") or None)
    except HandoverError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".index"), code=303)
    flash(f"Berita acara {made.number} dibuat dengan status konsep.", "success")
    return redirect(url_for(".detail", ba_id=made.id), code=303)


@bp.get("/<id:ba_id>")
@allowed(view_roles)
def detail(ba_id: int) -> str:
    """One berita acara: its state, items and the step the account may take."""
    session = db.session()
    berita_acara = _visible(session, ba_id)
    chain = handover.chain_of(session, berita_acara)
    account = user()
    status = BeritaAcaraStatus(berita_acara.status)
    couriers = [s for s in session.exec(select(StaffUser).where(StaffUser.active == True)  # noqa: E712
                                        .order_by(StaffUser.full_name)) if chain.courier_role in s.roles]
    is_creator = account.has_role(chain.creator_role)
    # What the account may do here, so the page names no role.
    may = {
        "sign": status == BeritaAcaraStatus.DRAFT and account.has_role(chain.signer_role),
        "edit": status == BeritaAcaraStatus.DRAFT and is_creator,
        "dispatch": status == BeritaAcaraStatus.SIGNED and is_creator,
        "record_delivery": handover.may_record_delivery(account, berita_acara, chain),
        "receive": handover.is_receiving_upt(account, berita_acara, chain),
    }
    items = handover.items_of(session, berita_acara)
    tickets = list(session.exec(select(Ticket).where(col(Ticket.id).in_([i.ticket_id for i in items]))))
    return render_template(
        "berita_acara/detail.html", ba=berita_acara, items=items, status=status, statuses=BeritaAcaraStatus, may=may,
        kecamatan=_kecamatan_names(session), couriers=couriers, people=_people(session, berita_acara),
        document_numbers={t.id: records.document_number(t) for t in tickets}, parafs=records.parafs(session, tickets),
    )


@bp.get("/<id:ba_id>/berita-acara.pdf")
@allowed(view_roles)
def pdf(ba_id: int) -> Response | tuple[str, int]:
    """The printable berita acara (the signed file once signed; after retention, a page saying it is gone)."""
    session = db.session()
    berita_acara = _visible(session, ba_id)
    filename = f"berita-acara-{berita_acara.number.replace('/', '-')}.pdf"
    if berita_acara.signed_pdf:
        record_view()
        return download(berita_acara.signed_pdf, FORMATS["pdf"], filename)
    if berita_acara.status != BeritaAcaraStatus.DRAFT:  # signed, and the PDF removed when retention ended
        return render_template("berita_acara/purged.html", ba=berita_acara), 410
    key = jobs.draft_key(berita_acara)
    return rendered_or_wait(key, filename,
                            ask=lambda: renderings.request(session, jobs.render_berita_acara, key, berita_acara.id))


@bp.post("/<id:ba_id>/keluarkan/<id:item_id>")
@allowed(creator_roles)
def remove_item(ba_id: int, item_id: int) -> Response:
    """Take a berkas out of a draft berita acara."""
    session = db.session()
    berita_acara = _visible(session, ba_id)
    return _step(lambda: handover.remove_item(session, berita_acara, user(), item_id), ba_id,
                 "Berkas dikeluarkan dari berita acara; berkas itu dapat masuk berita acara berikutnya.")


@bp.post("/<id:ba_id>/tandatangani")
@duty_required(RoleDuty.SIGN)
def sign(ba_id: int) -> Response:
    """The Kepala Dinas signs with the office certificate's passphrase."""
    session = db.session()
    berita_acara = _visible(session, ba_id)
    return _step(lambda: document.sign(session, berita_acara, user(), request.form.get("passphrase", ""),
                                       current_app.config),
                 ba_id, "Berita acara sudah ditandatangani.")


@bp.get("/verifikasi/<code>")
def verify(code: str) -> tuple[str, int] | str:
    """Public: whether the berita acara behind a QR code was signed by the office and is unchanged."""
    session = db.session()
    found = session.exec(select(BeritaAcara).where(BeritaAcara.verification_code == code)).first() \
        if 0 < len(code) <= 64 else None
    if found is None:
        return render_template("pdf_delivery/verification_unknown.html"), 404
    return render_template("berita_acara/verification.html",
                           result=document.verify(session, current_app.config, found))


@bp.post("/<id:ba_id>/serahkan-ke-kurir")
@allowed(creator_roles)
def dispatch(ba_id: int) -> Response:
    """The Kasi Inovasi hands the signed berita acara and the papers to a courier."""
    session = db.session()
    berita_acara = _visible(session, ba_id)
    courier_id = parse_id(request.form.get("kurir"))
    if request.form.get("kurir") and courier_id is None:
        abort(400)
    courier = session.get(StaffUser, courier_id) if courier_id else None
    if courier is None:
        flash("Pilih kurir yang membawa berkas.", "error")
        return redirect(url_for(".detail", ba_id=ba_id), code=303)
    return _step(lambda: handover.dispatch(session, berita_acara, user(), courier), ba_id,
                 f"Berkas diserahkan kepada kurir {courier.full_name}.")


@bp.post("/<id:ba_id>/diserahkan-ke-upt")
@allowed(courier_roles)
def delivered(ba_id: int) -> Response:
    """The courier records handing the papers to the UPT."""
    session = db.session()
    berita_acara = _visible(session, ba_id)
    return _step(lambda: handover.record_delivery(session, berita_acara, user()), ba_id,
                 "Penyerahan berkas ke UPT sudah dicatat.")


@bp.post("/<id:ba_id>/terima")
@allowed(upt_roles)
def receive(ba_id: int) -> Response:
    """The UPT confirms the papers item by item, with a note for each missing one."""
    session = db.session()
    berita_acara = _visible(session, ba_id)
    ticked = {parse_id(v) for v in request.form.getlist("ada")}
    noted = {parse_id(k.removeprefix("catatan-")): v for k, v in request.form.items() if k.startswith("catatan-")}
    if None in ticked or None in noted:
        abort(400)  # an item this form never listed
    found = {i for i in ticked if i is not None}
    notes = {i: v for i, v in noted.items() if i is not None}
    return _step(lambda: handover.confirm_receipt(session, berita_acara, user(), found, notes), ba_id,
                 "Penerimaan berkas sudah dicatat.")


@bp.post("/<id:ba_id>/susulan/<id:item_id>")
@allowed(upt_roles)
def receive_late(ba_id: int, item_id: int) -> Response:
    """A berkas noted missing arrives later."""
    session = db.session()
    berita_acara = _visible(session, ba_id)
    return _step(lambda: handover.receive_late(session, berita_acara, user(), item_id), ba_id,
                 "Berkas susulan sudah dicatat diterima.")


def rendered_or_wait(key: str, filename: str, ask: Callable[[], None] | None = None) -> Response | tuple[str, int]:
    """The rendering with this key as a download, or a page that reloads itself until the worker made it
    (`ask` queues the rendering, if it is to be asked for while waiting), or says it failed."""
    try:
        path = jobs.rendering_path(key)
    except ValueError:
        abort(404)
    if path.exists():
        record_view()
        return download(path.read_bytes(), FORMATS["pdf"], filename)
    if renderings.failed(key):
        return renderings.failed_page(key)
    if ask is not None:
        ask()
    return render_template("berita_acara/rendering.html"), 202


def record_view() -> None:
    """One audit record for a printed report listing citizens (the path names which), committed."""
    audit.record(db.session(), audit.AuditAction.VIEW_DOCUMENT, staff_id=user().id, detail=request.path,
                 ip=request.remote_addr)
    db.session().commit()


def _step(run: Callable[[], object], ba_id: int, done: str) -> Response:
    try:
        run()
    except HandoverError as exc:
        flash(str(exc), "error")
    else:
        flash(done, "success")
    return redirect(url_for(".detail", ba_id=ba_id), code=303)


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


def download(body: bytes, mimetype: str, filename: str) -> Response:
    """A file to save, never shown inside the browser (a PDF viewer there runs what the file carries)."""
    # content_type, not mimetype: Werkzeug adds "; charset=utf-8" to a text mimetype, which already carries one.
    return Response(body, content_type=mimetype, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
        "Cache-Control": "no-store",  # lists names of citizens
    })


def _kecamatan_names(session: Session) -> dict[str, str]:
    return {k.code: k.name for k in session.exec(select(KecamatanRow))}


def _people(session: Session, berita_acara: BeritaAcara) -> dict[str, StaffUser | None]:
    ids = {"created_by": berita_acara.created_by_id, "signed_by": berita_acara.signed_by_id,
           "courier": berita_acara.courier_id, "received_by": berita_acara.received_by_id}
    return {key: session.get(StaffUser, value) if value else None for key, value in ids.items()}
