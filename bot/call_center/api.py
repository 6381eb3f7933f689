"""The call center's JSON API for a PBX or CRM: log a call, read it back (token-authenticated)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from flask import Blueprint, jsonify, request
from sqlmodel import select

from bot.api import record_read, token_required
from bot.call_center import services
from bot.call_center.models import CallLog, CallSource
from tickets.messages import Message
from tickets.privacy import identity_withheld, mask_nik, mask_niks_in_text, pseudonym
from layanan import db
from layanan.security import csrf
from routing.definition import RoleDuty
from tickets.access import has_duty
from tickets.models import Ticket
from tickets.staff import StaffUser
from tickets.tokens import check_token

bp = Blueprint("call_center_api", __name__, url_prefix="/api")
csrf.exempt(bp)

FIELDS = ("phone", "caller_name", "nik", "kecamatan", "topic", "notes", "outcome", "called_at", "idempotency_key",
          "agent")


@bp.post("/calls")
@token_required
def create_call():  # type: ignore[no-untyped-def]
    """Log a call; 201 with the call (and its ticket), 422 with the errors per field."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error="badan permintaan harus objek JSON"), 400
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        return jsonify(error="kolom tidak dikenal", fields={k: "tidak dikenal" for k in unknown}), 422
    if any(value is not None and not isinstance(value, str) for value in body.values()):
        return jsonify(error="setiap kolom harus teks"), 422
    session = db.session()
    agent_id, agent_error = _agent(body.get("agent"))
    draft, errors = services.parse_call({**body, "client_key": body.get("idempotency_key")})
    if agent_error:
        errors = {**errors, "agent": agent_error}
    if draft is None or agent_error:
        return jsonify(error="data panggilan tidak sah", fields=errors), 422
    if draft.client_key:
        existing = session.exec(select(CallLog).where(CallLog.client_key == draft.client_key)).first()
        if existing is not None:
            record_read(existing.ticket_id)  # the stored call, read back
            return jsonify(_public(existing)), 200
    call = services.log_call(session, draft, agent_id=agent_id, source=CallSource.API, api_token_id=_token_id())
    return jsonify(_public(call)), 201


@bp.get("/calls/<id:call_id>")
@token_required
def call_detail(call_id: int):  # type: ignore[no-untyped-def]
    """One logged call as JSON, the NIK masked (also in the notes)."""
    call = db.session().get(CallLog, call_id)
    if call is None:
        return jsonify(error="panggilan tidak ditemukan"), 404
    record_read(call.ticket_id)
    return jsonify(_public(call))


def _agent(username: str | None) -> tuple[int | None, str | None]:
    """The call-center agent named in the request, if any."""
    if not username:
        return None, None
    account = db.session().exec(select(StaffUser).where(StaffUser.username == username)).first()
    if account is None or not account.active or not has_duty(account, RoleDuty.TAKE_CALLS):
        return None, "petugas call center tidak dikenal"
    return account.id, None


def _token_id() -> int | None:
    _, _, token = request.headers.get("Authorization", "").partition(" ")
    row = check_token(db.session(), token.strip())  # already checked by token_required: this names it
    return row.id if row else None


def _public(call: CallLog) -> dict[str, Any]:
    """The call as JSON; a call whose ticket was filed in confidence without the caller's number, name or NIK
    (an API token never holds the role that may know the filer), the notes without what names the caller."""
    session = db.session()
    ticket = session.get(Ticket, call.ticket_id) if call.ticket_id else None
    message = session.get(Message, call.followup_message_id) if call.followup_message_id else None
    hidden = ticket is not None and ticket.confidential
    shown = identity_withheld(call.caller_name) if hidden else mask_niks_in_text
    return {
        "id": call.id, "phone": None if hidden else call.phone,
        "caller_name": pseudonym(ticket.number) if ticket is not None and hidden else call.caller_name,
        "nik_masked": mask_nik(call.nik) if call.nik and not hidden else None, "kecamatan_code": call.kecamatan_code,
        "topic": call.topic, "notes": shown(call.notes) if call.notes else None,
        "outcome": call.outcome, "source": call.source,
        "ticket_number": ticket.number if ticket else None,
        "whatsapp": None if message is None else {
            "kind": "template" if message.content_sid else "session", "status": message.status},
        "whatsapp_problem": call.followup_problem,
        "called_at": call.called_at.astimezone(UTC).isoformat(),
        "created_at": call.created_at.astimezone(UTC).isoformat(),
    }
