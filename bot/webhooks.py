"""Twilio's webhooks: inbound WhatsApp messages and delivery status callbacks."""

from __future__ import annotations

import logging
from functools import wraps
from typing import Any, Callable

from flask import Blueprint, Flask, Response, abort, current_app, request
from sqlalchemy import ColumnElement
from sqlmodel import Session

from bot import inbound_wsgi, intake
from layanan import db
from layanan.security import csrf

log = logging.getLogger(__name__)
bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
SIGNATURE_REFUSED = "Tanda tangan Twilio tidak cocok: permintaan ditolak dan tidak disimpan."
INBOUND_FOLLOWERS = "whatsapp_inbound_followers"  # app.extensions key: the features that follow inbound messages
INBOUND_RULE = "/whatsapp"


def init_app(app: Flask) -> None:
    """The webhooks' routes, and the inbound messages' path before Flask (bot.inbound_wsgi) for a signed
    delivery; the view below answers the rest."""
    app.register_blueprint(bp)
    inbound_wsgi.serve_before_flask(app, f"{bp.url_prefix}{INBOUND_RULE}", INBOUND_FOLLOWERS)


def on_inbound(app: Flask, waits: Callable[[Any], ColumnElement[bool]], handler: Callable[[Session, str], None]) -> None:
    """Let a feature act on a message from a number it has something waiting for, once the message is
    answered (it may come twice: be idempotent). `waits(phone)` is the SQL test, read with the webhook's
    own query, so a number with nothing waiting costs the feature nothing."""
    followers = app.extensions.setdefault(INBOUND_FOLLOWERS, ())
    app.extensions[INBOUND_FOLLOWERS] = (*followers, intake.InboundFollower(waits, handler))


@bp.before_request
def _small_bodies_only() -> None:
    """Twilio's forms are a few kilobytes: anything much bigger is refused (413) before it is read."""
    request.max_content_length = current_app.config["WEBHOOK_MAX_BYTES"]


def public_url() -> str:
    """The URL Twilio signed: the configured public base plus the path and query we were called on."""
    query = request.query_string.decode()
    return current_app.config["PUBLIC_BASE_URL"] + request.path + (f"?{query}" if query else "")


def twilio_signed(view: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse, before anything is stored, a request whose X-Twilio-Signature does not match."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not inbound_wsgi.signed_by_twilio(current_app.config["TWILIO_AUTH_TOKEN"], public_url(),
                                          request.form.to_dict(), request.headers.get("X-Twilio-Signature", "")):
            log.warning("webhook refused: bad signature for %s", request.path)
            return Response(SIGNATURE_REFUSED, 403, mimetype="text/plain")
        return view(*args, **kwargs)

    return wrapper


def twiml(replies: list[str]) -> Response:
    """The replies as a TwiML document, one WhatsApp message each."""
    return Response(inbound_wsgi.twiml_document(replies), mimetype="application/xml")


@bp.post(INBOUND_RULE)
@csrf.exempt
@twilio_signed
def whatsapp_inbound() -> Response:
    """Take an inbound WhatsApp message, answer it in TwiML, queue slow work."""
    try:
        inbound = intake.parse_form(request.form)
    except intake.BadForm as exc:
        log.warning("webhook refused: %s", exc)
        abort(400, description=str(exc))
    replies = intake.receive(db.session(), inbound, current_app.extensions.get(INBOUND_FOLLOWERS, ()))
    return twiml(replies)


@bp.post("/whatsapp/status")
@csrf.exempt
@twilio_signed
def whatsapp_status() -> Response:
    """Record a delivery state Twilio reports for a message we sent."""
    intake.record_status(
        db.session(), request.form.get("MessageSid", ""), request.form.get("MessageStatus", ""),
        request.form.get("ErrorCode") or None,
    )
    return Response("", status=204)
