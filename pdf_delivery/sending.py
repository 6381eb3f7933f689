"""Sending a signed document to the applicant's WhatsApp: the send job, the 24-hour window, Twilio's
status callbacks and the citizen's "kirim ulang".

Never twice for one try. Every call to Twilio is a *try* with its own idempotency key
(`pdf-<delivery>-<kind>-<n>`). Before the call the delivery records that key as `pending_key` and
`send_whatsapp` commits the message row; after the call the outcome is committed and the key
cleared. A try whose outcome was never recorded (the worker died after Twilio accepted, or the
answer timed out) is *in doubt*: the next run does not send again blindly, it first asks Twilio's
Messages API for a message to that number with the same text created since the try began. Found:
the delivery adopts it and sends nothing. Not found: the try is marked failed and a new try (a new
key) is made. An HTTP error answer (5xx, 429) is not in doubt: Twilio created nothing. So a retried
job never sends a second PDF for an accepted one, at the cost of one list request after a crash.
With the local outbox (development, no Twilio to ask) an in-doubt try is simply made again.

The ticket moves on from the PDF sender's stage (the stage of the role with the `send_pdf` duty)
when WhatsApp reports the PDF *delivered* (or read), not merely *sent*: "sent" means handed to
WhatsApp, and a message can still end "undelivered" after it (phone number without WhatsApp,
blocked). In the local outbox there are
no callbacks, so writing the message there counts as delivered.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import timedelta

import requests
from flask import current_app
from rq import get_current_job
from sqlalchemy import Exists, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from twilio.base.exceptions import TwilioException

from bot import catalogue
from bot.messaging import TemplateNotConfigured, send_template, send_whatsapp, twilio_client
from tickets.messages import Message
from layanan.phone import whatsapp_address
from bot.session_window import in_session_window
from layanan.db import job_session
from layanan.jobs import job_app
from layanan.outbox import defer
from pdf_delivery.delivery_models import ACTIVE_STATES, DeliveryReason, DeliveryState, PdfDelivery
from pdf_delivery.download_links import create_link
from pdf_delivery.models import DocumentStatus, IssuedDocument
from routing import definitions_with, workflow
from routing.definition import Action, Definition, FieldType, RoleDuty, Stage
from routing.engine import TransitionError
from tickets.constants import MessageStatus, Service
from tickets.models import Applicant, Ticket
from tickets.services import applicant_of, get_by_number
from tickets.staff import StaffUser
from layanan.clock import utcnow
from tickets.workflow_service import act

log = logging.getLogger(__name__)

FEATURE = "pengiriman PDF"
WINDOW_CLOSED = "63016"  # Twilio: free-form message outside the 24-hour window
TRANSIENT_HTTP = frozenset({429, 500, 502, 503, 504})
IN_DOUBT_LOOKBACK = timedelta(minutes=2)  # clock skew between us and Twilio when matching an in-doubt try


class SendRefused(Exception):
    """The PDF cannot be sent now; the message is Indonesian and shown to the PDF sender."""


class TransientSendError(RuntimeError):
    """Twilio or the network failed in a way worth another try; raised so RQ retries with backoff."""


# --- Starting a delivery --------------------------------------------------------------------------


def sending_stages(definition: Definition) -> tuple[Stage, ...]:
    """The stages at which an SOP sends the PDF: those of its role with the `send_pdf` duty (none without)."""
    if not definition.has_duty(RoleDuty.SEND_PDF):
        return ()
    return definition.stages_for_role(definition.role_for(RoleDuty.SEND_PDF, FEATURE))


def sender_stages(ticket: Ticket) -> frozenset[str]:
    """The stages at which the ticket's workflow sends the PDF (the PDF sender's stages)."""
    return frozenset(s.key for s in sending_stages(workflow(ticket.workflow)))


def sending_definitions() -> tuple[Definition, ...]:
    """The SOPs that send the signed PDF to the citizen's WhatsApp."""
    return definitions_with(RoleDuty.SEND_PDF)


def sent_confirmations(stage: Stage) -> dict[str, bool]:
    """The sending stage's checks, ticked for the PDF sender once WhatsApp reports the PDF delivered."""
    return {o.key: True for o in stage.outputs if o.type is FieldType.CHECK and not o.system_assigned}


def signed_document(session: Session, ticket_id: int) -> IssuedDocument | None:
    """The ticket's most recently signed document."""
    return _signed_documents(session, [ticket_id]).get(ticket_id)


def request_send(session: Session, ticket: Ticket, actor: StaffUser) -> PdfDelivery:
    """Record a delivery of one ticket's signed document and its send job; commits, or raises SendRefused."""
    deliveries, refusals = request_sends(session, [ticket], actor)
    if refusals:
        raise SendRefused(refusals[0])
    return deliveries[0]


def request_sends(session: Session, tickets: Sequence[Ticket], actor: StaffUser) -> tuple[list[PdfDelivery], list[str]]:
    """Record a delivery and its send job for each ticket that can be sent (the PDF sender's button), in one
    transaction; return them and the refusals (Indonesian, one per ticket refused)."""
    ids = [t.id for t in tickets if t.id is not None]
    documents = _signed_documents(session, ids)
    busy = set(session.exec(select(PdfDelivery.ticket_id).where(
        col(PdfDelivery.ticket_id).in_(ids), col(PdfDelivery.state).in_([str(s) for s in ACTIVE_STATES]))))
    phones = dict(session.exec(select(Applicant.id, Applicant.phone).where(
        col(Applicant.id).in_([t.applicant_id for t in tickets]))).all())
    deliveries: list[PdfDelivery] = []
    refusals: list[str] = []
    for ticket in tickets:
        refusal = _refusal(ticket, actor, documents.get(ticket.id), ticket.id in busy)
        if refusal:
            refusals.append(refusal)
            continue
        deliveries.append(PdfDelivery(
            ticket_id=ticket.id, document_id=documents[ticket.id].id, active_ticket_id=ticket.id,
            phone=phones[ticket.applicant_id], reason=DeliveryReason.SEND, requested_by_id=actor.id))
    try:
        _settle_old_flags(session, [d.ticket_id for d in deliveries])
        session.add_all(deliveries)
        session.flush()
        for delivery in deliveries:
            _queue_round(session, delivery)
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise SendRefused("Sebagian tiket baru saja dikirim petugas lain. Muat ulang halaman lalu coba lagi.") from exc
    if deliveries:
        log.info("%d PDF deliveries requested by %s", len(deliveries), actor.username)
    return deliveries, refusals


def _refusal(ticket: Ticket, actor: StaffUser, document: IssuedDocument | None, busy: bool) -> str | None:
    """Why the ticket's PDF cannot be sent now, or None."""
    if ticket.stage not in sender_stages(ticket):
        return f"Tiket {ticket.number} tidak sedang di tahap pengiriman PDF."
    if ticket.claimed_by_id is not None and ticket.claimed_by_id != actor.id:
        return f"Tiket {ticket.number} sedang dikerjakan petugas lain."
    if document is None:
        return f"Tiket {ticket.number} belum memiliki dokumen yang ditandatangani."
    if busy:
        return f"PDF tiket {ticket.number} sedang dikirim; tunggu hasilnya."
    return None


def _signed_documents(session: Session, ticket_ids: Sequence[int]) -> dict[int, IssuedDocument]:
    """The most recently signed document of each ticket."""
    latest: dict[int, IssuedDocument] = {}
    for document in session.exec(
        select(IssuedDocument)
        .where(col(IssuedDocument.ticket_id).in_(ticket_ids), IssuedDocument.status == DocumentStatus.SIGNED,
               col(IssuedDocument.signed_path).is_not(None))
        .order_by(col(IssuedDocument.signed_at), col(IssuedDocument.id))
    ):
        latest[document.ticket_id] = document
    return latest


def _settle_old_flags(session: Session, ticket_ids: Sequence[int]) -> None:
    """A new delivery answers the operator's flag on the earlier ones (they stay in the ticket's history)."""
    if ticket_ids:
        session.execute(update(PdfDelivery).where(col(PdfDelivery.ticket_id).in_(ticket_ids),
                                                  PdfDelivery.needs_operator == True)  # noqa: E712
                        .values(needs_operator=False))


def _queue_round(session: Session, delivery: PdfDelivery) -> None:
    """Put the delivery (back) on the send queue, in the caller's transaction."""
    delivery.rounds += 1
    delivery.state = DeliveryState.QUEUED
    delivery.updated_at = utcnow()
    session.add(delivery)
    defer(session, send_delivery, delivery.id, job_id=f"pdf-delivery-{delivery.id}-{delivery.rounds}",
          retry_intervals=current_app.config["PDF_SEND_RETRY_INTERVALS"])


# --- The send job ---------------------------------------------------------------------------------


def send_delivery(delivery_id: int) -> str:
    """Job: send the delivery's PDF (or, outside the 24-hour window, the template first), once."""
    app = job_app()
    with app.app_context(), job_session(app) as session:
        delivery = session.get(PdfDelivery, delivery_id)
        if delivery is None:
            return "no delivery"
        if delivery.state != DeliveryState.QUEUED:
            return f"nothing to do: {delivery.state}"
        settled = _settle_in_doubt(session, delivery)
        if settled is not None:
            return settled
        ticket = session.get(Ticket, delivery.ticket_id)
        document = session.get(IssuedDocument, delivery.document_id)
        assert ticket is not None and document is not None  # foreign keys
        if delivery.template_required or not in_session_window(session, delivery.phone):
            return _send_template(session, delivery, ticket)
        return _send_pdf(session, delivery, ticket, document)


def _send_pdf(session: Session, delivery: PdfDelivery, ticket: Ticket, document: IssuedDocument) -> str:
    config = current_app.config
    url = create_link(session, document.id, base_url=config["PUBLIC_BASE_URL"],
                      ttl_hours=config["DOWNLOAD_LINK_TTL_HOURS"], delivery_id=delivery.id)
    key = _begin_try(session, delivery, "pdf")
    body = catalogue.render("document_pdf", number=ticket.number, service_label=Service(ticket.service).label)
    try:
        message = send_whatsapp(session, delivery.phone, body, ticket_id=ticket.id, idempotency_key=key,
                                media_url=url)
    except TwilioException as exc:
        return _twilio_refused(session, delivery, key, exc)
    except requests.RequestException as exc:
        return _in_doubt(session, delivery, exc)
    _pdf_accepted(session, delivery, message)
    return f"pdf {message.twilio_sid}"


def _send_template(session: Session, delivery: PdfDelivery, ticket: Ticket) -> str:
    number, service_label = ticket.number, Service(ticket.service).label
    key = _begin_try(session, delivery, "template")
    try:
        message = send_template(
            session, delivery.phone, current_app.config["TWILIO_CONTENT_SID_DOCUMENT_READY"],
            {"1": number, "2": service_label},
            fallback_body=catalogue.render("document_ready_template", number=number, service_label=service_label),
            ticket_id=ticket.id, idempotency_key=key,
        )
    except TemplateNotConfigured:
        _clear_try(session, delivery)
        _flag(session, delivery, "Pemohon di luar jendela 24 jam WhatsApp, tetapi template 'dokumen siap' "
                                 "(TWILIO_CONTENT_SID_DOCUMENT_READY) belum dikonfigurasi.")
        return "template not configured"
    except TwilioException as exc:
        return _twilio_refused(session, delivery, key, exc)
    except requests.RequestException as exc:
        return _in_doubt(session, delivery, exc)
    _template_accepted(session, delivery, message)
    return f"template {message.twilio_sid}"


def _begin_try(session: Session, delivery: PdfDelivery, kind: str) -> str:
    """Count a call to Twilio and remember its key until its outcome is recorded; commits."""
    delivery.tries += 1
    delivery.pending_key = f"pdf-{delivery.id}-{kind}-{delivery.tries}"
    delivery.updated_at = utcnow()
    session.add(delivery)
    session.commit()
    return delivery.pending_key


def _clear_try(session: Session, delivery: PdfDelivery) -> None:
    delivery.pending_key = None
    session.add(delivery)


def _pdf_accepted(session: Session, delivery: PdfDelivery, message: Message) -> None:
    _clear_try(session, delivery)
    delivery.message_id, delivery.state = message.id, DeliveryState.SENT
    delivery.sent_at = delivery.updated_at = utcnow()
    delivery.error_code = delivery.problem = None
    delivery.needs_operator = False
    session.commit()
    if message.status == MessageStatus.OUTBOX:  # no status callbacks from the local outbox
        _delivered(session, delivery)


def _template_accepted(session: Session, delivery: PdfDelivery, message: Message) -> None:
    _clear_try(session, delivery)
    delivery.template_message_id, delivery.state = message.id, DeliveryState.WAITING_FOR_REPLY
    delivery.updated_at = utcnow()
    session.commit()


def _twilio_refused(session: Session, delivery: PdfDelivery, key: str, exc: TwilioException) -> str:
    """Twilio answered with an error: nothing was created, so the try is over either way."""
    status, code = getattr(exc, "status", None), str(getattr(exc, "code", "") or "")
    _mark_message_failed(session, key, code or str(status))
    _clear_try(session, delivery)
    delivery.error_code = code or None
    session.commit()
    if code == WINDOW_CLOSED and "-template-" not in key:  # a template refused so would loop: flag it below
        delivery.template_required = True
        session.add(delivery)
        session.commit()
        ticket = session.get(Ticket, delivery.ticket_id)
        assert ticket is not None
        return _send_template(session, delivery, ticket)
    if status in TRANSIENT_HTTP:
        return _retry_or_flag(session, delivery, f"Twilio menjawab HTTP {status}", exc)
    _flag(session, delivery, f"Twilio menolak pesan (HTTP {status}, kode {code or '-'}). Periksa nomor pemohon.",
          code or None)
    return f"refused {status} {code}"


def _in_doubt(session: Session, delivery: PdfDelivery, exc: requests.RequestException) -> str:
    """No answer from Twilio: the try stays pending and the next run checks it before sending. On the last
    run there is no next one: check now, so that the operator is not asked to resend an accepted PDF."""
    session.rollback()
    job = get_current_job()
    if job is None or not job.retries_left:
        try:
            settled = _settle_in_doubt(session, delivery)
        except (TwilioException, requests.RequestException):
            settled = None  # Twilio still unreachable: the flag below says so
        if settled is not None:
            return settled
    return _retry_or_flag(session, delivery, f"Twilio tidak menjawab ({type(exc).__name__})", exc)


def _retry_or_flag(session: Session, delivery: PdfDelivery, what: str, exc: Exception) -> str:
    """Raise so RQ tries again later; on the last try flag the ticket for the operator first."""
    job = get_current_job()
    if job is None or not job.retries_left:
        _flag(session, delivery, f"Pengiriman gagal setelah {delivery.tries} kali percobaan: {what}.")
    log.warning("PDF delivery %s: %s; RQ will retry", delivery.id, what)
    raise TransientSendError(what) from exc


def _flag(session: Session, delivery: PdfDelivery, problem: str, error_code: str | None = None) -> None:
    """Stop the delivery and show it to the PDF sender on the queue and the ticket page; commits."""
    session.refresh(delivery)
    if error_code:
        delivery.error_code = error_code
    delivery.state, delivery.needs_operator, delivery.active_ticket_id = DeliveryState.FAILED, True, None
    delivery.problem = problem[:300]
    delivery.updated_at = utcnow()
    session.add(delivery)
    session.commit()
    log.error("PDF delivery %s of ticket %s needs the operator: %s", delivery.id, delivery.ticket_id, problem)


def _mark_message_failed(session: Session, key: str, error_code: str | None) -> None:
    message = session.exec(select(Message).where(Message.idempotency_key == key)).first()
    if message is not None and not message.twilio_sid:
        message.status, message.error_code, message.updated_at = MessageStatus.FAILED, error_code, utcnow()
        session.add(message)


def _settle_in_doubt(session: Session, delivery: PdfDelivery) -> str | None:
    """Resolve a try whose outcome was never recorded; return the job's result if that settles the run."""
    key = delivery.pending_key
    if key is None:
        return None
    message = session.exec(select(Message).where(Message.idempotency_key == key)).first()
    if message is not None and not message.twilio_sid and current_app.config["TWILIO_ENABLED"]:
        found = _find_on_twilio(session, message)
        if found is not None:
            message.twilio_sid, message.status, message.updated_at = found.sid, found.status, utcnow()
            session.add(message)
            session.commit()
            log.warning("PDF delivery %s: try %s had reached Twilio (%s); not sent again", delivery.id, key, found.sid)
    if message is None or not message.twilio_sid:
        if message is not None:
            _mark_message_failed(session, key, "no-answer")
        _clear_try(session, delivery)
        session.commit()
        return None
    if "-template-" in key:
        _template_accepted(session, delivery, message)
        return f"template {message.twilio_sid} (settled)"
    _pdf_accepted(session, delivery, message)
    return f"pdf {message.twilio_sid} (settled)"


def _find_on_twilio(session: Session, message: Message):  # type: ignore[no-untyped-def]
    """The message Twilio created for an in-doubt try: to the same number, created since the try began,
    with a SID we never recorded, and the same text (a template's text is Twilio's rendering, so for a
    template the first two suffice)."""
    config = current_app.config
    since = message.created_at - IN_DOUBT_LOOKBACK
    template = message.content_sid is not None
    for candidate in twilio_client(config).messages.list(to=whatsapp_address(message.phone), limit=50):
        created = candidate.date_created
        if created is not None and created < since:
            continue
        if not template and candidate.body != message.body:
            continue
        if _known_sid(session, candidate.sid):
            continue
        return candidate
    return None


def _known_sid(session: Session, sid: str) -> bool:
    """Whether a Twilio SID is already recorded on one of our messages."""
    return session.exec(select(Message.id).where(Message.twilio_sid == sid)).first() is not None


# --- Answers from the citizen and from WhatsApp ---------------------------------------------------


def waiting_for_reply(phone: str) -> Exists:
    """SQL test: a PDF for this number waits for the citizen to re-open the 24-hour window."""
    return (select(PdfDelivery.id)
            .where(PdfDelivery.phone == phone, PdfDelivery.state == DeliveryState.WAITING_FOR_REPLY).exists())


def resume_waiting(session: Session, phone: str) -> list[str]:
    """The citizen wrote: queue the PDF of every delivery that waited for their answer, in the caller's
    transaction. Returns the ticket numbers concerned."""
    waiting = session.exec(
        select(PdfDelivery).where(PdfDelivery.phone == phone, PdfDelivery.state == DeliveryState.WAITING_FOR_REPLY)
    ).all()
    numbers = []
    for delivery in waiting:
        delivery.template_required = False  # this very message re-opens the window
        _queue_round(session, delivery)
        ticket = session.get(Ticket, delivery.ticket_id)
        numbers.append(ticket.number if ticket else "")
    return numbers


def message_status_changed(session: Session, message: Message) -> None:
    """A status callback moved one of our messages forward: update the delivery it belongs to."""
    delivery = session.exec(
        select(PdfDelivery).where((PdfDelivery.message_id == message.id)
                                  | (PdfDelivery.template_message_id == message.id))
        .order_by(col(PdfDelivery.id).desc())
    ).first()
    if delivery is None or delivery.state in (DeliveryState.DELIVERED, DeliveryState.FAILED):
        return
    failed = message.status in (MessageStatus.FAILED, MessageStatus.UNDELIVERED)
    if delivery.message_id == message.id:
        if message.status in (MessageStatus.DELIVERED, MessageStatus.READ):
            _delivered(session, delivery)
        elif failed and message.error_code == WINDOW_CLOSED:
            # WhatsApp says the window is closed after all: the template first, the PDF after the answer.
            delivery.template_required, delivery.error_code = True, WINDOW_CLOSED
            _queue_round(session, delivery)
            session.commit()
        elif failed:
            _flag(session, delivery, f"WhatsApp melaporkan PDF {message.status} (kode {message.error_code or '-'}).",
                  message.error_code)
    elif failed:
        _flag(session, delivery, f"Template 'dokumen siap' {message.status} (kode {message.error_code or '-'}).",
              message.error_code)


def _delivered(session: Session, delivery: PdfDelivery) -> None:
    """The PDF is on the citizen's phone: record it and move the ticket on to the handover batch."""
    delivery.state, delivery.delivered_at, delivery.active_ticket_id = DeliveryState.DELIVERED, utcnow(), None
    delivery.updated_at = delivery.delivered_at
    session.add(delivery)
    session.commit()
    ticket = session.get(Ticket, delivery.ticket_id)
    assert ticket is not None
    session.refresh(ticket)
    if ticket.stage not in sender_stages(ticket):
        return  # a resend after the ticket moved on
    actor = session.get(StaffUser, ticket.claimed_by_id or delivery.requested_by_id or -1)
    if actor is None:
        _flag_after_delivery(session, delivery, "PDF diterima pemohon; teruskan tiket secara manual.")
        return
    message = session.get(Message, delivery.message_id) if delivery.message_id else None
    try:
        if ticket.claimed_by_id is None:
            ticket, _, _ = act(session, ticket, Action.CLAIM, actor_id=actor.id, actor_roles=set(actor.roles),
                               expected_version=ticket.version)
        act(session, ticket, Action.ADVANCE, actor_id=actor.id, actor_roles=set(actor.roles),
            expected_version=ticket.version,
            payload={"outputs": sent_confirmations(workflow(ticket.workflow).stage(ticket.stage)),
                     "note": f"PDF diterima di WhatsApp pemohon ({message.twilio_sid if message else '-'})."})
    except TransitionError as exc:
        _flag_after_delivery(session, delivery, f"PDF diterima pemohon, tetapi tiket tidak dapat diteruskan "
                                                f"otomatis: {exc.message}")


def _flag_after_delivery(session: Session, delivery: PdfDelivery, problem: str) -> None:
    delivery.needs_operator, delivery.problem = True, problem[:300]
    session.add(delivery)
    session.commit()
    log.warning("PDF delivery %s: %s", delivery.id, problem)


# --- "kirim ulang <nomor>" ------------------------------------------------------------------------


def resend_reply(session: Session, phone: str, number: str) -> str:
    """Queue the same signed document again for the citizen, only to the ticket's recorded number; the
    refusal is the same whether the ticket does not exist or is someone else's. The caller commits."""
    ticket = get_by_number(session, number)
    if ticket is None or applicant_of(session, ticket).phone != phone:
        log.info("resend of %s refused for a number not on the ticket (…%s)", number, phone[-4:])
        return catalogue.render("resend_refused", number=number)
    previous = _latest_delivery(session, ticket.id)
    document = signed_document(session, ticket.id)
    if previous is None or document is None:
        return catalogue.render("resend_not_ready", number=ticket.number)
    if previous.state in ACTIVE_STATES:
        if previous.state == DeliveryState.WAITING_FOR_REPLY:
            resume_waiting(session, phone)
        return catalogue.render("resend_accepted", number=ticket.number)
    delivery = PdfDelivery(ticket_id=ticket.id, document_id=document.id, active_ticket_id=ticket.id, phone=phone,
                           reason=DeliveryReason.RESEND, requested_by_id=previous.requested_by_id)
    _settle_old_flags(session, [ticket.id])
    session.add(delivery)
    session.flush()
    _queue_round(session, delivery)
    log.info("ticket %s: PDF resend %s asked by the applicant", ticket.number, delivery.id)
    return catalogue.render("resend_accepted", number=ticket.number)


def _latest_delivery(session: Session, ticket_id: int) -> PdfDelivery | None:
    return session.exec(
        select(PdfDelivery).where(PdfDelivery.ticket_id == ticket_id).order_by(col(PdfDelivery.id).desc())
    ).first()


def deliveries_of(session: Session, ticket_ids: Iterable[int]) -> dict[int, PdfDelivery]:
    """The latest delivery of each ticket, for the queue and the ticket page."""
    ids = list(ticket_ids)
    if not ids:
        return {}
    latest: dict[int, PdfDelivery] = {}
    for delivery in session.exec(select(PdfDelivery).where(col(PdfDelivery.ticket_id).in_(ids))
                                 .order_by(col(PdfDelivery.id))):
        latest[delivery.ticket_id] = delivery
    return latest
