"""Pages of the electronic signature: the operator's upload, the Kepala Dinas's queue, public verification."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask import session as flask_session
from sqlmodel import Session
from werkzeug.wrappers import Response

from layanan import db
from layanan.ids import parse_id
from pdf_delivery.documents import (
    DocumentRefused,
    can_upload,
    current_document,
    document_file,
    document_stage,
    read_limited,
    signer_name,
    signing_stage_keys,
    upload_document,
)
from pdf_delivery.models import DocumentStatus, IssuedDocument
from pdf_delivery.signing import SigningError
from pdf_delivery.signing_batch import documents_to_sign, sign_tickets, signing_queue, signing_queue_size
from pdf_delivery.verification import find_by_code, verify_document
from tickets import audit, detail, services
from routing import workflow
from routing.definition import Action, RoleDuty
from routing.engine import MissingOutput, TransitionError
from tickets.access import can_view_ticket, duty_required, duty_roles, roles_required, stage_owner, user
from tickets.events import Elsewhere
from tickets.models import Ticket
from tickets.staff import StaffUser
from tickets.workflow_service import Conflict, act
from tickets.staff_pages import guard

log = logging.getLogger(__name__)
# Documents per press of the signing button, and rows the signing page lists (the oldest): one batch is signed
# within one web request (about 0.1 s per document), far inside the server's request timeout.
SIGN_BATCH = 100

bp = Blueprint("signing", __name__)
guard(bp)


@bp.app_context_processor
def document_helpers() -> dict[str, Any]:
    """Lets the ticket page show the issued document and, to the operator, the upload form; and the
    navigation who signs and how many documents wait for the signer."""

    def issued_document(ticket: Ticket) -> dict[str, Any]:
        stage = document_stage(ticket)
        return {"document": current_document(db.session(), int(ticket.id or 0)),
                "may_upload": can_upload(user(), ticket), "signer_name": signer_name(ticket.workflow),
                "outputs": [o for o in stage.outputs if not o.system_assigned] if stage else [],
                "prefix": detail.OUTPUT_PREFIX, "draft": _draft_of(ticket),
                "may_open": may_open_document(user(), ticket)}

    return {"issued_document": issued_document, "document_status": DocumentStatus,
            "signer_roles": duty_roles(RoleDuty.SIGN),
            "documents_to_sign": lambda: documents_to_sign(db.session(), user())}


@bp.post("/tiket/<number>/dokumen")
@roles_required()
def upload(number: str) -> Response:
    """Store the document PDF and, with "Unggah dan teruskan", advance the ticket with the stage's fields in
    the same form. Whatever happens the browser is sent back (303) to the ticket page, where a refusal is
    said beside its field and the typed values are filled in again."""
    ticket = _viewable_ticket(number)
    target = url_for("backoffice.ticket_detail", number=number) + "#dokumen"
    advance = request.form.get("langkah") == "teruskan"
    kept = {k: v[:2000] for k, v in request.form.items() if k.startswith(detail.OUTPUT_PREFIX) or k == "note"}
    _keep_draft(number, kept)
    file = request.files.get("dokumen")
    has_document = current_document(db.session(), int(ticket.id or 0)) is not None
    if file is None or not file.filename:
        if not (advance and has_document):
            flash("Pilih file PDF dokumen terlebih dahulu.", "error")
            return redirect(target, code=303)
    else:
        try:
            content = read_limited(file.stream, int(current_app.config["DOCUMENT_MAX_BYTES"]))
            upload_document(db.session(), current_app.config, ticket, user(), content)
        except DocumentRefused as exc:
            flash(str(exc), "error")
            return redirect(target, code=303)
        if not advance:
            then = "Teruskan tiket untuk mengajukan TTE." if signer_name(ticket.workflow) else \
                "Teruskan tiket bila sudah siap."
            flash(f"Dokumen PDF untuk tiket {number} tersimpan. {then}", "ok")
            return redirect(target, code=303)
    return _advance_with_document(ticket, target, uploaded=bool(file and file.filename))


def _advance_with_document(ticket: Ticket, target: str, *, uploaded: bool) -> Response:
    """Advance the ticket (claiming it first when nobody holds it) with the fields of the upload form."""
    session = db.session()
    account = user()
    definition = workflow(ticket.workflow)
    roles = set(account.roles)
    version = parse_id(request.form.get("version"))
    try:
        if version != ticket.version:
            raise Conflict()
        if ticket.claimed_by_id is None:
            ticket, _, _ = act(session, ticket, Action.CLAIM, actor_id=account.id, actor_roles=roles,
                               expected_version=ticket.version)
        payload = detail.payload_from_form(definition, ticket, Action.ADVANCE, request.form)
        ticket, _, transition = act(session, ticket, Action.ADVANCE, actor_id=account.id, actor_roles=roles,
                                    expected_version=ticket.version, payload=payload)
    except TransitionError as exc:
        stored = "Dokumen PDF tersimpan, tetapi tiket" if uploaded else "Tiket"
        flash(f"{stored} belum diteruskan. {exc.message}", "error")
        if isinstance(exc, MissingOutput):
            _keep_draft(ticket.number, flask_session[DRAFT]["fields"], exc.fields)
        return redirect(target, code=303)
    flask_session.pop(DRAFT, None)
    stored = "Dokumen PDF tersimpan. " if uploaded else ""
    flash(f'{stored}Tiket {ticket.number} diteruskan ke tahap "{definition.stage(transition.to_stage).name}".', "ok")
    return redirect(url_for("backoffice.queue"), code=303)


# The upload form's typed values and refusals, kept for the page the browser is sent back to (one at a time).
DRAFT = "dokumen_draft"


def _keep_draft(number: str, fields: Mapping[str, str], errors: Mapping[str, str] | None = None) -> None:
    flask_session[DRAFT] = {"number": number, "fields": dict(fields), "errors": dict(errors or {})}


def _draft_of(ticket: Ticket) -> dict[str, Any]:
    draft = flask_session.get(DRAFT) or {}
    return draft if draft.get("number") == ticket.number else {"fields": {}, "errors": {}}


@bp.get("/tte")
@duty_required(RoleDuty.SIGN)
def queue() -> str:
    """Tickets waiting for the Kepala Dinas's signature, with their documents (and, through the berita
    acara's include, the berita acara waiting for it)."""
    session = db.session()
    items = signing_queue(session, user(), SIGN_BATCH)
    # Counted only when the batch is full: a shorter list is the whole queue.
    total = signing_queue_size(session, user()) if len(items) == SIGN_BATCH else len(items)
    return render_template("pdf_delivery/signing_queue.html", items=items, total=total, sign_batch=SIGN_BATCH)


@bp.get("/tte/dokumen/<id:document_id>")
@duty_required(RoleDuty.SIGN)
def preview(document_id: int) -> Response:
    """The document as uploaded (or signed), as a download to open in a PDF reader, never cached."""
    document = db.session().get(IssuedDocument, document_id)
    if document is None:
        abort(404)
    return _send_document(document)


@bp.get("/tiket/<number>/dokumen.pdf")
@roles_required()
def ticket_document(number: str) -> Response:
    """The ticket's document (its signed copy once signed) for the officer who has the ticket in hand now,
    e.g. the print operator who prints the signed document, and for the signer."""
    ticket = _viewable_ticket(number)
    if not may_open_document(user(), ticket):
        abort(403)
    document = current_document(db.session(), int(ticket.id or 0))
    if document is None:
        abort(404)
    return _send_document(document)


def may_open_document(account: StaffUser, ticket: Ticket) -> bool:
    """Whether the account may download the ticket's document: the role of its current stage, or its signer."""
    owner = stage_owner(ticket)
    definition = workflow(ticket.workflow)
    signers = definition.roles_for(RoleDuty.SIGN) if definition.has_duty(RoleDuty.SIGN) else ()
    return account.has_role(*signers) or (owner is not None and account.has_role(owner))


def _send_document(document: IssuedDocument) -> Response:
    """The signed copy (or, before signing, the upload) as a download, recorded in the audit log."""
    relative = document.signed_path if document.signed_path else document.original_path
    path = document_file(current_app.config, relative)
    if path is None:
        abort(404)
    session = db.session()
    audit.record(session, audit.AuditAction.VIEW_DOCUMENT, staff_id=user().id, ticket_id=document.ticket_id,
                 detail=request.path, ip=request.remote_addr)
    session.commit()
    log.info("staff %s opened document %s", user().username, document.id)
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
    if len(set(ids)) > SIGN_BATCH:
        flash(f"Paling banyak {SIGN_BATCH} dokumen sekali tanda tangan; tidak ada yang ditandatangani.", "error")
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



def upload_and_advance(session: Session, ticket: Ticket) -> Elsewhere | None:
    """The document panel's form, for a ticket whose stage asks for a document: upload and advance together."""
    if document_stage(ticket) is None:
        return None
    return Elsewhere("#dokumen", "Ke formulir Dokumen terbit",
                     "Unggah PDF dokumen dan isi data tahap ini dalam satu formulir di bagian Dokumen terbit, "
                     "lalu teruskan dari sana.")


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

