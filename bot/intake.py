"""What happens to an inbound WhatsApp message: store it, converse, act, answer."""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, String, bindparam
from sqlmodel import Session, select

from layanan.indonesian_words import day_name, long_date
from bot import catalogue, conversation, faq_store, inbound_rows, unlocked_turn
from bot.office_hours import closed_until
from bot.media import defer_download, refusal_for_declared_type
from tickets.messages import Attachment, Message
from layanan.phone import InvalidPhone, normalize_phone
from layanan.rows import built_as_loaded
from pdf_delivery import sending as pdf_sending
from routing import workflow
from routing.definition import OutputMeaning
from tickets import events, services
from tickets.constants import AttachmentStatus, Channel, Direction, MessageStatus, Service
from tickets.models import Ticket
from layanan.clock import to_wib, utcnow

log = logging.getLogger(__name__)

MAX_MEDIA = 10  # Twilio delivers at most 10 media per WhatsApp message
MAX_BODY = 4096
# A ticket number the citizen named that is not one of their own tickets: kept for the handler to check.
UNLINKED_NUMBER_LINE = "Nomor tiket terkait yang disebut pelapor: {number}"
_SID = re.compile(r"^[A-Za-z0-9]{10,64}$")
STICKER_TYPE = "sticker"  # Twilio's MessageType of a WhatsApp sticker
STICKER_REASON = "stiker WhatsApp, bukan dokumen"


class BadForm(ValueError):
    """The webhook form is not a WhatsApp message we can take."""


@dataclass(frozen=True)
class InboundMedia:
    url: str
    content_type: str
    sticker: bool = False  # WhatsApp sticker: Twilio says MessageType=sticker; a small WebP, never a document


@dataclass(frozen=True)
class Inbound:
    sid: str
    phone: str
    body: str
    media: tuple[InboundMedia, ...]
    profile_name: str | None
    location: bool = False  # a shared location: Twilio sends Latitude and Longitude


def parse_form(form: Mapping[str, str]) -> Inbound:
    """Read Twilio's form fields; refuse what no real Twilio request would send."""
    sid = form.get("MessageSid") or form.get("SmsMessageSid") or ""
    if not _SID.match(sid):
        raise BadForm("MessageSid hilang atau tidak sah")
    try:
        phone = normalize_phone(form.get("From", ""))
    except InvalidPhone as exc:
        raise BadForm(f"nomor pengirim tidak sah: {catalogue.render(exc.key)}") from exc
    try:
        declared = int(form.get("NumMedia") or 0)
    except ValueError as exc:
        raise BadForm("NumMedia bukan angka") from exc
    if not 0 <= declared <= MAX_MEDIA:
        raise BadForm("NumMedia di luar batas")
    # Trust only the media actually present: NumMedia may claim more than the form carries.
    sticker = (form.get("MessageType") or "").lower() == STICKER_TYPE
    types = [(form.get(f"MediaContentType{i}") or "").lower() for i in range(declared)]
    media = tuple(
        InboundMedia(url=form[f"MediaUrl{i}"], content_type=types[i], sticker=sticker and types[i] == "image/webp")
        for i in range(declared)
        if form.get(f"MediaUrl{i}", "").startswith(("https://", "http://"))
    )
    return Inbound(sid=sid, phone=phone, body=(form.get("Body") or "")[:MAX_BODY], media=media,
                   profile_name=(form.get("ProfileName") or None),
                   location=bool(form.get("Latitude") and form.get("Longitude")))


@dataclass(frozen=True)
class InboundFollower:
    """A feature that acts on every answered message from a number it has something waiting for (a staff
    reply kept outside WhatsApp's 24-hour window). `waits` is an EXISTS clause read in the webhook's one
    query under the lock (it must only compare columns with the phone bind parameter); `handle` runs after
    the turn is committed, only when that clause held. A redelivery may call it again: be idempotent."""

    waits: Callable[[Any], ColumnElement[bool]]
    handle: Callable[[Session, str], None]


def receive(session: Session, inbound: Inbound, followers: tuple[InboundFollower, ...] = ()) -> list[str]:
    """Handle one delivery of a message; a repeated MessageSid gets the same replies and changes nothing.

    The message is stored in the same transaction as its turn: it is committed with its replies, before
    they are given, or not at all, and a delivery that gets no answer is delivered again (Twilio retries).
    A turn that fails still keeps the message, unanswered, for that redelivery to converse. A message that
    only gets replies is answered without holding its conversation (bot.unlocked_turn); any other, or one
    that path declines, by a turn that holds it."""
    try:
        unlocked = _unlocked(session, inbound, followers)
        if isinstance(unlocked, list):
            return unlocked
        return _turn(session, inbound, followers, unlocked)
    except Exception:
        _keep_unanswered(session, inbound)
        raise


# What a turn without the lock may carry out: nothing but a log line and a read.
_READ_ONLY_EFFECTS = (conversation.RequestHuman, conversation.QueryStatus)


def _unlocked(session: Session, inbound: Inbound,
              followers: tuple[InboundFollower, ...]) -> list[str] | unlocked_turn.Declined | None:
    """The replies of a text message whose turn has nothing to carry out but them, with its turn committed
    without the conversation's lock. Otherwise nothing is written, for the turn that holds the lock: what was
    read when the conversation declined the message, or None."""
    if inbound.media:
        return None  # its files are stored and their downloads queued by the turn that holds the lock
    matters = events.pending_matters()
    now = utcnow()
    message = _message_values(inbound, now)
    knowledge = faq_store.knowledge(session)

    def converse(locked: inbound_rows.LockedConversation, found: Sequence[Any],
                 read: unlocked_turn.Read) -> tuple[list[str], conversation.State | None] | None:
        answered, flags = found[0], found[1:]
        if answered is not None:
            return json.loads(answered), None  # a redelivery of an answered message: its replies again
        if any(flags[len(matters):]):
            return None  # a follower has something waiting for the number, to act on with the session
        waiting = _waiting(matters, flags)
        outcome = conversation.handle(_state(locked), _incoming(message["body"], inbound.sid, inbound, (), now),
                                      waiting, knowledge)
        if not all(isinstance(effect, _READ_ONLY_EFFECTS) for effect in outcome.effects):
            return None
        replies = list(outcome.replies)
        for effect in outcome.effects:
            if isinstance(effect, conversation.QueryStatus):
                own = services.own_ticket_of(read(services.own_ticket_query(effect.number, inbound.phone)))
                replies.append(_status_text(own, effect.number))
            else:
                _asked_for_human(inbound.phone, effect)
        return replies, outcome.state

    return unlocked_turn.answer(session.get_bind(), message, _under_lock_query(matters, followers),
                                {"twilio_sid": inbound.sid, "phone": inbound.phone}, now, converse)


def _keep_unanswered(session: Session, inbound: Inbound) -> None:
    """Store the message of a failed turn on its own (its turn's transaction took it along)."""
    try:
        session.rollback()
        inbound_rows.keep_message(session, *_built(inbound))
    except Exception:  # noqa: BLE001 - the turn's own failure is the one to report
        log.exception("inbound message %s not kept after its turn failed", inbound.sid)


def _message_values(inbound: Inbound, now: datetime) -> dict[str, Any]:
    """Every column of the message's row but the id."""
    # NUL cannot be stored in PostgreSQL text and means nothing in a chat.
    return dict(direction=Direction.INBOUND, twilio_sid=inbound.sid, idempotency_key=None, phone=inbound.phone,
                ticket_id=None, body=inbound.body.replace("\x00", ""), content_sid=None, num_media=len(inbound.media),
                profile_name=(inbound.profile_name or "").replace("\x00", "") or None, status=MessageStatus.RECEIVED,
                error_code=None, reply=None, created_at=now, updated_at=now)


def _built(inbound: Inbound) -> tuple[Message, list[Attachment]]:
    """The message and its media references as rows to insert."""
    now = utcnow()
    message = built_as_loaded(Message, **_message_values(inbound, now))
    return message, [_attachment(index, media, now) for index, media in enumerate(inbound.media)]


def _attachment(index: int, media: InboundMedia, now: datetime) -> Attachment:
    reason = STICKER_REASON if media.sticker else refusal_for_declared_type(media.content_type)
    return built_as_loaded(
        Attachment, message_id=None, uploaded_by_id=None, media_index=index, ticket_id=None, draft_id=None,
        source_url=media.url, declared_type=media.content_type or "unknown", content_type=None, size=None,
        sha256=None, storage_path=None, status=AttachmentStatus.REFUSED if reason else AttachmentStatus.PENDING,
        reason=reason, job_id=None, created_at=now)


@dataclass(frozen=True)
class _UnderLock:
    """Read in one query once the conversation is locked; most messages find nothing waiting."""

    waiting: frozenset[conversation.Pending]  # what the office has waiting on the number
    followers: tuple[InboundFollower, ...]  # the followers with something waiting for the number


@functools.lru_cache(maxsize=4)
def _under_lock_query(matters: tuple[events.PendingMatter, ...], followers: tuple[InboundFollower, ...]) -> Select:
    """The query read under the lock, built once with bind parameters: building and keying a statement of
    several EXISTS costs more than running it."""
    reply = select(Message.reply).where(Message.twilio_sid == bindparam("twilio_sid", type_=String)).scalar_subquery()
    phone = bindparam("phone", type_=String)
    return select(reply, *(m.exists(phone) for m in matters),  # type: ignore[arg-type]
                  *(f.waits(phone) for f in followers))


def _turn(session: Session, inbound: Inbound, followers: tuple[InboundFollower, ...],
          declined: unlocked_turn.Declined | None = None) -> list[str]:
    """Lock the number's conversation, read what waits on the number (after the lock: what a turn it waited
    for committed is seen), store the message, converse and commit. No look-up first: a redelivery is rare,
    and the unique MessageSid turns it away. What a turn without the lock read (`declined`) stands for the
    read when the locked conversation is still the version it read."""
    message, attachments = _built(inbound)
    matters = events.pending_matters()
    connection = session.connection()
    if declined is not None and inbound_rows.lock_if_unmoved(connection, inbound.phone, declined.version):
        locked, found = declined.conversation, declined.found
    else:
        locked, found = inbound_rows.lock_and_read(connection, _under_lock_query(matters, followers),
                                                   {"twilio_sid": inbound.sid, "phone": inbound.phone})
    answered, flags = found[0], found[1:]
    if answered is not None:
        session.commit()  # a redelivery of an answered message: its replies again, nothing changed
        return json.loads(answered)
    if not inbound_rows.insert_message(connection, message, attachments):
        # Kept unanswered by a delivery whose turn failed: this delivery converses.
        message = inbound_rows.stored_message(session, inbound.sid)
        attachments = list(session.exec(
            select(Attachment).where(Attachment.message_id == message.id).order_by(Attachment.media_index)
        )) if message.num_media else []
    waiting = _waiting(matters, flags)
    flagged = tuple(f for f, flag in zip(followers, flags[len(matters):]) if flag)
    return _converse(session, message, attachments, inbound, locked, _UnderLock(waiting, flagged))


def _converse(session: Session, message: Message, attachments: list[Attachment], inbound: Inbound,
              locked: inbound_rows.LockedConversation, found: _UnderLock) -> list[str]:
    """Run the conversation on the stored message, carry out its effects and commit the replies on the row."""
    session.add_all(attachments)  # the effects change them; the session writes them with the turn
    state = _state(locked)
    stickers = {index for index, media in enumerate(inbound.media) if media.sticker}
    now = utcnow()
    media = tuple(conversation.MediaItem(a.declared_type, sticker=a.media_index in stickers) for a in attachments)
    incoming = _incoming(message.body, message.twilio_sid or str(message.id), inbound, media, now)
    knowledge = faq_store.knowledge(session)
    waiting = set(found.waiting)
    while True:
        outcome = conversation.handle(state, incoming, frozenset(waiting), knowledge)
        replies, declined = _carry_out(session, message, attachments, outcome)
        if not declined:
            break
        waiting -= declined  # not for them after all: ask again without them

    message.reply = inbound_rows.reply_text(replies)
    _finish(session, message, attachments, outcome.state, now)
    for follower in found.followers:
        follower.handle(session, message.phone)
    return replies


def _waiting(matters: tuple[events.PendingMatter, ...], flags: Sequence[Any]) -> frozenset[conversation.Pending]:
    """The kinds of pending matter whose flag, read beside the conversation, says one waits on the number."""
    return frozenset(conversation.Pending(m.kind) for m, flag in zip(matters, flags) if flag)


def _state(locked: inbound_rows.LockedConversation) -> conversation.State:
    return conversation.State(name=locked.state, data=locked.data, misses=locked.misses,
                              updated_at=locked.updated_at, needs_human=locked.needs_human)


def _incoming(body: str, key: str, inbound: Inbound, media: tuple[conversation.MediaItem, ...],
              now: datetime) -> conversation.Incoming:
    """The message as the conversation reads it; `key` names it for what the conversation derives from it."""
    return conversation.Incoming(body=body, now=now, key=key, location=inbound.location,
                                 office_opens=closed_until(now), media=media)


def _carry_out(session: Session, message: Message, attachments: list[Attachment],
               outcome: conversation.Outcome) -> tuple[list[str], set[conversation.Pending]]:
    """The outcome's effects carried out, and its replies with theirs; when a pending matter declines the
    message, the kinds handled so far instead (they are not asked again)."""
    replies = list(outcome.replies)
    handled: set[conversation.Pending] = set()
    for effect in outcome.effects:
        if isinstance(effect, conversation.PendingEffect):
            handled.add(effect.kind)
            taken = events.pending_matter(effect.kind).handle(session, message, attachments)
            if taken is None:
                return replies, handled
            if effect.answers:
                replies.extend(taken)
            continue
        replies.extend(_apply(session, message, attachments, effect))
    return replies, set()


def _finish(session: Session, message: Message, attachments: list[Attachment], after: conversation.State,
            now: datetime) -> None:
    """Commit the turn (reply, conversation state, the effects' changes) together with the download jobs
    of its accepted files."""
    for attachment in attachments:
        if attachment.status == AttachmentStatus.PENDING and attachment.id is not None:
            attachment.job_id = defer_download(session, attachment.id)
    inbound_rows.commit_turn(session, message, after, now)


def _apply(session: Session, message: Message, attachments: list[Attachment],
           effect: conversation.Effect) -> list[str]:
    """Carry out one effect the conversation asked for; return any replies it produces."""
    if isinstance(effect, conversation.KeepMedia):
        for attachment in attachments:
            if attachment.media_index in effect.indexes:
                attachment.draft_id = effect.draft_id
        return []
    if isinstance(effect, conversation.CreateTicket):
        session.flush()  # draft attachments of this very message must be visible to the update
        related_id, description = _related_ticket(session, message.phone, effect)
        ticket = services.create_ticket(
            session, service=Service(effect.service), channel=Channel.WHATSAPP, phone=message.phone,
            nik=effect.nik, name=effect.name, kecamatan_code=effect.kecamatan_code,
            description=description, confidential=effect.confidential, related_ticket_id=related_id,
            draft_id=effect.draft_id,
        )
        if effect.category is not None:
            _prefill_category(ticket, effect.category)
        if effect.siaga is not None:
            _record_siaga(session, ticket, effect, message.phone)
        message.ticket_id = ticket.id
        log.info("ticket %s created from WhatsApp message %s", ticket.number, message.twilio_sid)
        return [_created_reply(ticket)]
    if isinstance(effect, conversation.QueryStatus):
        return [status_reply(session, message.phone, effect.number)]
    if isinstance(effect, conversation.ResendDocument):
        return [pdf_sending.resend_reply(session, message.phone, effect.number)]
    if isinstance(effect, conversation.RequestHuman):
        _asked_for_human(message.phone, effect)
        return []
    raise TypeError(f"unknown effect {effect!r}")


def _asked_for_human(phone: str, effect: conversation.RequestHuman) -> None:
    log.info("conversation %s asks for a human: %s", phone[-4:], effect.reason)


def _related_ticket(session: Session, phone: str, effect: conversation.CreateTicket) -> tuple[int | None, str | None]:
    """The id of the ticket a complaint is about, when it is one of this number's own, and the description;
    any other number the citizen named (unknown, mistyped or someone else's) becomes a line of the
    description instead, and the reply is the same either way."""
    number, description = effect.related_number, effect.description
    if number is None:
        return None, description
    ticket = services.own_ticket(session, number, phone)
    if ticket is not None:
        return ticket.id, description
    line = UNLINKED_NUMBER_LINE.format(number=number)
    return None, f"{description}\n\n{line}" if description else line


def _prefill_category(ticket: Ticket, category: str) -> None:
    """The citizen's category, pre-selected for triage if the ticket's SOP offers it."""
    output = workflow(ticket.workflow).output_meaning(OutputMeaning.CATEGORY)
    if output is not None and category in output.options:
        ticket.outputs = {**ticket.outputs, output.key: category}  # a new dict: the JSON column sees the change


def _record_siaga(session: Session, ticket: Ticket, effect: conversation.CreateTicket, phone: str) -> None:
    """Keep a Siaga report's own answers beside its ticket."""
    from siaga.services import Report, record_report

    details = effect.siaga
    assert details is not None
    record_report(session, ticket, Report(
        reporter_name=effect.name or "", relation=details.relation, subject_name=details.subject_name,
        pekon=details.pekon, contact_phone=details.contact_phone or phone, urgent=details.urgent))


def _created_reply(ticket: Ticket) -> str:
    """The citizen's answer to a new ticket: its number, and for a complaint the first response's deadline."""
    if ticket.service == Service.PENGADUAN and ticket.due_at is not None:
        return catalogue.render("complaint_created", number=ticket.number, deadline=citizen_date(ticket.due_at))
    return catalogue.render("ticket_created", number=ticket.number, service_label=Service(ticket.service).label)


def citizen_date(moment: datetime) -> str:
    """The day of a moment in Tanggamus (WIB), as a citizen reads it: Kamis, 3 Desember 2026."""
    day = to_wib(moment).date()
    return f"{day_name(day)}, {long_date(day)}"


def status_reply(session: Session, phone: str, number: str) -> str:
    """The citizen's answer to 'status <nomor>': only for tickets of their own number; the refusal is the
    same whether the ticket does not exist or is someone else's."""
    return _status_text(services.own_ticket(session, number, phone), number)


def _status_text(ticket: services.OwnTicket | None, number: str) -> str:
    if ticket is None:
        return catalogue.render("status_unavailable", number=number)
    stage = workflow(ticket.workflow).stage(ticket.stage)
    return catalogue.render("status_reply", number=ticket.number, service_label=Service(ticket.service).label,
                            stage_label=stage.citizen_label)


# Callbacks can arrive out of order: a state only ever moves forward.
_STATUS_RANK = {
    MessageStatus.ACCEPTED: 0, MessageStatus.QUEUED: 1, MessageStatus.SENDING: 2, MessageStatus.SENT: 3,
    MessageStatus.DELIVERED: 4, MessageStatus.READ: 5, MessageStatus.UNDELIVERED: 6, MessageStatus.FAILED: 6,
}


def record_status(session: Session, sid: str, status: str, error_code: str | None) -> None:
    """Store a delivery state Twilio reported, never moving a message backwards."""
    message = session.exec(select(Message).where(Message.twilio_sid == sid)).first()
    if message is None or status not in _STATUS_RANK:
        return
    if _STATUS_RANK[MessageStatus(status)] <= _STATUS_RANK.get(MessageStatus(message.status), -1):
        return
    message.status, message.error_code, message.updated_at = status, error_code, utcnow()
    session.add(message)
    session.commit()
    pdf_sending.message_status_changed(session, message)
