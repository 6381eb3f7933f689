"""Staff replies written outside WhatsApp's 24-hour window: kept, and sent when the citizen answers.

Outside the window WhatsApp takes only approved templates, so the citizen first gets the invitation
(TWILIO_CONTENT_SID_REPLY_INVITE: "there is a message from the office, reply to read it"), once while
replies wait unanswered. The officer's reply waits as a `PendingReply`; the next message from that number
opens the window and each waiting reply goes out by its own job, exactly once (`staff-reply-<id>`).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy import ColumnElement, and_, exists
from sqlmodel import Field, Session, SQLModel, col, select

from bot import catalogue
from bot.outbound import SendFailed, SendRefused, Template, TemplateNotConfigured, send_once
from layanan.clock import utcnow
from layanan.db import job_session
from layanan.jobs import job_app
from layanan.outbox import defer
from tickets.types import UTCDateTime

log = logging.getLogger(__name__)
INVITE_SETTING = "TWILIO_CONTENT_SID_REPLY_INVITE"


class PendingReply(SQLModel, table=True):
    """A staff reply waiting for the citizen to open WhatsApp's 24-hour window again."""

    __tablename__ = "pending_reply"

    id: int | None = Field(default=None, primary_key=True)
    phone: str = Field(max_length=20, index=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staffuser.id")
    body: str  # the message as it goes out, greeting and signature included
    invite_message_id: int | None = Field(default=None, foreign_key="message.id")
    sent_message_id: int | None = Field(default=None, foreign_key="message.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class InviteNotSent(RuntimeError):
    """The reply is kept, but the invitation could not go out; the text says why, in words for staff."""


def init_app(app: Flask) -> None:
    """Send the waiting replies when a message arrives from their number."""
    from bot.webhooks import on_inbound

    on_inbound(app, waits_for, release_for)


def _unsent(phone: Any) -> ColumnElement[bool]:
    """A reply to this number that has not gone out yet."""
    return and_(col(PendingReply.phone) == phone, col(PendingReply.sent_message_id).is_(None))


def waiting(session: Session, phone: str, ticket_id: int | None = None) -> list[PendingReply]:
    """The replies to this number not yet sent, oldest first (only this ticket's, when given)."""
    query = select(PendingReply).where(_unsent(phone))
    if ticket_id is not None:
        query = query.where(col(PendingReply.ticket_id) == ticket_id)
    return list(session.exec(query.order_by(col(PendingReply.id))).all())


def waits_for(phone: Any) -> ColumnElement[bool]:
    """SQL test: a reply to this number waits unsent (what `waiting` would find)."""
    return exists().where(_unsent(phone))


def keep(session: Session, *, phone: str, body: str, staff_id: int | None, ticket_id: int | None,
         ticket_number: str | None) -> PendingReply:
    """Keep a reply for when the citizen writes again and invite them back with the approved template
    (unless an invitation already waits unanswered). Commits; raises InviteNotSent with the reply kept."""
    if current_app.config["TWILIO_ENABLED"] and not current_app.config[INVITE_SETTING]:
        raise TemplateNotConfigured(INVITE_SETTING)
    earlier = [r for r in waiting(session, phone) if r.invite_message_id is not None]
    reply = PendingReply(phone=phone, body=body, staff_id=staff_id, ticket_id=ticket_id,
                         invite_message_id=earlier[0].invite_message_id if earlier else None)
    session.add(reply)
    session.commit()
    if reply.invite_message_id is not None:
        return reply
    number = ticket_number or "-"
    template = Template(current_app.config[INVITE_SETTING], {"1": number},
                        catalogue.render("reply_invite_template", number=number))
    try:
        invite = send_once(session, phone=phone, key=f"reply-invite-{reply.id}", template=template,
                           ticket_id=ticket_id)
    except (SendFailed, SendRefused) as exc:
        log.warning("invitation to %s not sent: %s", phone[-4:], exc)
        raise InviteNotSent("Undangan WhatsApp gagal terkirim; pesan Anda tetap disimpan dan terkirim bila "
                            "pemohon menulis lagi. Hubungi pemohon lewat telepon bila mendesak.") from exc
    reply.invite_message_id = invite.id
    session.add(reply)
    session.commit()
    return reply


def release_for(session: Session, phone: str) -> None:
    """The citizen wrote: each reply waiting for this number goes out by its own job (once per reply)."""
    replies = waiting(session, phone)
    for reply in replies:
        defer(session, send_pending_reply, int(reply.id or 0), job_id=f"staff-reply-{reply.id}",
              retry_intervals=current_app.config["NOTIFY_RETRY_INTERVALS"])
    if replies:
        session.commit()


def send_pending_reply(reply_id: int) -> str:
    """Job: send one waiting staff reply, at most once (idempotency key per reply)."""
    app = job_app()
    with app.app_context(), job_session(app) as session:
        reply = session.get(PendingReply, reply_id)
        if reply is None or reply.sent_message_id is not None:
            return "nothing to send"
        try:
            message = send_once(session, phone=reply.phone, key=f"staff-reply-{reply.id}", body=reply.body,
                                ticket_id=reply.ticket_id)
        except SendRefused as exc:  # flagged in the conversation; another try cannot change Twilio's mind
            return f"refused by Twilio: {exc.status} {exc.code}"
        reply.sent_message_id, reply.sent_at = message.id, utcnow()
        session.add(reply)
        session.commit()
        return f"sent ({message.twilio_sid})"
