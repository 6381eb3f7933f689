"""The call center's pages: the call-logging screen, the PBX record import and the statistics."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import col, select

from bot.call_center import cdr, services, stats
from bot.call_center.models import CallLog, CallRecord, CallSource, Outcome
from bot.conversation import RELATIONS
from tickets.messages import Message
from layanan import db
from layanan.ids import parse_id
from routing.definition import RoleDuty
from tickets.access import duty_required, has_duty, sees_identity, user
from tickets.accounts import ADMIN_ROLE
from tickets import villages
from tickets.kecamatan import KECAMATAN, Kecamatan
from tickets.models import Ticket
from tickets.privacy import pseudonym
from tickets.staff import StaffUser
from tickets.staff_pages import guard
from layanan.clock import utcnow

bp = Blueprint("call_center", __name__, url_prefix="/call-center")
guard(bp)

DEFAULT_PERIOD_DAYS = 30
MAX_PERIOD_DAYS = 366
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


@bp.app_context_processor
def call_center_pages() -> dict[str, Any]:
    """Which call-center pages the logged-in account may open, for the navigation: agents log calls and
    import PBX records (as does the administrator), supervisors and the administrator read statistics."""
    pages = {"log": False, "records": False, "statistics": False, "home": None}
    if not getattr(current_user, "is_authenticated", False):
        return {"call_center": pages}
    admin = current_user.has_role(ADMIN_ROLE)
    pages["log"] = has_duty(current_user, RoleDuty.TAKE_CALLS)
    pages["records"] = pages["log"] or admin
    pages["statistics"] = has_duty(current_user, RoleDuty.SUPERVISE) or admin
    pages["home"] = ("call_center.log_form" if pages["log"] else "call_center.statistics" if pages["statistics"]
                     else "call_center.records" if pages["records"] else None)
    return {"call_center": pages}


@bp.get("/")
@duty_required(RoleDuty.TAKE_CALLS)
def log_form() -> str:
    """The call-logging screen, with the agent's recent calls below."""
    values: dict[str, str] = {}
    record = _record_to_complete()
    if record is not None:
        values["phone"] = record.phone or record.source_number
    return _render_form(values, {}, record)


@bp.post("/")
@duty_required(RoleDuty.TAKE_CALLS)
def log_submit() -> Response | tuple[str, int]:
    """Save a call; a ticket outcome opens the ticket and queues the caller's WhatsApp message."""
    session = db.session()
    record = _record_to_complete()
    draft, errors = services.parse_call(request.form, places=villages.offered(db.session()))
    if draft is None:
        return _render_form(request.form.to_dict(), errors, record), 422
    if record is not None:
        draft = replace(draft, called_at=record.started_at)  # the PBX knows when the call was
    call = services.log_call(session, draft, agent_id=user().id, source=CallSource.FORM,
                             record_id=record.id if record else None)
    if call.ticket_id is not None:
        ticket = session.get(Ticket, call.ticket_id)
        assert ticket is not None
        suffix = " Pesan WhatsApp ke penelepon sedang dikirim." if call.outcome == Outcome.NEEDS_FILES else ""
        flash(f"Panggilan tersimpan. Tiket {ticket.number} dibuat.{suffix}", "success")
    else:
        flash("Panggilan tersimpan.", "success")
    return redirect(url_for("call_center.log_form"))


@bp.app_template_filter("call_outcome")
def outcome_label(value: str) -> str:
    """The agent's name for a stored outcome."""
    try:
        return Outcome(value).label
    except ValueError:
        return value


@bp.app_template_global()
def call_of_ticket(ticket_id: int | None) -> dict[str, Any] | None:
    """For the ticket page: the call that opened the ticket, its agent and the caller's WhatsApp message."""
    if ticket_id is None:
        return None
    session = db.session()
    call = session.exec(select(CallLog).where(CallLog.ticket_id == ticket_id)).first()
    if call is None:
        return None
    agent = session.get(StaffUser, call.agent_id) if call.agent_id else None
    message = session.get(Message, call.followup_message_id) if call.followup_message_id else None
    return {"call": call, "agent": agent.full_name if agent else None, "message": message}


@bp.get("/form.js")
def form_script() -> Response:
    """Ctrl+Enter saves from any field, the notes included (served here: the CSP forbids inline scripts)."""
    return Response(render_template("call_center/form.js"), mimetype="text/javascript")


@bp.get("/rekaman")
@duty_required(RoleDuty.TAKE_CALLS, admin=True)
def records() -> str:
    """The PBX record import and the answered calls no agent has logged yet."""
    return _render_records(None)


@bp.post("/rekaman")
@duty_required(RoleDuty.TAKE_CALLS, admin=True)
def records_import() -> tuple[str, int] | str:
    """Import a Master.csv upload: all of it, or nothing with the bad lines listed."""
    upload = request.files.get("berkas")
    if upload is None or not upload.filename:
        return _render_records(None, problem="Pilih berkas Master.csv yang akan diimpor."), 422
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        return _render_records(None, problem="Berkas terlalu besar (maksimal 20 MB per impor)."), 422
    try:
        result = cdr.import_records(db.session(), data, timezone=current_app.config["CALL_CDR_TIMEZONE"],
                                    imported_by_id=user().id)
    except cdr.CdrFileError as exc:
        return _render_records(None, problem=str(exc)), 422
    return (_render_records(result), 422) if result.errors else _render_records(result)


@bp.get("/statistik")
@duty_required(RoleDuty.SUPERVISE, admin=True)
def statistics() -> str:
    """Calls per day, per outcome and per agent, and how many became tickets."""
    today = utcnow().astimezone(stats.WIB).date()
    start, end, problem = _period(request.args.get("dari", ""), request.args.get("sampai", ""), today)
    result = stats.call_statistics(db.session(), start, end)
    return render_template("call_center/statistics.html", stats=result, problem=problem,
                           outcomes=list(Outcome))


def _period(raw_start: str, raw_end: str, today: date) -> tuple[date, date, str | None]:
    """The period asked for, or the last 30 days with a note on what was wrong."""
    default = (today - timedelta(days=DEFAULT_PERIOD_DAYS - 1), today)
    if not raw_start and not raw_end:
        return (*default, None)
    try:
        start = date.fromisoformat(raw_start) if raw_start else default[0]
        end = date.fromisoformat(raw_end) if raw_end else today
    except ValueError:
        return (*default, "Tanggal tidak terbaca; ditampilkan 30 hari terakhir.")
    if end < start:
        return (*default, "Tanggal akhir sebelum tanggal awal; ditampilkan 30 hari terakhir.")
    if (end - start).days >= MAX_PERIOD_DAYS:
        return (*default, "Periode maksimal satu tahun; ditampilkan 30 hari terakhir.")
    return start, end, None


def _record_to_complete() -> CallRecord | None:
    """The unlogged PBX record the agent is completing (?rekaman=<id>), if still unlogged."""
    raw = request.values.get("rekaman", "")
    record_id = parse_id(raw)
    if record_id is None:
        if raw:
            abort(400)  # a record this page never linked
        return None
    record = db.session().get(CallRecord, record_id)
    return record if record is not None and record.call_log_id is None else None


def _render_form(values: dict[str, str], errors: dict[str, str], record: CallRecord | None) -> str:
    session = db.session()
    calls = services.recent_calls(session, user().id or 0)
    tickets = _by_id(session, Ticket, {c.ticket_id for c in calls})
    messages = _by_id(session, Message, {c.followup_message_id for c in calls})
    # The caller of a confidential ticket stays unnamed here too, unless the agent may know the filer.
    withheld = {c.id for c in calls if c.ticket_id in tickets and not sees_identity(user(), tickets[c.ticket_id])}
    return render_template(
        "call_center/log.html", values=values, errors=errors, record=record, calls=calls, tickets=tickets,
        messages=messages, withheld=withheld, pseudonym=pseudonym, topics=services.topic_choices(),
        topic_label=services.topic_label,
        outcomes=list(Outcome), kecamatan_options=KECAMATAN, client_key=secrets.token_urlsafe(16),
        siaga_relations=RELATIONS, places=_places(values.get("kecamatan", "")),
    )


def _places(first: str) -> list[tuple[Kecamatan, tuple[str, ...]]]:
    """Each kecamatan with its pekon offered, the chosen one first."""
    offered = villages.offered(db.session())
    order = sorted(KECAMATAN, key=lambda k: k.code != first)
    return [(k, offered.get(k.code, ())) for k in order]


def _render_records(result: cdr.ImportResult | None, problem: str | None = None) -> str:
    unlogged = cdr.unlogged_answered(db.session())
    return render_template("call_center/records.html", result=result, problem=problem, unlogged=unlogged,
                           can_log=has_duty(user(), RoleDuty.TAKE_CALLS))


def _by_id(session: Any, model: Any, ids: set[int | None]) -> dict[int, Any]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {row.id: row for row in session.exec(select(model).where(col(model.id).in_(wanted)))}


