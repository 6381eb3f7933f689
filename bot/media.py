"""Citizens' files: which are accepted, downloading them from Twilio and storing them by content."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import filetype
import requests
from flask import current_app
from sqlmodel import Session

from bot import catalogue
from bot.outbound import SendRefused, send_once
from tickets.messages import Attachment, Message
from layanan.db import job_session
from layanan.images import ImageRefused, TooManyPixels, check_pixels
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
MAX_REDIRECTS = 3
DEFAULT_PORTS = {"http": 80, "https": 443}
# The REST resource Twilio names in MediaUrlN; the only kind of URL its copy is deleted at.
TWILIO_MEDIA_RESOURCE = re.compile(r"/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Messages/MM[0-9a-fA-F]{32}"
                                   r"/Media/ME[0-9a-fA-F]{32}")


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
        except _RefusedSource as exc:
            log.warning("attachment %s: media URL refused: %s", attachment.id, exc)
            return _refuse(session, attachment, "source", str(exc))
        except _TooLarge:
            return _refuse(session, attachment, "size",
                           f"ukuran melebihi {config['MEDIA_MAX_BYTES'] // (1024 * 1024)} MB")
        sniffed = filetype.guess_mime(content)
        if sniffed not in ACCEPTED_TYPES:
            return _refuse(session, attachment, "type", f"isi file bukan foto atau PDF ({sniffed or 'tidak dikenal'})")
        if sniffed.startswith("image/"):
            try:
                check_pixels(content, config["MEDIA_MAX_MEGAPIXELS"])
            except TooManyPixels as exc:
                return _refuse(session, attachment, "pixels", f"gambar terlalu besar: {exc}")
            except ImageRefused as exc:
                return _refuse(session, attachment, "unreadable", str(exc))
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


class _RefusedSource(Exception):
    """The URL (or a redirect) leads off Twilio's media hosts: nothing is fetched from there."""


def _auth(config: dict) -> tuple[str, str] | None:
    if config.get("TWILIO_ACCOUNT_SID"):
        return (config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"])
    return None


def _no_auth(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """An explicit 'no credentials', so requests does not fall back to a ~/.netrc entry for the host."""
    return request


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) URL without user info, or None for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or "@" in parts.netloc:
        return None
    return parts.scheme, parts.hostname.lower().rstrip("."), port or DEFAULT_PORTS[parts.scheme]


def _allowed_hosts(config: dict) -> list[tuple[str, int | None]]:
    """TWILIO_MEDIA_HOSTS as (host, port or None for any port); in outbox mode also the simulator's host."""
    allowed: list[tuple[str, int | None]] = []
    for entry in (config.get("TWILIO_MEDIA_HOSTS") or "").split(","):
        if not entry.strip():
            continue
        parts = urlsplit("//" + entry.strip())
        if parts.hostname:
            allowed.append((parts.hostname.lower(), parts.port))
    if not config.get("TWILIO_ACCOUNT_SID"):  # the simulator serves its uploads from the app itself
        own = _origin(config.get("PUBLIC_BASE_URL") or "")
        if own is not None:
            allowed.append((own[1], own[2]))
    return allowed


def media_url_refusal(url: str, config: dict) -> str | None:
    """Why the downloader must not fetch this URL (a reason staff read), or None when its host is allowed."""
    origin = _origin(url)
    if origin is None:
        return "alamat file bukan URL http(s) yang sah"
    _, host, port = origin
    if any(host == allowed and (allowed_port is None or port == allowed_port)
           for allowed, allowed_port in _allowed_hosts(config)):
        return None
    return f"file dari {host}:{port} tidak diambil: bukan host media Twilio (TWILIO_MEDIA_HOSTS)"


def _fetch(url: str, config: dict) -> bytes:
    """Download at most MEDIA_MAX_BYTES from an allowed host; anything bigger is refused without reading it
    all. The credentials go only to the host the webhook named: a redirect (Twilio's API sends media on to
    its CDN) is followed without them, and only to another allowed host."""
    limit = config["MEDIA_MAX_BYTES"]
    first = _origin(url)
    for _ in range(MAX_REDIRECTS + 1):
        reason = media_url_refusal(url, config)
        if reason is not None:
            raise _RefusedSource(reason)
        auth = _auth(config) if _origin(url) == first else None
        try:
            with requests.get(url, auth=auth or _no_auth, stream=True, timeout=(5, 30),
                              allow_redirects=False) as response:
                if response.is_redirect:
                    url = urljoin(url, response.headers["Location"])
                    continue
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
    raise _RefusedSource(f"lebih dari {MAX_REDIRECTS} pengalihan")


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
    """Job: tell the citizen that a file was refused (`size`, `type`, `pixels`) or could not be taken
    (`failed`, `source`, `unreadable`), once."""
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
        elif kind == "pixels":
            text = catalogue.render("media_refused_pixels", limit=f"{app.config['MEDIA_MAX_MEGAPIXELS']:g}")
        else:
            text = catalogue.render("media_download_failed")
        try:
            sent = send_once(session, phone=message.phone, key=f"attachment-{attachment.id}-{kind}", body=text,
                             ticket_id=attachment.ticket_id)
        except SendRefused as exc:  # flagged for staff
            return f"refused by Twilio: {exc.status} {exc.code}"
        return f"sent {sent.twilio_sid}"


def _delete_twilio_copy(url: str, config: dict) -> None:
    """Twilio keeps media until deleted; personal data should not linger there. Only the API's Media
    resource of our own account, on an allowed host, is ever sent the DELETE and the credentials."""
    if not config["TWILIO_ENABLED"] or not url or media_url_refusal(url, config) is not None:
        return
    resource = TWILIO_MEDIA_RESOURCE.fullmatch(urlsplit(url).path)
    if resource is None or resource.group(1) != config["TWILIO_ACCOUNT_SID"]:
        return
    try:
        requests.delete(url, auth=_auth(config), timeout=10, allow_redirects=False)
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
