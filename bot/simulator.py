"""A WhatsApp simulator for newcomers: chat with the bot in the browser (local outbox only, staff only).

It shows and sends as only the numbers started in it, and a number can be started only while nothing
outside the simulator knows it (no message, conversation or applicant), so it never reads a citizen's
chat nor speaks for one. Files it uploads are served once to the media job, then deleted; those never
fetched are swept by the clock.
"""

from __future__ import annotations

import json
import mimetypes
import re
import secrets
import time
from pathlib import Path

import requests
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from markupsafe import Markup, escape
from sqlmodel import Session, col, select
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from bot import catalogue
from bot.simulator_models import SimulatorNumber
from layanan import db
from layanan.jobs import job_app
from layanan.phone import InvalidPhone, normalize_phone, whatsapp_address
from tickets.access import roles_required, user
from tickets.messages import Attachment, Conversation, Message
from tickets.models import Applicant

bp = Blueprint("simulator", __name__, url_prefix="/simulator")
DEFAULT_PHONE = "+6281234567890"
OFFICE_NUMBER = "whatsapp:+6272200000000"  # shown as the office's number in simulated messages
LISTED_NUMBERS = 50
UPLOAD_TTL_SECONDS = 3600  # an upload the media job never fetched (e.g. refused by its type) goes after this


# WhatsApp's own formatting: *bold*, _italic_, ~strikethrough~ (a marker pair inside one line, not around spaces).
_FORMATTING = ((re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])"), "strong"),
               (re.compile(r"(?<![\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])"), "em"),
               (re.compile(r"(?<![\w~])~(?=\S)([^~\n]*?\S)~(?![\w~])"), "s"))


@bp.app_template_filter("whatsapp")
def whatsapp_format(text: str) -> Markup:
    """A message as WhatsApp shows it: escaped, with *bold*, _italic_ and ~strikethrough~ rendered."""
    html = str(escape(text))
    for pattern, tag in _FORMATTING:
        html = pattern.sub(rf"<{tag}>\1</{tag}>", html)
    return Markup(html)


@bp.before_request
def only_with_outbox() -> None:
    """The simulator exists only while messages go to the local outbox, never beside real Twilio."""
    if current_app.config["TWILIO_ENABLED"]:
        abort(404)


def _media_folder() -> Path:
    folder = Path(current_app.config["INSTANCE_PATH"]) / "simulator_media"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def started_numbers(session: Session) -> list[SimulatorNumber]:
    """The numbers started in the simulator, the latest first."""
    return list(session.exec(
        select(SimulatorNumber).order_by(col(SimulatorNumber.started_at).desc()).limit(LISTED_NUMBERS)).all())


def _simulated(phone: str) -> SimulatorNumber:
    """The simulator's record of this number; 404 for a number not started in it."""
    found = db.session().get(SimulatorNumber, phone)
    if found is None:
        abort(404)
    return found


def known_outside(session: Session, phone: str) -> bool:
    """Whether anything outside the simulator knows this number: a message, a conversation or an applicant."""
    return (session.exec(select(Message.id).where(Message.phone == phone).limit(1)).first() is not None
            or session.get(Conversation, phone) is not None
            or session.exec(select(Applicant.id).where(Applicant.phone == phone).limit(1)).first() is not None)


@bp.get("/")
@roles_required()
def chat():  # type: ignore[no-untyped-def]
    """The numbers started in the simulator, and the chat of the one chosen."""
    session = db.session()
    raw = request.args.get("phone")
    phone, thread = None, []
    if raw:
        try:
            phone = normalize_phone(raw)
        except InvalidPhone:
            abort(404)
        _simulated(phone)
        thread = _thread(phone)
    return render_template("bot/simulator.html", phone=phone, thread=thread, numbers=started_numbers(session),
                           suggested=_fresh_number(session))


def _fresh_number(session: Session) -> str:
    """A number to offer for a new chat: the default one while it is free, else a random free one."""
    candidate = DEFAULT_PHONE
    for _ in range(20):
        if session.get(SimulatorNumber, candidate) is None and not known_outside(session, candidate):
            return candidate
        candidate = "+62812" + f"{secrets.randbelow(10 ** 8):08d}"
    return candidate


@bp.post("/mulai")
@roles_required()
def start():  # type: ignore[no-untyped-def]
    """Start chatting as a number nobody outside the simulator knows, or go back to one started before."""
    session = db.session()
    try:
        phone = normalize_phone(request.form.get("phone", ""))
    except InvalidPhone as exc:
        flash(catalogue.render(exc.key), "error")
        return redirect(url_for("simulator.chat"), code=303)
    if session.get(SimulatorNumber, phone) is None:
        if known_outside(session, phone):
            flash("Nomor ini sudah tercatat di luar simulator (pesan, percakapan atau pemohon), jadi tidak "
                  "dapat dipakai di simulator. Pilih nomor lain.", "error")
            return redirect(url_for("simulator.chat"), code=303)
        session.add(SimulatorNumber(phone=phone, started_by_id=user().id))
        session.commit()
    return redirect(url_for("simulator.chat", phone=phone), code=303)


def _thread(phone: str) -> list[dict]:
    """The messages of a number in time order, each inbound one followed by the bot's replies."""
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
    record = Path(current_app.config["OUTBOX_PATH"]) / f"{message.twilio_sid}.json"
    if not message.twilio_sid or not record.is_file():
        return None
    return json.loads(record.read_text()).get("media_url")


@bp.post("/send")
@roles_required()
def send():  # type: ignore[no-untyped-def]
    """Send the typed text and files to the real webhook as a correctly signed Twilio request."""
    try:
        phone = normalize_phone(request.form.get("phone", ""))
    except InvalidPhone:
        abort(404)
    _simulated(phone)
    files = [f for f in request.files.getlist("files") if f and f.filename][:10]
    body = request.form.get("body", "")
    if not body.strip() and not files:
        return redirect(url_for("simulator.chat", phone=phone), code=303)
    form = _twilio_form(phone, body, files)
    url = current_app.config["PUBLIC_BASE_URL"] + url_for("webhooks.whatsapp_inbound")
    signature = RequestValidator(current_app.config["TWILIO_AUTH_TOKEN"]).compute_signature(url, form)
    response = requests.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=15)
    if not response.ok:
        flash(f"Webhook menjawab {response.status_code}", "error")
    return redirect(url_for("simulator.chat", phone=phone), code=303)


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
def media(token: str) -> Response:
    """Serve an uploaded file once, the way Twilio serves media, for the media job to download (no login:
    the job has none; the token is unguessable). The copy is deleted as soon as it has been read."""
    if not token.replace("-", "").replace("_", "").isalnum():
        abort(404)
    path = _media_folder() / token
    kind = _media_folder() / f"{token}.type"
    if not path.is_file() or not kind.is_file():
        abort(404)
    content, content_type = path.read_bytes(), kind.read_text()
    if request.method == "GET":  # at most the upload limit, so held in memory while the copy goes
        path.unlink(missing_ok=True)
        kind.unlink(missing_ok=True)
    return Response(content, mimetype=content_type, headers={"Content-Disposition": "attachment"})


def sweep_uploads(folder: Path, now: float, ttl: float = UPLOAD_TTL_SECONDS) -> int:
    """Delete simulator uploads older than ttl seconds; return how many files went."""
    if not folder.is_dir():
        return 0
    gone = 0
    for path in folder.iterdir():
        if path.is_file() and now - path.stat().st_mtime > ttl:
            path.unlink(missing_ok=True)
            gone += 1
    return gone


def sweep_simulator_uploads() -> int:
    """Job (run by the clock): delete simulator uploads the media job never fetched."""
    app = job_app()
    return sweep_uploads(Path(app.config["INSTANCE_PATH"]) / "simulator_media", time.time())
