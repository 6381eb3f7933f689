"""The PDF sender's queue (send one or a batch) and the public, expiring download URL Twilio fetches."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from sqlalchemy import and_, false
from sqlmodel import Session, col, or_, select
from werkzeug.wrappers import Response

from layanan import db
from layanan.ids import parse_id
from pdf_delivery import sending
from pdf_delivery.delivery_models import DeliveryState, PdfDelivery
from pdf_delivery.download_links import Refusal, record_fetch, resolve, verified_file
from pdf_delivery.models import DocumentStatus, IssuedDocument
from routing.definition import RoleDuty
from tickets.access import duty_required, duty_roles, user
from tickets.models import Applicant, Ticket

log = logging.getLogger(__name__)
bp = Blueprint("pdf_delivery", __name__)
MAX_BATCH = 100  # tickets per press of the button; the queue shows no more at once


@bp.app_context_processor
def delivery_helpers() -> dict[str, Any]:
    """Lets the ticket page show the delivery state of its PDF, and the navigation who sends PDFs."""
    return {"pdf_deliveries": _ticket_deliveries, "delivery_state_label": _state_label,
            "pdf_sender_roles": duty_roles(RoleDuty.SEND_PDF)}


@bp.get("/pengiriman-pdf")
@duty_required(RoleDuty.SEND_PDF)
def delivery_queue() -> str:
    """Tickets whose signed PDF is ready to send, and deliveries the operator must look at, flagged first."""
    session = db.session()
    rows = _queue_rows(session)
    return render_template("pdf_delivery/delivery_queue.html", rows=rows, max_batch=MAX_BATCH)


@bp.post("/pengiriman-pdf/kirim")
@duty_required(RoleDuty.SEND_PDF)
def send_selected() -> Response:
    """Queue the PDF of each selected ticket; every refusal is reported, the others go out."""
    chosen = [parse_id(v) for v in request.form.getlist("tiket")]
    if None in chosen:
        abort(400)  # a ticket this queue never listed
    ids = list(dict.fromkeys(i for i in chosen if i is not None))[:MAX_BATCH]
    if not ids:
        flash("Pilih minimal satu tiket untuk dikirim.", "error")
        return redirect(url_for("pdf_delivery.delivery_queue"), code=303)
    session = db.session()
    tickets = [t for t in (session.get(Ticket, i) for i in ids) if t is not None]
    try:
        deliveries, refusals = sending.request_sends(session, tickets, user())
    except sending.SendRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("pdf_delivery.delivery_queue"), code=303)
    for refusal in refusals:
        flash(refusal, "error")
    if deliveries:
        numbers = {t.id: t.number for t in tickets}
        flash(f"PDF {len(deliveries)} tiket masuk antrean kirim: "
              f"{', '.join(numbers[d.ticket_id] for d in deliveries)}.")
    return redirect(url_for("pdf_delivery.delivery_queue"), code=303)


@bp.get("/unduh/<token>")
def download(token: str) -> Response | tuple[str, int]:
    """The signed PDF behind an unexpired link with downloads left; any other token gets the same Indonesian
    refusal page. A HEAD request uses no download."""
    session = db.session()
    max_uses = int(current_app.config["DOWNLOAD_LINK_MAX_USES"])
    found = resolve(session, token, max_uses)
    if found.refusal in (Refusal.EXPIRED, Refusal.USED_UP):
        log.info("download link %s refused: %s", found.link.id if found.link else "-", found.refusal)
        return _refused(found.refusal), 410
    if found.link is None:
        log.info("download refused: unknown token from %s", request.remote_addr)
        return render_template("pdf_delivery/delivery_link_refused.html", expired=False), 404
    link = found.link
    document = session.get(IssuedDocument, link.document_id)
    ticket = session.get(Ticket, document.ticket_id) if document else None
    path = verified_file(_documents_root(), document.signed_path, document.signed_sha256) if document else None
    if ticket is None or path is None:
        log.error("download link %s: signed file missing or altered", link.id)
        return render_template("pdf_delivery/delivery_link_refused.html", expired=False), 404
    if request.method != "HEAD" and not record_fetch(session, link, max_uses):
        log.info("download link %s refused: %s", link.id, Refusal.USED_UP)
        return _refused(Refusal.USED_UP), 410
    log.info("download link %s of ticket %s fetched (%d) by %s", link.id, ticket.number, link.fetch_count,
             request.headers.get("User-Agent", "-")[:60])
    response = send_file(path, mimetype="application/pdf", as_attachment=True,
                         download_name=f"{ticket.number}.pdf", conditional=False, etag=False, max_age=None)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _refused(refusal: Refusal) -> str:
    return render_template("pdf_delivery/delivery_link_refused.html", expired=refusal is Refusal.EXPIRED,
                           used_up=refusal is Refusal.USED_UP,
                           max_uses=int(current_app.config["DOWNLOAD_LINK_MAX_USES"]))


def _documents_root() -> Path:
    return Path(current_app.config["DOCUMENTS_PATH"])


def _queue_rows(session: Session) -> list[dict[str, Any]]:
    at_sending = or_(false(), *[and_(col(Ticket.workflow) == d.key,
                                     col(Ticket.stage).in_([s.key for s in sending.sending_stages(d)]))
                                for d in sending.sending_definitions()])
    flagged = select(PdfDelivery.ticket_id).where(PdfDelivery.needs_operator == True,  # noqa: E712
                                                  PdfDelivery.state == DeliveryState.FAILED)
    signed = select(IssuedDocument.ticket_id).where(IssuedDocument.status == DocumentStatus.SIGNED)
    tickets = session.exec(
        select(Ticket).where(or_(col(Ticket.id).in_(flagged),
                                 and_(at_sending, col(Ticket.id).in_(signed))))
        .order_by(col(Ticket.id).in_(flagged).desc(), col(Ticket.stage_entered_at), col(Ticket.id)).limit(MAX_BATCH)
    ).all()
    deliveries = sending.deliveries_of(session, [t.id for t in tickets if t.id is not None])
    applicants = {a.id: a for a in session.exec(
        select(Applicant).where(col(Applicant.id).in_([t.applicant_id for t in tickets])))}
    rows = []
    for ticket in tickets:
        delivery = deliveries.get(ticket.id)
        rows.append({
            "ticket": ticket, "applicant": applicants.get(ticket.applicant_id), "delivery": delivery,
            "can_send": ticket.stage in sending.sender_stages(ticket)
            and (delivery is None or delivery.state not in sending.ACTIVE_STATES),
            "flagged": bool(delivery and delivery.needs_operator),
        })
    return rows


def _ticket_deliveries(ticket: Ticket) -> list[PdfDelivery]:
    """Every delivery of the ticket's PDF, newest first."""
    return list(db.session().exec(
        select(PdfDelivery).where(PdfDelivery.ticket_id == ticket.id).order_by(col(PdfDelivery.id).desc())
    ))


def _state_label(value: str) -> str:
    try:
        return DeliveryState(value).label
    except ValueError:
        return value
