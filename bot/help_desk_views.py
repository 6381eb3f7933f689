"""The help desk's pages: the citizens waiting for a person, a reply to each, handing the chat back."""

from __future__ import annotations

import secrets

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar
from werkzeug.wrappers import Response

from bot.help_desk import CannotReply, hand_back_to_bot, reply
from layanan import db
from routing.definition import RoleDuty
from tickets.access import duty_required, record_identity_shown, sees_identity, user
from tickets.constants import Direction
from tickets.detail import conversation_messages
from tickets.messages import Conversation, Message
from tickets.models import Applicant, Ticket
from tickets.staff_pages import guard

bp = Blueprint("help_desk", __name__, url_prefix="/percakapan-bantuan")
guard(bp)
RECENT_MESSAGES = 5  # per number on the list


@bp.get("")
@duty_required(RoleDuty.ANSWER_CITIZENS, admin=True)
def conversations() -> str:
    """WhatsApp numbers whose citizen asked to talk to a person, longest waiting first."""
    session = db.session()
    waiting = session.exec(
        select(Conversation).where(col(Conversation.needs_human).is_(True))
        .order_by(col(Conversation.updated_at), col(Conversation.phone))
    ).all()
    phones = [c.phone for c in waiting]
    recent: dict[str, list[Message]] = {phone: [] for phone in phones}
    tickets: dict[str, list[Ticket]] = {phone: [] for phone in phones}
    if phones:
        for message in session.exec(_latest_inbound(phones, RECENT_MESSAGES)).all():
            recent[message.phone].append(message)
        for ticket, phone in session.exec(
            select(Ticket, col(Applicant.phone)).join(Applicant, col(Applicant.id) == col(Ticket.applicant_id))
            .where(col(Applicant.phone).in_(phones)).order_by(col(Ticket.created_at).desc())
        ).all():
            tickets[phone].append(ticket)
        _withhold_confidential(tickets, recent)
    return render_template("bot/help_conversations.html", waiting=waiting, recent=recent, tickets=tickets,
                           form_key=secrets.token_urlsafe(12))


@bp.post("/<phone>/balas")
@duty_required(RoleDuty.ANSWER_CITIZENS, admin=True)
def reply_to(phone: str) -> Response:
    """Answer a waiting citizen on WhatsApp in the officer's own words."""
    try:
        reply(db.session(), phone, request.form.get("text", ""), user().full_name,
              request.form.get("form_key") or secrets.token_urlsafe(12))
        flash(f"Balasan terkirim ke {phone}.", "ok")
    except CannotReply as exc:
        flash(str(exc), "error")
    return redirect(url_for("help_desk.conversations") + f"#c{phone.lstrip('+')}")


@bp.post("/<phone>/selesai")
@duty_required(RoleDuty.ANSWER_CITIZENS, admin=True)
def done(phone: str) -> Response:
    """The citizen has been helped: hand the chat back to the bot."""
    if hand_back_to_bot(db.session(), phone):
        flash(f"Percakapan {phone} selesai ditangani; bot kembali menjawab nomor ini.", "ok")
    return redirect(url_for("help_desk.conversations"))


def _withhold_confidential(tickets: dict[str, list[Ticket]], recent: dict[str, list[Message]]) -> None:
    """Under a number, list no confidential ticket the officer may not know the filer of, nor the messages
    that made it (its draft and those linked to it): either would tell who filed it. What the citizen wrote
    since stays, as the officer must read what they now ask. A confidential ticket listed is a view of its
    filer, recorded."""
    session, account = db.session(), user()
    for phone, listed in tickets.items():
        hidden = [t for t in listed if not sees_identity(account, t)]
        if not hidden:
            continue
        tickets[phone] = [t for t in listed if t not in hidden]
        withheld = {m.id for t in hidden for m in conversation_messages(session, t, phone)
                    if m.ticket_id == t.id or m.created_at <= t.created_at}
        recent[phone] = [m for m in recent[phone] if m.id not in withheld]
    shown = [t for listed in tickets.values() for t in listed if t.confidential]
    if shown:
        record_identity_shown(account, shown)
        session.commit()


def _latest_inbound(phones: list[str], per_phone: int) -> SelectOfScalar[Message]:
    """The last few inbound messages of each number, oldest first, in one windowed query."""
    rank = func.row_number().over(
        partition_by=col(Message.phone), order_by=(col(Message.created_at).desc(), col(Message.id).desc())
    ).label("rank")
    ranked = (
        select(col(Message.id), rank)
        .where(col(Message.phone).in_(phones), col(Message.direction) == Direction.INBOUND)
        .subquery()
    )
    return (
        select(Message).join(ranked, ranked.c.id == col(Message.id))
        .where(ranked.c.rank <= per_phone)
        .order_by(col(Message.created_at), col(Message.id))
    )
