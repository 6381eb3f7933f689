"""The daily digest on WhatsApp for section heads, supervisors and the signer.

Each working day (the office's calendar) at the time a staff member chose on their profile, in WIB, the clock's
job sends them: open and overdue tickets per stage of the SOPs they supervise or sign for, berita acara and
documents waiting for a signature, citizens waiting for a person, and the link to their inbox. It goes through
`send_once` under one key per account per day, so a job that runs twice (or is retried) sends nothing more.

A staff member rarely writes to the office's WhatsApp number, so the digest falls outside the 24-hour window:
there the approved template `TWILIO_CONTENT_SID_STAFF_DIGEST` goes out ({{1}} the day, {{2}} the counts in one
line, {{3}} the inbox link), whose text is `template_text` in templates/bot/staff_digest.txt.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import Flask, current_app, get_template_attribute, url_for
from sqlalchemy import case, func
from sqlmodel import Session, col, select

from bot import help_desk_inbox
from bot.outbound import SendRefused, Template, TemplateNotConfigured, message_for, record_not_sent, send_once
from layanan.clock import WIB, utcnow
from layanan.db import job_session
from layanan.indonesian_words import day_name, long_date
from layanan.jobs import job_app
from routing import definitions
from routing.definition import Definition, RoleDuty
from routing.sla import WorkingCalendar, default_calendar
from tickets import inbox
from tickets.inbox_settings import digest_roles
from tickets.messages import Conversation
from tickets.models import Ticket
from tickets.staff import StaffUser

log = logging.getLogger(__name__)
TEXT = "bot/staff_digest.txt"
SETTING = "TWILIO_CONTENT_SID_STAFF_DIGEST"
NOT_CONFIGURED = "no-template"
# A clock that was down at the chosen time still sends within this long after it; later, the day is skipped.
LATE_LIMIT = timedelta(hours=3)
MAX_BODY = 1500


@dataclass(frozen=True)
class StageLine:
    sop: str
    stage: str
    open: int
    overdue: int


@dataclass(frozen=True)
class Digest:
    """What one staff member's digest says."""

    day: date
    stages: list[StageLine]
    waiting: dict[str, int]  # per inbox kind (berita acara, documents, citizens waiting, ...)
    inbox_url: str

    @property
    def open(self) -> int:
        return sum(line.open for line in self.stages)

    @property
    def overdue(self) -> int:
        return sum(line.overdue for line in self.stages)


def digest_key(account: StaffUser, day: date) -> str:
    """The idempotency key of an account's digest of one day."""
    return f"staff-digest-{account.id}-{day.isoformat()}"


def is_due(account: StaffUser, now: datetime, calendar: WorkingCalendar | None = None) -> bool:
    """Whether the account's digest is to go out now: a working day in WIB, at or after its chosen time (and not
    long after)."""
    local = now.astimezone(WIB)
    if not (calendar or default_calendar()).is_working_day(local.date()):
        return False
    try:
        hours, minutes = (int(part) for part in account.digest_time.split(":"))
        chosen = datetime.combine(local.date(), time(hours, minutes), WIB)
    except ValueError:
        return False
    return chosen <= local < chosen + LATE_LIMIT


def recipients(session: Session) -> list[StaffUser]:
    """Active accounts that asked for the digest, have a WhatsApp number and hold a role it is for."""
    roles = set(digest_roles())
    accounts = session.exec(select(StaffUser).where(col(StaffUser.active).is_(True),
                                                    col(StaffUser.daily_digest).is_(True),
                                                    col(StaffUser.whatsapp).is_not(None))).all()
    return [a for a in accounts if set(a.roles) & roles]


def sops_of(account: StaffUser) -> list[Definition]:
    """The SOPs the account supervises or signs for."""
    return [d for d in definitions() if any(d.has_duty(duty) and account.has_role(*d.roles_for(duty))
                                            for duty in (RoleDuty.SUPERVISE, RoleDuty.SIGN))]


def stage_lines(session: Session, account: StaffUser, now: datetime) -> list[StageLine]:
    """Open and overdue tickets per work stage of the account's SOPs, in SOP order; empty stages left out."""
    sops = sops_of(account)
    if not sops:
        return []
    late = func.sum(case((col(Ticket.due_at) < now, 1), else_=0))
    counted = {(sop, stage): (int(total), int(overdue or 0)) for sop, stage, total, overdue in session.exec(
        select(col(Ticket.workflow), col(Ticket.stage), func.count(), late)
        .where(col(Ticket.workflow).in_([d.key for d in sops])).group_by(col(Ticket.workflow), col(Ticket.stage))
    ).all()}
    lines = []
    for definition in sops:
        for stage in definition.chain:
            total, overdue = counted.get((definition.key, stage.key), (0, 0))
            if total:
                lines.append(StageLine(definition.name, stage.name, total, overdue))
    return lines


def digest_for(session: Session, account: StaffUser, now: datetime) -> Digest:
    """The account's digest at this moment."""
    waiting = {kind: n for kind, n in inbox.open_counts(session, account).items()
               if kind not in (inbox.OVERDUE, inbox.NOTICE)}
    # Citizens waiting for a person concern whoever oversees the service, not only those who answer them.
    waiting[help_desk_inbox.KIND] = int(session.scalar(
        select(func.count()).select_from(Conversation).where(col(Conversation.needs_human).is_(True))) or 0)
    return Digest(now.astimezone(WIB).date(), stage_lines(session, account, now), waiting,
                  url_for("inbox.index", _external=True))


def send_digest(session: Session, account: StaffUser, now: datetime) -> str:
    """Send the account's digest of today once; say what happened."""
    digest = digest_for(session, account, now)
    key, phone = digest_key(account, digest.day), str(account.whatsapp)
    labels = {source.kind: source.label for source in inbox.sources()}
    day = f"{day_name(digest.day)}, {long_date(digest.day)}"
    full = get_template_attribute(TEXT, "full_text")
    body = full(name=account.full_name, day=day, digest=digest, labels=labels, stage_limit=None)
    if len(body) > MAX_BODY:
        body = full(name=account.full_name, day=day, digest=digest, labels=labels, stage_limit=10)
    summary = " ".join(str(get_template_attribute(TEXT, "summary")(digest=digest, labels=labels)).split())
    variables = {"1": day, "2": summary or "-", "3": digest.inbox_url}
    template = Template(current_app.config.get(SETTING), variables,
                        " ".join(str(get_template_attribute(TEXT, "template_text")(**{
                            "day": day, "summary": summary, "url": digest.inbox_url})).split()))
    try:
        send_once(session, phone=phone, key=key, body=body, template=template)
    except TemplateNotConfigured:
        record_not_sent(session, phone=phone, key=key, body=body, error_code=NOT_CONFIGURED)
        return f"digest of staff {account.id} not sent: {SETTING} is not set"
    except SendRefused as exc:
        return f"digest of staff {account.id} refused by Twilio: {exc.status} {exc.code}"
    return f"digest of staff {account.id} sent"


def send_due_digests(app: Flask, session: Session, now: datetime) -> int:
    """Send every digest due now that has not gone out today; the number sent (or tried)."""
    sent = 0
    base = str(app.config["PUBLIC_BASE_URL"])
    for account in recipients(session):
        if not is_due(account, now):
            continue
        if message_for(session, digest_key(account, now.astimezone(WIB).date())) is not None:
            continue  # today's went out (or was recorded as not sendable) already
        with app.test_request_context(base_url=base):
            log.info(send_digest(session, account, now))
        sent += 1
    return sent


def send_daily_digests() -> int:
    """Job (run every minute by the clock process): send the digests due now."""
    app = job_app()
    with app.app_context(), job_session(app) as session:
        return send_due_digests(app, session, utcnow())
