"""A citizen's request to delete their data (`hapus data`, UU 27/2022 PDP), and the supervisors' decision.

The request is recorded for the WhatsApp number it came from. Those who supervise an SOP (and admin) approve or
refuse it on /hapus-data. Approval purges, at once, what the retention purge removes of a finished ticket
(tickets.retention: files, message bodies, rendered reports) for every finished ticket of the number, and empties
the number's messages that belong to no ticket, its conversation's draft and its link to survey answers (the
answers stay, anonymous). Tickets still in progress are left: the office needs them to finish the service. A
refusal carries its reason. Either way the citizen is told on WhatsApp, once.
"""

from __future__ import annotations

import logging
from datetime import datetime
from enum import StrEnum

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import update
from sqlmodel import Field, Session, SQLModel, col, select

from bot import catalogue
from bot.outbound import SendRefused, send_once
from bot.survey import forget_number
from layanan import db
from layanan.clock import utcnow
from layanan.db import job_session
from layanan.jobs import job_app
from layanan.outbox import defer
from routing.definition import RoleDuty
from tickets import retention
from tickets.access import duty_required, user
from tickets.messages import Conversation, Message
from tickets.models import Applicant, Ticket
from tickets.staff_pages import guard
from tickets.types import UTCDateTime

log = logging.getLogger(__name__)
bp = Blueprint("deletion_requests", __name__, url_prefix="/hapus-data")
guard(bp)
MAX_REASON = 500


class DeletionStatus(StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    REFUSED = "refused"


STATUS_LABELS = {DeletionStatus.OPEN: "Menunggu keputusan", DeletionStatus.APPROVED: "Disetujui, data dihapus",
                 DeletionStatus.REFUSED: "Ditolak"}


class DeletionRequest(SQLModel, table=True):
    """A number's request to delete its data, and what was decided."""

    __tablename__ = "deletion_request"
    id: int | None = Field(default=None, primary_key=True)
    phone: str = Field(max_length=20, index=True)
    message_id: int | None = Field(default=None, foreign_key="message.id")
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    status: str = Field(default=DeletionStatus.OPEN, max_length=10, index=True)
    decided_by_id: int | None = Field(default=None, foreign_key="staffuser.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reason: str | None = Field(default=None, max_length=MAX_REASON)  # a refusal's, sent to the citizen
    run_id: int | None = Field(default=None, foreign_key="retention_run.id")  # the purge of an approval
    tickets: int = Field(default=0)  # finished tickets whose data is gone after the approval

    @property
    def number(self) -> str:
        """The request's number as the citizen is told it."""
        return f"HD-{self.id or 0:05d}"


class Refused(ValueError):
    """The decision cannot be taken (already decided, no reason given)."""


def open_request(session: Session, message: Message) -> str:
    """Record the number's request (one open at a time) and say what happens next."""
    found = session.exec(select(DeletionRequest).where(DeletionRequest.phone == message.phone,
                                                       DeletionRequest.status == DeletionStatus.OPEN)).first()
    if found is not None:
        return catalogue.render("deletion_already_open", number=found.number)
    made = DeletionRequest(phone=message.phone, message_id=message.id)
    session.add(made)
    session.flush()
    log.info("deletion request %s opened for a number ending %s", made.number, message.phone[-4:])
    return catalogue.render("deletion_opened", number=made.number)


def approve(session: Session, made: DeletionRequest, actor_id: int) -> DeletionRequest:
    """Purge the number's finished tickets and its loose data, record the decision and tell the citizen."""
    _decide(made)
    tickets = col(Ticket.applicant_id).in_(select(Applicant.id).where(Applicant.phone == made.phone))
    run = retention.purge(session, current_app.config, dry_run=False, only=tickets)
    finished = session.exec(retention.expired_ticket_ids(utcnow(), tickets)).all()
    session.execute(update(Message).where(col(Message.phone) == made.phone, col(Message.ticket_id).is_(None))
                    .values(body="", reply=None, profile_name=None))
    conversation = session.get(Conversation, made.phone)
    if conversation is not None:
        conversation.data, conversation.state = {}, "start"
        session.add(conversation)
    forget_number(session, made.phone)
    made.status, made.decided_by_id, made.decided_at = DeletionStatus.APPROVED, actor_id, utcnow()
    made.run_id, made.tickets = (run.id if run else None), len(finished)
    return _record(session, made)


def refuse(session: Session, made: DeletionRequest, actor_id: int, reason: str) -> DeletionRequest:
    """Record the refusal with its reason and tell the citizen."""
    _decide(made)
    reason = " ".join(reason.split())
    if not reason:
        raise Refused("Tulis alasan penolakan; alasan ini dikirim kepada warga.")
    made.status, made.decided_by_id, made.decided_at = DeletionStatus.REFUSED, actor_id, utcnow()
    made.reason = reason[:MAX_REASON]
    return _record(session, made)


def _decide(made: DeletionRequest) -> None:
    if made.status != DeletionStatus.OPEN:
        raise Refused(f"Permintaan {made.number} sudah diputuskan.")


def _record(session: Session, made: DeletionRequest) -> DeletionRequest:
    session.add(made)
    session.flush()
    defer(session, notify_decision, int(made.id or 0), job_id=f"deletion-decided-{made.id}",
          retry_intervals=current_app.config["NOTIFY_RETRY_INTERVALS"])
    session.commit()
    return made


def notify_decision(request_id: int) -> str:
    """Job: tell the citizen what was decided on their request, at most once."""
    app = job_app()
    with app.app_context(), job_session(app) as session:
        made = session.get(DeletionRequest, request_id)
        if made is None or made.status == DeletionStatus.OPEN:
            return "nothing decided"
        if made.status == DeletionStatus.APPROVED:
            body = catalogue.render("deletion_approved", number=made.number, tickets=made.tickets)
        else:
            body = catalogue.render("deletion_refused", number=made.number, reason=made.reason or "-")
        try:
            message = send_once(session, phone=made.phone, key=f"deletion-decided-{request_id}", body=body)
        except SendRefused as exc:  # flagged for staff; no retry can change Twilio's mind
            return f"refused by Twilio: {exc.status} {exc.code}"
        return f"sent ({message.twilio_sid})"


# --- The back office --------------------------------------------------------------------------------------------


@bp.get("/")
@duty_required(RoleDuty.SUPERVISE, admin=True)
def index() -> str:
    """Open requests first (oldest first), then the last decided ones."""
    session = db.session()
    waiting = session.exec(select(DeletionRequest).where(DeletionRequest.status == DeletionStatus.OPEN)
                           .order_by(col(DeletionRequest.requested_at))).all()
    decided = session.exec(select(DeletionRequest).where(DeletionRequest.status != DeletionStatus.OPEN)
                           .order_by(col(DeletionRequest.decided_at).desc()).limit(100)).all()
    return render_template("bot/deletion_requests.html", waiting=waiting, decided=decided, labels=STATUS_LABELS,
                           open_tickets=_open_tickets(session, [r.phone for r in waiting]))


def _open_tickets(session: Session, phones: list[str]) -> dict[str, int]:
    """How many of each number's tickets are still in progress (an approval leaves them)."""
    if not phones:
        return {}
    rows = session.exec(select(Applicant.phone, Ticket.id).join(Ticket, col(Ticket.applicant_id) == Applicant.id)
                        .where(col(Applicant.phone).in_(phones))).all()
    finished = set(session.exec(retention.expired_ticket_ids(utcnow(), col(Ticket.id).in_([i for _, i in rows])))
                   .all())
    counts: dict[str, int] = {}
    for phone, ticket_id in rows:
        if ticket_id not in finished:
            counts[str(phone)] = counts.get(str(phone), 0) + 1
    return counts


@bp.post("/<id:request_id>/setujui")
@duty_required(RoleDuty.SUPERVISE, admin=True)
def approve_view(request_id: int) -> Response:
    """Approve: the number's finished tickets are purged now."""
    return _decision(request_id, lambda session, made: approve(session, made, int(user().id or 0)),
                     "disetujui; data tiket yang sudah selesai dihapus")


@bp.post("/<id:request_id>/tolak")
@duty_required(RoleDuty.SUPERVISE, admin=True)
def refuse_view(request_id: int) -> Response:
    """Refuse, with the reason the citizen is sent."""
    reason = request.form.get("alasan", "")
    return _decision(request_id, lambda session, made: refuse(session, made, int(user().id or 0), reason),
                     "ditolak; alasannya dikirim kepada warga")


def _decision(request_id: int, decide: object, done: str) -> Response:
    session = db.session()
    made = session.get(DeletionRequest, request_id)
    if made is None:
        abort(404)
    try:
        decide(session, made)  # type: ignore[operator]
    except Refused as exc:
        session.rollback()
        flash(str(exc), "error")
    else:
        flash(f"Permintaan {made.number} {done}. Warga diberi tahu lewat WhatsApp.", "success")
    return redirect(url_for("deletion_requests.index"), code=303)
