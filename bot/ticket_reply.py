"""A message from the office to a ticket's applicant on WhatsApp, written on the ticket page: the two-way
thread of a complaint (or any ticket) with its reply box, a canned reply to start from.

Who may write: the role that has the ticket in hand (its stage's owner) and the roles that answer citizens.
A free-form message goes out only inside WhatsApp's 24-hour window; outside it the approved template invites
the applicant back and the message waits, to go out when they answer (bot.pending_replies).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from sqlmodel import Session
from werkzeug.wrappers import Response

from bot import canned_replies
from bot.outbound import SendFailed, SendRefused, TemplateNotConfigured, send_once
from bot.pending_replies import InviteNotSent, keep, waiting
from bot.session_window import MARGIN, WINDOW, last_inbound_at
from layanan import db
from layanan.clock import utcnow
from routing.definition import RoleDuty
from tickets import services
from tickets.access import can_view_ticket, has_duty, roles_required, sees_identity, stage_owner, user
from tickets.models import Ticket
from tickets.staff import StaffUser
from tickets.staff_pages import guard

log = logging.getLogger(__name__)
bp = Blueprint("ticket_reply", __name__)
guard(bp)

MAX_TEXT = 1300  # with the greeting and the signature it stays inside one WhatsApp message (1,600)
# What the applicant reads: the office, the ticket it is about, the officer's words and name.
MESSAGE = "Pesan dari Disdukcapil Tanggamus tentang tiket *{number}*:\n\n{text}\n\n- {name}"


class CannotSend(ValueError):
    """The message cannot be sent; the text says why, in words for staff."""


@dataclass(frozen=True)
class Window:
    """Whether a free-form message may go out now, and until when."""

    open: bool
    last_inbound: datetime | None  # when the applicant last wrote
    closes_at: datetime | None


def may_reply(account: StaffUser, ticket: Ticket) -> bool:
    """Whether the account may write to the ticket's applicant: the stage's owner or a role answering citizens."""
    if not can_view_ticket(account, ticket):
        return False
    owner = stage_owner(ticket)
    return (owner is not None and account.has_role(owner)) or has_duty(account, RoleDuty.ANSWER_CITIZENS)


def window(session: Session, phone: str) -> Window:
    """The applicant's 24-hour window as the sender sees it (closing a few minutes early, like the sender)."""
    last = last_inbound_at(session, phone)
    closes = last + WINDOW - MARGIN if last is not None else None
    return Window(closes is not None and utcnow() < closes, last, closes)


def send(session: Session, ticket: Ticket, text: str, staff_name: str, form_key: str,
         staff_id: int | None = None) -> bool:
    """Send the officer's words to the ticket's applicant once per form and text, recorded on the ticket: True
    when it went out now, False when it waits for the applicant to answer the invitation (outside 24 hours)."""
    phone = services.applicant_of(session, ticket).phone
    if phone is None:
        raise CannotSend("Pemohon tiket ini tidak memakai WhatsApp.")
    text = text.strip().replace("\r\n", "\n")
    if not text:
        raise CannotSend("Tulis pesan terlebih dahulu.")
    if len(text) > MAX_TEXT:
        raise CannotSend(f"Pesan terlalu panjang (paling banyak {MAX_TEXT} karakter).")
    body = MESSAGE.format(number=ticket.number, text=text, name=staff_name)
    if not window(session, phone).open:
        _keep_for_answer(session, ticket, phone, body, staff_id)
        return False
    key = "ticket-reply-" + hashlib.sha256(f"{ticket.id}\n{form_key}\n{body}".encode()).hexdigest()[:40]
    try:
        send_once(session, phone=phone, key=key, body=body, ticket_id=ticket.id)
    except (SendFailed, SendRefused) as exc:
        log.warning("message to the applicant of %s not sent: %s", ticket.number, exc)
        raise CannotSend("Pesan gagal dikirim lewat WhatsApp (tercatat gagal di percakapan). Coba lagi nanti, "
                         "atau hubungi pemohon lewat telepon.") from exc
    return True


def _keep_for_answer(session: Session, ticket: Ticket, phone: str, body: str, staff_id: int | None) -> None:
    """Outside the window: keep the message for the applicant's answer and invite them back (once per text)."""
    if any(p.body == body for p in waiting(session, phone, ticket.id)):
        return  # the same form sent again
    try:
        keep(session, phone=phone, body=body, staff_id=staff_id, ticket_id=ticket.id, ticket_number=ticket.number)
    except TemplateNotConfigured as exc:
        raise CannotSend("Pesan tidak terkirim: pemohon terakhir menulis lebih dari 24 jam yang lalu dan templat "
                         "undangan WhatsApp belum dikonfigurasi. Hubungi pemohon lewat telepon.") from exc
    except InviteNotSent as exc:
        raise CannotSend(str(exc)) from exc


@bp.post("/tiket/<number>/pesan")
@roles_required()
def reply(number: str) -> Response:
    """Send the officer's message to the applicant; back to the ticket page with what happened."""
    session = db.session()
    account = user()
    ticket = services.get_by_number(session, number)
    if ticket is None:
        abort(404)
    if not may_reply(account, ticket):
        abort(403)
    try:
        sent = send(session, ticket, request.form.get("text", ""), account.full_name,
                    request.form.get("form_key") or secrets.token_urlsafe(12), staff_id=account.id)
    except CannotSend as exc:
        flash(str(exc), "error")
    else:
        log.info("staff %s wrote to the applicant of %s", account.username, ticket.number)
        flash("Pesan terkirim ke pemohon lewat WhatsApp." if sent else
              "Pemohon terakhir menulis lebih dari 24 jam yang lalu: undangan templat WhatsApp dikirim, dan pesan "
              "Anda terkirim otomatis saat pemohon membalas.", "ok")
    return redirect(url_for("backoffice.ticket_detail", number=ticket.number) + "#percakapan", code=303)


@bp.app_template_global()
def ticket_reply_panel(ticket: Ticket) -> dict[str, Any] | None:
    """For the ticket page: the reply form's state for this reader, or None when they may not write."""
    account = user()
    if not may_reply(account, ticket):
        return None
    session = db.session()
    phone = services.applicant_of(session, ticket).phone
    return {
        "has_whatsapp": phone is not None,
        "window": window(session, phone) if phone else None,
        "pending": waiting(session, phone, ticket.id) if phone else [],
        "canned": canned_replies.offered(session, ticket, name_shown=sees_identity(account, ticket)),
        "max_text": MAX_TEXT,
        "form_key": secrets.token_urlsafe(12),
    }
