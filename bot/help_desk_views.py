"""The help desk's pages: the citizens waiting for a person with the whole chat, a reply to each (a canned
reply to start from), handing the chat back; the menu's count of those waiting too long."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar
from werkzeug.wrappers import Response

from bot import canned_replies
from bot.help_desk import CannotReply, hand_back_to_bot, reply, waiting_conversations, waiting_list
from layanan import db
from layanan.clock import utcnow
from routing.definition import RoleDuty
from tickets.access import duty_required, duty_roles, record_identity_shown, sees_identity, user
from tickets.detail import chat_items, conversation_messages
from tickets.messages import Message
from tickets.models import Applicant, Ticket
from tickets.privacy import mask_niks_in_text
from tickets.staff_pages import guard

bp = Blueprint("help_desk", __name__, url_prefix="/percakapan-bantuan")
guard(bp)
THREAD_MESSAGES = 40  # per number on the list: the recent chat, both sides


@bp.get("")
@duty_required(RoleDuty.ANSWER_CITIZENS, admin=True)
def conversations() -> str:
    """WhatsApp numbers whose citizen asked to talk to a person, longest waiting first, each with its chat."""
    session = db.session()
    phones_waiting = waiting_conversations(session)
    phones = [c.phone for c in phones_waiting]
    threads: dict[str, list[Message]] = {phone: [] for phone in phones}
    tickets: dict[str, list[Ticket]] = {phone: [] for phone in phones}
    if phones:
        for message in session.exec(_latest(phones, THREAD_MESSAGES)).all():
            threads[message.phone].append(message)
        for ticket, phone in session.exec(
            select(Ticket, col(Applicant.phone)).join(Applicant, col(Applicant.id) == col(Ticket.applicant_id))
            .where(col(Applicant.phone).in_(phones)).order_by(col(Ticket.created_at).desc())
        ).all():
            tickets[phone].append(ticket)
        _withhold_confidential(tickets, threads)
    listed = waiting_list(session, threads, phones_waiting, now=utcnow(),
                          alert_minutes=current_app.config["HELP_DESK_ALERT_MINUTES"])
    chats = {phone: chat_items(messages, shown=mask_niks_in_text) for phone, messages in threads.items()}
    canned = {phone: canned_replies.offered(session, listed_tickets[0] if listed_tickets else None, name_shown=True)
              for phone, listed_tickets in tickets.items()}
    return render_template("bot/help_conversations.html", waiting=listed, chats=chats, tickets=tickets,
                           canned=canned, form_key=secrets.token_urlsafe(12),
                           alert_minutes=current_app.config["HELP_DESK_ALERT_MINUTES"])


@bp.post("/<phone>/balas")
@duty_required(RoleDuty.ANSWER_CITIZENS, admin=True)
def reply_to(phone: str) -> Response:
    """Answer a waiting citizen on WhatsApp in the officer's own words."""
    account = user()
    try:
        sent = reply(db.session(), phone, request.form.get("text", ""), account.full_name,
                     request.form.get("form_key") or secrets.token_urlsafe(12), staff_id=account.id)
        if sent:
            flash(f"Balasan terkirim ke {phone}.", "ok")
        else:
            flash(f"Pesan terakhir {phone} sudah lebih dari 24 jam: undangan templat WhatsApp dikirim dan balasan "
                  "Anda terkirim otomatis saat warga membalas undangan.", "ok")
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


@bp.app_context_processor
def help_desk_alert() -> dict[str, Any]:
    """For the menu: how many citizens have waited for a person longer than the help desk allows."""
    return {"help_desk_alerts": _alert_count}


def _alert_count() -> int:
    if not current_user.is_authenticated or not current_user.has_role(*duty_roles(RoleDuty.ANSWER_CITIZENS,
                                                                                  admin=True)):
        return 0
    session = db.session()
    waiting = waiting_conversations(session)
    if not waiting:
        return 0
    threads: dict[str, list[Message]] = {c.phone: [] for c in waiting}
    for message in session.exec(_latest(list(threads), THREAD_MESSAGES)).all():
        threads[message.phone].append(message)
    listed = waiting_list(session, threads, waiting, now=utcnow(),
                          alert_minutes=current_app.config["HELP_DESK_ALERT_MINUTES"])
    return sum(1 for w in listed if w.alert)


def _withhold_confidential(tickets: dict[str, list[Ticket]], threads: dict[str, list[Message]]) -> None:
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
        threads[phone] = [m for m in threads[phone] if m.id not in withheld]
    shown = [t for listed in tickets.values() for t in listed if t.confidential]
    if shown:
        record_identity_shown(account, shown)
        session.commit()


def _latest(phones: list[str], per_phone: int) -> SelectOfScalar[Message]:
    """The last messages of each number, both directions, oldest first, in one windowed query."""
    rank = func.row_number().over(
        partition_by=col(Message.phone), order_by=(col(Message.created_at).desc(), col(Message.id).desc())
    ).label("rank")
    ranked = select(col(Message.id), rank).where(col(Message.phone).in_(phones)).subquery()
    return (
        select(Message).join(ranked, ranked.c.id == col(Message.id))
        .where(ranked.c.rank <= per_phone)
        .order_by(col(Message.created_at), col(Message.id))
    )
