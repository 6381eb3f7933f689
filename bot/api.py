"""The token-authenticated JSON API for integrations."""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from flask import Blueprint, abort, g, jsonify, request
from sqlalchemy import func
from sqlmodel import select

from tickets.messages import Attachment
from tickets.privacy import mask_nik, pseudonym
from layanan import db
from layanan.security import csrf
from tickets import audit, services
from tickets.constants import AttachmentStatus
from tickets.kecamatan import BY_CODE
from tickets.tokens import check_token

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)


def token_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """401 unless the request carries `Authorization: Bearer <token>` of a live API token (then in g.api_token)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        found = check_token(db.session(), token.strip()) if scheme.lower() == "bearer" else None
        if found is None:
            response = jsonify(error="token tidak sah atau tidak ada")
            response.status_code = 401
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        g.api_token = found
        return view(*args, **kwargs)

    return wrapper


@bp.get("/tickets/<number>")
@token_required
def ticket_detail(number: str):  # type: ignore[no-untyped-def]
    """One ticket as JSON, with the NIK masked; for a ticket filed in confidence no NIK or number, only
    the pseudonym (a token is an integration, not a person holding the role that may know the filer)."""
    session = db.session()
    ticket = services.get_by_number(session, number)
    if ticket is None:
        abort(404)
    applicant = services.applicant_of(session, ticket)
    attachments = session.exec(
        select(func.count()).select_from(Attachment)
        .where(Attachment.ticket_id == ticket.id, Attachment.status != AttachmentStatus.REFUSED)
    ).one()
    kecamatan = BY_CODE.get(ticket.kecamatan_code or "")
    record_read(ticket.id)
    return jsonify(
        number=ticket.number, service=ticket.service, channel=ticket.channel,
        kecamatan=kecamatan.name if kecamatan else None, stage=ticket.stage,
        confidential=ticket.confidential, applicant_pseudonym=pseudonym(ticket.number) if ticket.confidential else None,
        nik_masked=mask_nik(applicant.nik) if applicant.nik and not ticket.confidential else None,
        applicant_phone=None if ticket.confidential else applicant.phone,
        attachments=attachments, created_at=ticket.created_at.isoformat(),
        updated_at=ticket.updated_at.isoformat(), due_at=ticket.due_at.isoformat() if ticket.due_at else None,
    )


def record_read(ticket_id: int | None) -> None:
    """Write the audit record of this API read (who: the request's token) and commit it."""
    session = db.session()
    audit.record(session, audit.AuditAction.API_READ, staff_id=None, api_token_id=g.api_token.id,
                 ticket_id=ticket_id, detail=request.path, ip=request.remote_addr)
    session.commit()


@bp.errorhandler(404)
def not_found(_exc: Exception):  # type: ignore[no-untyped-def]
    return jsonify(error="tiket tidak ditemukan"), 404
