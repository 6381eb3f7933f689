"""Pages of the electronic signature: the operator's upload, the Kepala Dinas's queue, public verification."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from sqlmodel import Session
from werkzeug.wrappers import Response

from layanan import db
from layanan.ids import parse_id
from pdf_delivery.documents import (
    DocumentRefused,
    can_upload,
    current_document,
    document_file,
    read_limited,
    signer_name,
    signing_stage_keys,
    upload_document,
)
from pdf_delivery.models import DocumentStatus, IssuedDocument
from pdf_delivery.signing import SigningError
from pdf_delivery.signing_batch import sign_tickets, signing_queue
from pdf_delivery.verification import find_by_code, verify_document
from tickets import audit, services
from routing.definition import RoleDuty
from tickets.access import can_view_ticket, duty_required, duty_roles, roles_required, user
from tickets.events import Elsewhere
from tickets.models import Ticket
from tickets.staff_pages import guard

log = logging.getLogger(__name__)
bp = Blueprint("signing", __name__)
guard(bp)


@bp.app_context_processor
def document_helpers() -> dict[str, Any]:
    """Lets the ticket page show the issued document and, to the operator, the upload form; and the
    navigation who signs."""

    def issued_document(ticket: Ticket) -> dict[str, Any]:
        return {"document": current_document(db.session(), int(ticket.id or 0)),
                "may_upload": can_upload(user(), ticket), "signer_name": signer_name(ticket.workflow)}

    return {"issued_document": issued_document, "document_status": DocumentStatus,
            "signer_roles": duty_roles(RoleDuty.SIGN)}


@bp.post("/tiket/<number>/dokumen")
@roles_required()
def upload(number: str) -> Response:
    """Store the document PDF for the ticket; a refusal says why and keeps nothing."""
    ticket = _viewable_ticket(number)
    file = request.files.get("dokumen")
    target = url_for("backoffice.ticket_detail", number=number) + "#dokumen"
    if file is None or not file.filename:
        flash("Pilih file PDF dokumen terlebih dahulu.", "error")
        return redirect(target, code=303)
    try:
        content = read_limited(file.stream, int(current_app.config["DOCUMENT_MAX_BYTES"]))
        upload_document(db.session(), current_app.config, ticket, user(), content)
    except DocumentRefused as exc:
        flash(str(exc), "error")
        return redirect(target, code=303)
    then = "Teruskan tiket untuk mengajukan TTE." if signer_name(ticket.workflow) else "Teruskan tiket bila sudah siap."
    flash(f"Dokumen PDF untuk tiket {number} tersimpan. {then}", "ok")
    return redirect(target, code=303)


@bp.get("/tte")
@duty_required(RoleDuty.SIGN)
def queue() -> str:
    """Tickets waiting for the Kepala Dinas's signature, with their documents (and, through the berita
    acara's include, the berita acara waiting for it)."""
    return render_template("pdf_delivery/signing_queue.html", items=signing_queue(db.session(), user()))


@bp.get("/tte/dokumen/<id:document_id>")
@duty_required(RoleDuty.SIGN)
def preview(document_id: int) -> Response:
    """The document as uploaded (or signed), as a download to open in a PDF reader, never cached."""
    session = db.session()
    document = session.get(IssuedDocument, document_id)
    if document is None:
        abort(404)
    relative = document.signed_path if document.signed_path else document.original_path
    path = document_file(current_app.config, relative)
    if path is None:
        abort(404)
    audit.record(session, audit.AuditAction.VIEW_DOCUMENT, staff_id=user().id, ticket_id=document.ticket_id,
                 detail=request.path, ip=request.remote_addr)
    session.commit()
    log.info("staff %s previewed document %s", user().username, document.id)
    response = send_file(path, mimetype="application/pdf", as_attachment=True,
                         download_name=f"dokumen-{document.id}.pdf", conditional=False, etag=False, max_age=None)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/tte/tandatangani")
@duty_required(RoleDuty.SIGN)
def sign() -> Response:
    """Sign the ticked documents after the passphrase is re-entered; report each ticket's outcome."""
    chosen = [parse_id(v) for v in request.form.getlist("ticket_id")]
    if None in chosen:
        abort(400)  # a document this queue never listed
    ids = [i for i in chosen if i is not None]
    passphrase = request.form.get("passphrase", "")
    back = redirect(url_for("signing.queue"), code=303)  # refused or done: a reload never signs again
    if not ids:
        flash("Pilih minimal satu dokumen untuk ditandatangani.", "error")
        return back
    if not passphrase:
        flash("Masukkan passphrase TTE untuk menandatangani.", "error")
        return back
    try:
        outcomes = sign_tickets(db.session(), current_app.config, user(), passphrase, ids)
    except SigningError as exc:
        flash(str(exc), "error")
        return back
    for outcome in outcomes:
        flash(outcome.message, "ok" if outcome.signed else "error")
    return back


@bp.get("/verifikasi/<code>")
def verify(code: str) -> tuple[str, int] | str:
    """Public: whether the document behind a QR code is signed by the office and unchanged."""
    session = db.session()
    document = find_by_code(session, code)
    if document is None:
        return render_template("pdf_delivery/verification_unknown.html"), 404
    result = verify_document(session, current_app.config, document)
    return render_template("pdf_delivery/verification.html", result=result)



def sign_on_the_tte_page(session: Session, ticket: Ticket) -> Elsewhere | None:
    """The signing page, for a ticket waiting for the signature: its advance is the signature itself."""
    if ticket.stage not in signing_stage_keys(ticket.workflow):
        return None
    return Elsewhere(url_for("signing.queue") + f"#t{ticket.id}-baris", "Buka halaman Tanda Tangan Elektronik",
                     "Dokumen ditandatangani dengan passphrase sertifikat TTE di halaman Tanda Tangan Elektronik; "
                     "tiket diteruskan otomatis begitu dokumennya ditandatangani.")


def _viewable_ticket(number: str) -> Ticket:
    ticket = services.get_by_number(db.session(), number)
    if ticket is None:
        abort(404)
    if not can_view_ticket(user(), ticket):
        abort(403)
    return ticket

