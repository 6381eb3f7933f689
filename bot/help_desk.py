"""Staff answering citizens who asked for a person: who is waiting and how long, a reply on WhatsApp (kept
for the citizen's answer outside the 24-hour window), then handing the chat back to the bot."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlmodel import Session, col, select

from bot.outbound import SendFailed, SendRefused, TemplateNotConfigured, send_once
from bot.pending_replies import InviteNotSent, keep, waiting as pending_for
from bot.session_window import in_session_window
from layanan.clock import utcnow
from routing.sla import working_time_between
from tickets.constants import Direction
from tickets.messages import Conversation, Message

log = logging.getLogger(__name__)
MAX_REPLY = 1500  # WhatsApp allows 1600; leave room for the signature line
# Outbound messages a person wrote (the help desk, the ticket page, a reply kept for the citizen's answer).
STAFF_KEYS = ("help-reply-", "ticket-reply-", "staff-reply-")


class CannotReply(ValueError):
    """The reply cannot be sent; the message says why, in words for staff."""


@event.listens_for(Conversation.needs_human, "set")
def _asked_for_a_person(target: Conversation, value: Any, old: Any, _initiator: Any) -> None:
    """The moment a citizen starts waiting for a person, whichever code turns the flag on."""
    if value is True and old is not True:
        target.human_requested_at = utcnow()


@dataclass(frozen=True)
class Waiting:
    """A citizen who asked for a person, as the help desk lists them."""

    conversation: Conversation
    since: datetime | None  # waiting for a person since; None once a person answered and nothing came after
    waited: timedelta  # working time since then
    alert: bool  # waited longer than the help desk allows
    pending: int  # staff replies kept for the citizen's answer (outside the 24-hour window)

    @property
    def phone(self) -> str:
        """The citizen's WhatsApp number."""
        return self.conversation.phone


def waiting_since(conversation: Conversation, messages: Iterable[Message]) -> datetime | None:
    """Since when the citizen waits for a person: the request, or their first message after a person's
    last answer; None when a person answered and the citizen has not written since."""
    asked = conversation.human_requested_at or conversation.updated_at
    ordered = sorted(messages, key=lambda m: (m.created_at, m.id or 0))
    answered = [m.created_at for m in ordered if is_staff_reply(m)]
    if not answered or (asked is not None and answered[-1] < asked):
        return asked
    after = [m.created_at for m in ordered if m.direction == Direction.INBOUND and m.created_at > answered[-1]]
    return after[0] if after else None


def is_staff_reply(message: Message) -> bool:
    """Whether a person of the office wrote this message (not the bot, not a notification)."""
    return message.direction == Direction.OUTBOUND and (message.idempotency_key or "").startswith(STAFF_KEYS)


def waiting_list(session: Session, threads: dict[str, list[Message]], conversations: list[Conversation],
                 *, now: datetime, alert_minutes: int) -> list[Waiting]:
    """The waiting citizens, the longest waiting first (those answered and quiet last)."""
    listed = []
    for conversation in conversations:
        since = waiting_since(conversation, threads.get(conversation.phone, []))
        waited = working_time_between(since, now) if since else timedelta(0)
        listed.append(Waiting(conversation, since, waited, since is not None and
                              waited >= timedelta(minutes=alert_minutes),
                              len(pending_for(session, conversation.phone))))
    far_future = now + timedelta(days=3650)
    return sorted(listed, key=lambda w: (w.since or far_future, w.phone))


def waiting_conversations(session: Session) -> list[Conversation]:
    """Every conversation waiting for a person."""
    return list(session.exec(select(Conversation).where(col(Conversation.needs_human).is_(True))
                             .order_by(col(Conversation.phone))).all())


def reply(session: Session, phone: str, text: str, staff_name: str, form_key: str, staff_id: int | None = None
          ) -> bool:
    """Send a staff member's own words to a citizen who is waiting for a person, once per form and text
    (a form sent twice sends one reply). Outside the 24-hour window the reply is kept and the citizen
    invited back: False then, True when it went out now."""
    conversation = session.get(Conversation, phone)
    if conversation is None or not conversation.needs_human:
        raise CannotReply("Warga ini tidak sedang menunggu petugas.")
    text = text.strip().replace("\r\n", "\n")
    if not text:
        raise CannotReply("Tulis balasan terlebih dahulu.")
    if len(text) > MAX_REPLY:
        raise CannotReply(f"Balasan terlalu panjang (paling banyak {MAX_REPLY} huruf).")
    body = f"{text}\n\n- {staff_name}, Disdukcapil Tanggamus"
    if not in_session_window(session, phone):
        if any(p.body == body for p in pending_for(session, phone)):
            return False  # the same form sent again
        try:
            keep(session, phone=phone, body=body, staff_id=staff_id, ticket_id=None, ticket_number=None)
        except TemplateNotConfigured as exc:
            raise CannotReply("Pesan terakhir warga sudah lebih dari 24 jam dan templat undangan WhatsApp belum "
                              "dikonfigurasi. Hubungi warga lewat telepon.") from exc
        except InviteNotSent as exc:
            raise CannotReply(str(exc)) from exc
        return False
    try:
        send_once(session, phone=phone, key=reply_key(phone, form_key, body), body=body)
    except (SendFailed, SendRefused) as exc:
        log.warning("help desk reply to %s not sent: %s", phone[-4:], exc)
        raise CannotReply("Balasan gagal dikirim lewat WhatsApp. Coba lagi nanti, atau hubungi warga lewat "
                          "telepon.") from exc
    log.info("help desk replied to %s", phone[-4:])
    return True


def reply_key(phone: str, form_key: str, body: str) -> str:
    """The idempotency key of one reply: the form it came from and its text."""
    digest = hashlib.sha256(f"{phone}\n{form_key}\n{body}".encode()).hexdigest()[:40]
    return f"help-reply-{digest}"


def hand_back_to_bot(session: Session, phone: str) -> bool:
    """Mark the citizen as helped: the chat leaves the list and the bot answers again."""
    conversation = session.get(Conversation, phone)
    if conversation is None or not conversation.needs_human:
        return False
    conversation.needs_human = False
    conversation.misses = 0
    conversation.updated_at = utcnow()
    session.add(conversation)
    session.commit()
    return True
