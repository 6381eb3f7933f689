"""A WhatsApp simulator for newcomers: chat with the bot in the browser (local outbox only)."""

from __future__ import annotations

import mimetypes
import secrets
from pathlib import Path

import requests
from flask import Blueprint, abort, current_app, redirect, render_template, request, send_file, url_for
from sqlmodel import select
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import FileStorage

from tickets.messages import Attachment, Message
from bot import catalogue
from layanan.phone import InvalidPhone, normalize_phone, whatsapp_address
from layanan import db

bp = Blueprint("simulator", __name__, url_prefix="/simulator")
DEFAULT_PHONE = "+6281234567890"
OFFICE_NUMBER = "whatsapp:+6272200000000"  # shown as the office's number in simulated messages


@bp.before_request
def only_with_outbox() -> None:
    """The simulator exists only while messages go to the local outbox, never beside real Twilio."""
    if current_app.config["TWILIO_ENABLED"]:
        abort(404)


def _media_folder() -> Path:
    folder = Path(current_app.config["INSTANCE_PATH"]) / "simulator_media"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@bp.get("/")
def chat():  # type: ignore[no-untyped-def]
    """The chat page for one phone number."""
    raw = request.args.get("phone") or DEFAULT_PHONE
    try:
        phone = normalize_phone(raw)
        error = request.args.get("error")
    except InvalidPhone as exc:
        phone, error = DEFAULT_PHONE, catalogue.render(exc.key)
    return render_template("bot/simulator.html", phone=phone, thread=_thread(phone), error=error)


def _thread(phone: str) -> list[dict]:
    """The messages of a number in time order, each inbound one followed by the bot's replies."""
    import json

    session = db.session()
    messages = session.exec(select(Message).where(Message.phone == phone).order_by(Message.created_at, Message.id)).all()
    ids = [m.id for m in messages]
    attachments = session.exec(select(Attachment).where(Attachment.message_id.in_(ids))).all() if ids else []  # type: ignore[union-attr]
    by_message: dict[int, list[Attachment]] = {}
    for attachment in attachments:
        by_message.setdefault(attachment.message_id, []).append(attachment)
    thread: list[dict] = []
    for message in messages:
        if message.direction == "inbound":
            thread.append({"side": "citizen", "body": message.body, "at": message.created_at,
                           "attachments": by_message.get(message.id or 0, [])})
            for reply in json.loads(message.reply or "[]"):
                thread.append({"side": "bot", "body": reply, "at": message.created_at, "attachments": []})
        else:
            thread.append({"side": "bot", "body": message.body, "at": message.created_at, "attachments": [],
                           "media_url": _outbox_media_url(message) if message.num_media else None})
    return thread


def _outbox_media_url(message: Message) -> str | None:
    """The file link a sent message carried (e.g. the signed PDF), as the outbox recorded it."""
    import json

    record = Path(current_app.config["OUTBOX_PATH"]) / f"{message.twilio_sid}.json"
    if not message.twilio_sid or not record.is_file():
        return None
    return json.loads(record.read_text()).get("media_url")


@bp.post("/send")
def send():  # type: ignore[no-untyped-def]
    """Send the typed text and files to the real webhook as a correctly signed Twilio request."""
    try:
        phone = normalize_phone(request.form.get("phone", ""))
    except InvalidPhone as exc:
        return redirect(url_for("simulator.chat", error=catalogue.render(exc.key)))
    files = [f for f in request.files.getlist("files") if f and f.filename][:10]
    body = request.form.get("body", "")
    if not body.strip() and not files:
        return redirect(url_for("simulator.chat", phone=phone))
    form = _twilio_form(phone, body, files)
    url = current_app.config["PUBLIC_BASE_URL"] + url_for("webhooks.whatsapp_inbound")
    signature = RequestValidator(current_app.config["TWILIO_AUTH_TOKEN"]).compute_signature(url, form)
    response = requests.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=15)
    error = None if response.ok else f"Webhook menjawab {response.status_code}"
    return redirect(url_for("simulator.chat", phone=phone, error=error))


def _twilio_form(phone: str, body: str, files: list[FileStorage]) -> dict[str, str]:
    form = {
        "MessageSid": "SM" + secrets.token_hex(16), "AccountSid": "AC" + "0" * 32,
        "From": whatsapp_address(phone), "To": OFFICE_NUMBER, "Body": body,
        "NumMedia": str(len(files)), "ProfileName": "Warga Simulator", "WaId": phone.lstrip("+"),
    }
    for index, upload in enumerate(files):
        token = secrets.token_urlsafe(24)
        content_type = upload.mimetype or mimetypes.guess_type(upload.filename or "")[0] or "application/octet-stream"
        upload.save(_media_folder() / token)
        (_media_folder() / f"{token}.type").write_text(content_type)
        form[f"MediaUrl{index}"] = current_app.config["PUBLIC_BASE_URL"] + url_for("simulator.media", token=token)
        form[f"MediaContentType{index}"] = content_type
    return form


@bp.get("/media/<token>")
def media(token: str):  # type: ignore[no-untyped-def]
    """Serve an uploaded file the way Twilio serves media, for the media job to download."""
    if not token.replace("-", "").replace("_", "").isalnum():
        abort(404)
    path = _media_folder() / token
    if not path.exists():
        abort(404)
    content_type = (_media_folder() / f"{token}.type").read_text()
    return send_file(path, mimetype=content_type)
