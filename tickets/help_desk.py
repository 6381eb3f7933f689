"""Staff answering citizens who asked for a person: a reply on WhatsApp, then handing the chat
back to the bot."""

from __future__ import annotations

import logging

from sqlmodel import Session

from bot.messaging import send_whatsapp
from tickets.messages import Conversation
from bot.session_window import in_session_window
from layanan.clock import utcnow

log = logging.getLogger(__name__)
MAX_REPLY = 1500  # WhatsApp allows 1600; leave room for the signature line


class CannotReply(ValueError):
    """The reply cannot be sent; the message says why, in words for staff."""


def reply(session: Session, phone: str, text: str, staff_name: str) -> None:
    """Send a staff member's own words to a citizen who is waiting for a person."""
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
    send_whatsapp(session, phone, f"{text}\n\n- {staff_name}, Disdukcapil Tanggamus")
    log.info("help desk replied to %s", phone[-4:])


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
