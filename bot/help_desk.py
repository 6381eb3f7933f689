"""Staff answering citizens who asked for a person: a reply on WhatsApp, then handing the chat
back to the bot."""

from __future__ import annotations

import hashlib
import logging

from sqlmodel import Session

from bot.outbound import SendFailed, SendRefused, send_once
from bot.session_window import in_session_window
from layanan.clock import utcnow
from tickets.messages import Conversation

log = logging.getLogger(__name__)
MAX_REPLY = 1500  # WhatsApp allows 1600; leave room for the signature line


class CannotReply(ValueError):
    """The reply cannot be sent; the message says why, in words for staff."""


def reply(session: Session, phone: str, text: str, staff_name: str, form_key: str) -> None:
    """Send a staff member's own words to a citizen who is waiting for a person, once per form and text
    (a form sent twice sends one reply)."""
    conversation = session.get(Conversation, phone)
    if conversation is None or not conversation.needs_human:
        raise CannotReply("Warga ini tidak sedang menunggu petugas.")
    text = text.strip()
    if not text:
        raise CannotReply("Tulis balasan terlebih dahulu.")
    if len(text) > MAX_REPLY:
        raise CannotReply(f"Balasan terlalu panjang (paling banyak {MAX_REPLY} huruf).")
    if not in_session_window(session, phone):
        raise CannotReply("Pesan terakhir warga sudah lebih dari 24 jam: WhatsApp hanya mengizinkan pesan "
                          "templat. Hubungi warga lewat telepon.")
    body = f"{text}\n\n- {staff_name}, Disdukcapil Tanggamus"
    try:
        send_once(session, phone=phone, key=reply_key(phone, form_key, body), body=body)
    except (SendFailed, SendRefused) as exc:
        log.warning("help desk reply to %s not sent: %s", phone[-4:], exc)
        raise CannotReply("Balasan gagal dikirim lewat WhatsApp. Coba lagi nanti, atau hubungi warga lewat "
                          "telepon.") from exc
    log.info("help desk replied to %s", phone[-4:])


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
