"""Sending a signed document to the applicant's WhatsApp: the send job, the 24-hour window, Twilio's
status callbacks and the citizen's "kirim ulang".

Never twice: every message goes out through bot.outbound.send_once, which owns the idempotency
key's message row, the look-up on Twilio before an in-doubt try is made again, and which errors are
worth a retry. A delivery keeps the key it is sending (`pdf-<delivery>-<kind>-<round>`) as
`pending_key` until the outcome is recorded, so a retried or restarted job sends under the same
key and send_once settles what the earlier run left in doubt. Outside the 24-hour window the
approved template goes first and the PDF follows the citizen's answer (the next round).

The ticket moves on from the PDF sender's stage (the stage of the role with the `send_pdf` duty)
when WhatsApp reports the PDF *delivered* (or read), not merely *sent*: "sent" means handed to
WhatsApp, and a message can still end "undelivered" after it (phone number without WhatsApp,
blocked). In the local outbox there are no callbacks, so writing the message there counts as
delivered.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from flask import current_app
from sqlalchemy import Exists, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot import catalogue
from bot.outbound import NO_ANSWER, SendFailed, Template, TemplateNotConfigured, send_once
from bot.outbound import SendRefused as TwilioRefused
from bot.session_window import in_session_window
from layanan.clock import utcnow
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
from tickets.messages import Message
from tickets.models import Applicant, Ticket
from tickets.services import own_ticket
from tickets.staff import StaffUser
from tickets.workflow_service import act

log = logging.getLogger(__name__)

FEATURE = "pengiriman PDF"
WINDOW_CLOSED = "63016"  # Twilio: free-form message outside the 24-hour window


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
        ticket = session.get(Ticket, delivery.ticket_id)
        document = session.get(IssuedDocument, delivery.document_id)
        assert ticket is not None and document is not None  # foreign keys
        # A key whose outcome was never recorded is sent under again: send_once first asks Twilio.
        key = delivery.pending_key
        if key is None:
            template = delivery.template_required or not in_session_window(session, delivery.phone)
            key = _key(delivery, "template" if template else "pdf")
        if _is_template(key):
            return _send_template(session, delivery, ticket, key)
        return _send_pdf(session, delivery, ticket, document, key)


def _key(delivery: PdfDelivery, kind: str) -> str:
    """The idempotency key of the delivery's message of this kind in its current round."""
    return f"pdf-{delivery.id}-{kind}-{delivery.rounds}"


def _is_template(key: str) -> bool:
    return "-template-" in key


def _send_pdf(session: Session, delivery: PdfDelivery, ticket: Ticket, document: IssuedDocument, key: str) -> str:
    config = current_app.config
    url = create_link(session, document.id, base_url=config["PUBLIC_BASE_URL"],
                      ttl_hours=config["DOWNLOAD_LINK_TTL_HOURS"], delivery_id=delivery.id)
    _begin_try(session, delivery, key)
    body = catalogue.render("document_pdf", number=ticket.number, service_label=Service(ticket.service).label)
    try:
        message = send_once(session, phone=delivery.phone, key=key, body=body, ticket_id=ticket.id, media_url=url)
    except TwilioRefused as exc:
        return _twilio_refused(session, delivery, ticket, exc)
    except SendFailed as exc:
        return _retry_or_flag(session, delivery, exc)
    _pdf_accepted(session, delivery, message)
    return f"pdf {message.twilio_sid}"


def _send_template(session: Session, delivery: PdfDelivery, ticket: Ticket, key: str) -> str:
    number, service_label = ticket.number, Service(ticket.service).label
    template = Template(content_sid=current_app.config["TWILIO_CONTENT_SID_DOCUMENT_READY"],
                        variables={"1": number, "2": service_label},
                        text=catalogue.render("document_ready_template", number=number, service_label=service_label))
    _begin_try(session, delivery, key)
    try:
        message = send_once(session, phone=delivery.phone, key=key, template=template, ticket_id=ticket.id)
    except TemplateNotConfigured:
        _clear_try(session, delivery)
        _flag(session, delivery, "Pemohon di luar jendela 24 jam WhatsApp, tetapi template 'dokumen siap' "
                                 "(TWILIO_CONTENT_SID_DOCUMENT_READY) belum dikonfigurasi.")
        return "template not configured"
    except TwilioRefused as exc:
        return _twilio_refused(session, delivery, ticket, exc)
    except SendFailed as exc:
        return _retry_or_flag(session, delivery, exc)
    _template_accepted(session, delivery, message)
    return f"template {message.twilio_sid}"


def _begin_try(session: Session, delivery: PdfDelivery, key: str) -> None:
    """Remember the key until its outcome is recorded and count the call to Twilio; commits. A try left
    in doubt is not counted again: send_once first looks for it on Twilio."""
    earlier = session.exec(select(Message).where(Message.idempotency_key == key)).first()
    in_doubt = earlier is not None and not earlier.twilio_sid and earlier.error_code in (None, NO_ANSWER)
    if not in_doubt:
        delivery.tries += 1
    delivery.pending_key = key
    delivery.updated_at = utcnow()
    session.add(delivery)
    session.commit()


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


def _twilio_refused(session: Session, delivery: PdfDelivery, ticket: Ticket, exc: TwilioRefused) -> str:
    """Twilio refused the message for good (send_once marked it failed): the try is over."""
    session.refresh(delivery)
    _clear_try(session, delivery)
    delivery.error_code = exc.code or None
    session.commit()
    if exc.code == WINDOW_CLOSED and not _is_template(exc.key):  # a template refused so would loop: flag it
        delivery.template_required = True
        session.add(delivery)
        session.commit()
        return _send_template(session, delivery, ticket, _key(delivery, "template"))
    _flag(session, delivery, f"Twilio menolak pesan (HTTP {exc.status}, kode {exc.code or '-'}). "
                             "Periksa nomor pemohon.", exc.code or None)
    return f"refused {exc.status} {exc.code}"


def _retry_or_flag(session: Session, delivery: PdfDelivery, exc: SendFailed) -> str:
    """Raise so RQ tries again later under the same key; after the last try flag the ticket for the operator."""
    what = _failure(exc.error_code)
    if exc.gave_up:
        _flag(session, delivery, f"Pengiriman gagal setelah {delivery.tries} kali percobaan: {what}.")
    log.warning("PDF delivery %s: %s; RQ will retry", delivery.id, what)
    raise TransientSendError(what) from exc


def _failure(error_code: str) -> str:
    """send_once's error code as the PDF sender reads it."""
    if error_code.startswith("http-"):
        return f"Twilio menjawab HTTP {error_code.removeprefix('http-')}"
    if error_code == NO_ANSWER:
        return "Twilio tidak menjawab"
    return f"Twilio: {error_code}"


def _flag(session: Session, delivery: PdfDelivery, problem: str, error_code: str | None = None) -> None:
    """Stop the delivery and show it to the PDF sender on the queue and the ticket page; commits."""
    session.refresh(delivery)
    if error_code:
        delivery.error_code = error_code
    delivery.state, delivery.needs_operator, delivery.active_ticket_id = DeliveryState.FAILED, True, None
    delivery.pending_key = None
    delivery.problem = problem[:300]
    delivery.updated_at = utcnow()
    session.add(delivery)
    session.commit()
    log.error("PDF delivery %s of ticket %s needs the operator: %s", delivery.id, delivery.ticket_id, problem)


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
    ticket = own_ticket(session, number, phone)
    if ticket is None:
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
