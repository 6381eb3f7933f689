"""Citizens' files: which are accepted, downloading them from Twilio and storing them by content."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import filetype
import requests
from flask import current_app
from sqlmodel import Session

from bot import catalogue
from bot.outbound import SendRefused, send_once
from tickets.messages import Attachment, Message
from layanan.db import job_session
from layanan.jobs import job_app
from layanan.outbox import defer
from tickets.constants import AttachmentStatus

log = logging.getLogger(__name__)

ACCEPTED_TYPES: dict[str, str] = {
    "image/jpeg": "foto JPG",
    "image/png": "gambar PNG",
    "image/webp": "gambar WebP",
    "application/pdf": "PDF",
}
CHUNK = 64 * 1024


class TransientDownloadError(RuntimeError):
    """Twilio or the network failed in a way worth retrying."""


def refusal_for_declared_type(content_type: str) -> str | None:
    """Why a file of this declared type is refused, or None when it is accepted."""
    if content_type.split(";")[0].strip() in ACCEPTED_TYPES:
        return None
    return f"jenis file {content_type or 'tidak dikenal'} tidak diterima"


def defer_download(session: Session, attachment_id: int) -> str:
    """Record the download job of an attachment in the caller's transaction; return its job id."""
    job_id = f"media-{attachment_id}"
    defer(session, download_media, attachment_id, job_id=job_id, queue_name="media",
          retry_intervals=current_app.config["MEDIA_RETRY_INTERVALS"], on_failure=media_download_gave_up)
    return job_id


def download_media(attachment_id: int) -> str:
    """Job: fetch one attachment, check it, store it under its sha256; refuse it in the chat if bad."""
    app = job_app()
    with app.app_context(), job_session(app) as session:
        attachment = session.get(Attachment, attachment_id)
        if attachment is None or attachment.status != AttachmentStatus.PENDING:
            return "nothing to do"
        config = app.config
        try:
            content = _fetch(attachment.source_url or "", config)
        except _TooLarge:
            return _refuse(session, attachment, "size",
                           f"ukuran melebihi {config['MEDIA_MAX_BYTES'] // (1024 * 1024)} MB")
        sniffed = filetype.guess_mime(content)
        if sniffed not in ACCEPTED_TYPES:
            return _refuse(session, attachment, "type", f"isi file bukan foto atau PDF ({sniffed or 'tidak dikenal'})")
        digest = hashlib.sha256(content).hexdigest()
        path = store_content(Path(config["MEDIA_PATH"]), digest, content)
        attachment.status = AttachmentStatus.STORED
        attachment.content_type, attachment.size, attachment.sha256 = sniffed, len(content), digest
        attachment.storage_path = str(path.relative_to(config["MEDIA_PATH"]))
        session.add(attachment)
        session.commit()
        _delete_twilio_copy(attachment.source_url or "", config)
        return "stored"


class _TooLarge(Exception):
    pass


def _auth(config: dict) -> tuple[str, str] | None:
    if config.get("TWILIO_ACCOUNT_SID"):
        return (config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"])
    return None


def _fetch(url: str, config: dict) -> bytes:
    """Download at most MEDIA_MAX_BYTES; anything bigger is refused without reading it all."""
    limit = config["MEDIA_MAX_BYTES"]
    try:
        with requests.get(url, auth=_auth(config), stream=True, timeout=(5, 30)) as response:
            if response.status_code >= 500 or response.status_code == 429:
                raise TransientDownloadError(f"media server answered {response.status_code}")
            response.raise_for_status()
            if int(response.headers.get("Content-Length") or 0) > limit:
                raise _TooLarge()
            received = bytearray()
            for chunk in response.iter_content(CHUNK):
                received.extend(chunk)
                if len(received) > limit:
                    raise _TooLarge()
            return bytes(received)
    except requests.RequestException as exc:
        raise TransientDownloadError(str(exc)) from exc


def store_content(root: Path, digest: str, content: bytes) -> Path:
    """Write the bytes under their digest (ab/cd/abcd…), atomically; identical files are stored once."""
    path = root / digest[:2] / digest[2:4] / digest
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    os.replace(tmp, path)
    return path


def _refuse(session: Session, attachment: Attachment, kind: str, reason: str) -> str:
    attachment.status, attachment.reason = AttachmentStatus.REFUSED, reason
    session.add(attachment)
    _tell_citizen(session, attachment, kind)
    session.commit()
    return f"refused: {reason}"


def _tell_citizen(session: Session, attachment: Attachment, kind: str) -> None:
    """Record, in the caller's transaction, the job that tells the citizen their file was not taken."""
    if attachment.message_id is None or attachment.id is None:
        return  # a scan staff uploaded: nobody to tell on WhatsApp
    defer(session, send_media_notice, attachment.id, kind, job_id=f"attachment-{attachment.id}-{kind}",
          retry_intervals=current_app.config["NOTIFY_RETRY_INTERVALS"])


def send_media_notice(attachment_id: int, kind: str) -> str:
    """Job: tell the citizen that a file was refused (`size`, `type`) or could not be fetched (`failed`), once."""
    app = job_app()
    with app.app_context(), job_session(app) as session:
        attachment = session.get(Attachment, attachment_id)
        message = session.get(Message, attachment.message_id) if attachment and attachment.message_id else None
        if attachment is None or message is None:
            return "nothing to do"
        if kind == "size":
            text = catalogue.render("media_refused_size", limit_mb=app.config["MEDIA_MAX_BYTES"] // (1024 * 1024))
        elif kind == "type":
            text = catalogue.render("media_refused_type", content_type=attachment.content_type or "tidak dikenal")
        else:
            text = catalogue.render("media_download_failed")
        try:
            sent = send_once(session, phone=message.phone, key=f"attachment-{attachment.id}-{kind}", body=text,
                             ticket_id=attachment.ticket_id)
        except SendRefused as exc:  # flagged for staff
            return f"refused by Twilio: {exc.status} {exc.code}"
        return f"sent {sent.twilio_sid}"


def _delete_twilio_copy(url: str, config: dict) -> None:
    """Twilio keeps media until deleted; personal data should not linger there."""
    if not config["TWILIO_ENABLED"] or not url:
        return
    try:
        requests.delete(url, auth=_auth(config), timeout=10)
    except requests.RequestException:
        log.warning("could not delete Twilio's copy of a media file")


def media_download_gave_up(job: Any, connection: Any, *exc_info: Any) -> None:
    """RQ failure callback: after the last retry, mark the file failed and tell the citizen."""
    if job.retries_left:
        return
    attachment_id = job.args[0]
    app = job_app()
    with app.app_context(), job_session(app) as session:
        attachment = session.get(Attachment, attachment_id)
        if attachment is None or attachment.status != AttachmentStatus.PENDING:
            return
        attachment.status, attachment.reason = AttachmentStatus.FAILED, "gagal diunduh dari Twilio"
        session.add(attachment)
        _tell_citizen(session, attachment, "failed")
        session.commit()
