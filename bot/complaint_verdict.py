"""A citizen's verdict on the answer to their complaint: solved closes it, not solved reopens it; with no
verdict by the verdict stage's deadline (its `sla`), the complaint closes and the citizen is told so."""

from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, false, func, or_
from sqlmodel import Session, col, select

from bot import catalogue
from bot.conversation import read_verdict
from bot.outbound import SendRefused, send_once
from layanan.clock import utcnow
from layanan.db import job_session
from layanan.jobs import job_app
from layanan.outbox import defer
from routing import definitions, workflow
from routing.definition import WORKING_DAY, Action, FieldType, RoleDuty, StageDuty
from tickets.constants import AttachmentStatus
from tickets.messages import Attachment, Message
from tickets.models import Applicant, StaffNotification, StageEvent, Ticket
from tickets.privacy import identity_withheld, mask_niks_in_text
from tickets.workflow_service import Conflict, act

FEATURE = "complaint verdict"
UNANSWERED_NOTE = "Ditutup otomatis: pelapor tidak memberi tanggapan sampai batas waktu."

log = logging.getLogger(__name__)


def answer_of(ticket: Ticket) -> str:
    """The answer written for a complaint: the first text output of its workflow's answer stage."""
    stage = workflow(ticket.workflow).stage_for(StageDuty.ANSWER, FEATURE)
    spec = next(o for o in stage.outputs if o.type is FieldType.TEXT and not o.system_assigned)
    return str(ticket.outputs.get(spec.key) or "-")


def _awaiting_verdict() -> ColumnElement[bool] | None:
    """SQL test: the ticket is in its workflow's stage that waits for the citizen's verdict."""
    pairs = [and_(col(Ticket.workflow) == d.key, col(Ticket.stage) == d.stage_for(StageDuty.CITIZEN_VERDICT).key)
             for d in definitions() if d.has_duty(StageDuty.CITIZEN_VERDICT)]
    return or_(*pairs) if pairs else None


def _tickets(phone: str) -> Select | None:
    awaiting = _awaiting_verdict()
    if awaiting is None:
        return None
    return (select(Ticket).join(Applicant, Applicant.id == Ticket.applicant_id)  # type: ignore[arg-type]
            .where(Applicant.phone == phone, awaiting))


def waits_for(phone: str) -> ColumnElement[bool]:
    """SQL test: a complaint of this number waits for the citizen's verdict."""
    query = _tickets(phone)
    # One column: the test is read for every inbound message, and a short statement keeps psycopg's query cache.
    return false() if query is None else query.with_only_columns(col(Ticket.id)).exists()


def take_message(session: Session, message: Message, attachments: list[Attachment]) -> list[str] | None:
    """The pending matter's handler: the verdict goes to the number's oldest answered complaint."""
    query = _tickets(message.phone)
    ticket = None if query is None else session.exec(query.order_by(Ticket.id)).first()
    solved = read_verdict(message.body)
    if ticket is None or solved is None:
        return None
    return receive(session, ticket, message, attachments, solved=solved)


def receive(session: Session, ticket: Ticket, message: Message, attachments: list[Attachment], *,
            solved: bool) -> list[str]:
    """Close the complaint, or reopen it to the unit with the citizen's words (telling the escalation role
    when it was reopened before)."""
    definition = workflow(ticket.workflow)
    message.ticket_id = ticket.id
    for attachment in attachments:
        if attachment.status == AttachmentStatus.PENDING:
            attachment.ticket_id = ticket.id
    session.add_all([message, *attachments])
    words = message.body.strip()
    if solved:
        act(session, ticket, Action.ADVANCE, actor_id=None, actor_roles=set(), expected_version=ticket.version,
            payload={"note": f"Pelapor: {words}"})
        return [catalogue.render("complaint_closed", number=ticket.number)]
    escalate = _reopened_before(session, ticket) and definition.has_duty(RoleDuty.HEAR_ESCALATIONS)
    if escalate:
        for role in definition.roles_for(RoleDuty.HEAR_ESCALATIONS):
            session.add(StaffNotification(
                role=role, ticket_id=ticket.id, kind="complaint_escalated", created_at=utcnow(),
                text=f"Pengaduan {ticket.number} dinyatakan belum selesai oleh pelapor untuk kedua kalinya: "
                     f"{_as_staff_may_read(session, ticket, words)[:300]}"))
    act(session, ticket, Action.RETURN_, actor_id=None, actor_roles=set(), expected_version=ticket.version,
        payload={"reason": f"Pelapor: {words}"[:1000],
                 "to_stage": definition.stage_for(StageDuty.ANSWER, FEATURE).key})
    return [catalogue.render("complaint_escalated" if escalate else "complaint_reopened", number=ticket.number)]


def _as_staff_may_read(session: Session, ticket: Ticket, words: str) -> str:
    """The citizen's words for a staff notification: NIKs masked, and a confidential filer's numbers and
    name withheld (a notification is read in lists, never audited as a view of the identity)."""
    if not ticket.confidential:
        return mask_niks_in_text(words)
    applicant = session.get(Applicant, ticket.applicant_id)
    return identity_withheld(applicant.name if applicant else None)(words)


def _reopened_before(session: Session, ticket: Ticket) -> bool:
    """Whether the citizen already sent this complaint back once."""
    count = session.exec(select(func.count()).select_from(StageEvent).where(
        StageEvent.ticket_id == ticket.id, StageEvent.from_stage == ticket.stage,
        StageEvent.action == str(Action.RETURN_), col(StageEvent.actor_id).is_(None))).one()
    return count > 0


def close_unanswered(session: Session, now: datetime) -> list[Ticket]:
    """Close every answered complaint whose verdict is past its deadline, recording the citizen's notice
    in the same commit."""
    awaiting = _awaiting_verdict()
    if awaiting is None:
        return []
    late = session.exec(select(Ticket).where(awaiting, col(Ticket.due_at) < now)
                        .order_by(Ticket.due_at).limit(500)).all()  # type: ignore[arg-type]
    closed = []
    for ticket in late:
        defer(session, notify_closed_unanswered, ticket.id, job_id=f"complaint-unanswered-{ticket.id}",
              retry_intervals=current_app.config["NOTIFY_RETRY_INTERVALS"])
        try:
            act(session, ticket, Action.ADVANCE, actor_id=None, actor_roles=set(), expected_version=ticket.version,
                payload={"note": UNANSWERED_NOTE}, now=now)
        except Conflict:
            continue  # the citizen or an officer moved it meanwhile; nothing to close
        closed.append(ticket)
    return closed


def close_unanswered_job() -> int:
    """Job (run every few minutes by the clock process): close complaints the citizen never answered."""
    app = job_app()
    with app.app_context(), job_session(app) as session:
        closed = close_unanswered(session, utcnow())
    if closed:
        log.info("%d complaint(s) closed without a verdict", len(closed))
    return len(closed)


def notify_closed_unanswered(ticket_id: int) -> str:
    """Job: tell the citizen their complaint closed without their verdict, at most once."""
    app = job_app()
    with app.app_context(), job_session(app) as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            return "no ticket"
        stage = workflow(ticket.workflow).stage_for(StageDuty.CITIZEN_VERDICT, FEATURE)
        days = round((stage.sla or WORKING_DAY) / WORKING_DAY)
        applicant = session.get(Applicant, ticket.applicant_id)
        if applicant is None or applicant.phone is None:
            return "no WhatsApp number"
        text = catalogue.render("complaint_closed_unanswered", number=ticket.number, days=days)
        try:
            message = send_once(session, phone=applicant.phone, key=f"complaint-unanswered-{ticket_id}", body=text,
                                ticket_id=ticket.id)
        except SendRefused as exc:  # flagged for staff; no retry can change Twilio's mind
            return f"refused by Twilio: {exc.status} {exc.code}"
        return f"sent ({message.twilio_sid})"
