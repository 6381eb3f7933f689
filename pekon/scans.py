"""The scans a village operator uploads with a submission: checked by their bytes, stored by content.

Scans that pass are kept at once as attachments of the form's draft, so a form sent back for a typing
error does not ask for them again; the ticket takes them over when it is created.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import filetype
from sqlmodel import Session, col, select

from bot.media import store_content
from layanan.images import ImageRefused, TooManyPixels, check_pixels
from tickets.constants import AttachmentStatus
from tickets.messages import Attachment

ACCEPTED_TYPES: dict[str, str] = {"application/pdf": "PDF", "image/jpeg": "JPG", "image/png": "PNG"}
MAX_SCANS = 8
DRAFT_PREFIX = "pekon-"
_DRAFT_RE = re.compile(r"^pekon-[A-Za-z0-9_-]{32}$")
SHOWN_NAME_LENGTH = 60


class ScanRefused(ValueError):
    """A file that is not kept; the message says why, in Indonesian."""


@dataclass(frozen=True)
class Refusal:
    filename: str
    reason: str


def new_draft_id() -> str:
    """A fresh, unguessable key for the scans of one submission form."""
    return DRAFT_PREFIX + secrets.token_urlsafe(24)


def valid_draft_id(raw: str | None) -> str | None:
    """The form's draft key if it has the shape this module gives out, else None."""
    return raw if raw and _DRAFT_RE.match(raw) else None


def limit_text(max_bytes: int) -> str:
    """The size limit as the operator reads it."""
    if max_bytes >= 1024 * 1024:
        return f"{max_bytes / (1024 * 1024):.0f} MB"
    return f"{max(1, max_bytes // 1024)} KB"


def read_scan(stream: IO[bytes], max_bytes: int) -> bytes:
    """The upload's bytes; a file larger than max_bytes is refused without reading all of it."""
    content = stream.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise ScanRefused(f"ukuran file melebihi {limit_text(max_bytes)}; perkecil atau pindai ulang dengan "
                          "resolusi lebih rendah")
    return content


def sniff(content: bytes) -> str:
    """The file's real type from its first bytes; only PDF, JPEG and PNG are accepted."""
    if not content:
        raise ScanRefused("file kosong")
    found = filetype.guess_mime(content)
    if found not in ACCEPTED_TYPES:
        raise ScanRefused("isi file bukan PDF, JPG atau PNG; simpan ulang pindaian dalam salah satu format itu")
    return found


def check_image(content: bytes, max_megapixels: float) -> None:
    """Refuse an image whose header cannot be read or that has more pixels than staff pages may show."""
    try:
        check_pixels(content, max_megapixels)
    except TooManyPixels as exc:
        raise ScanRefused(f"resolusi gambar terlalu besar ({exc}); pindai ulang dengan resolusi lebih "
                          "rendah") from exc
    except ImageRefused as exc:
        raise ScanRefused(f"{exc}; simpan ulang pindaian sebagai JPG atau PNG") from exc


def keep_scans(session: Session, config: Mapping[str, Any], uploads: Iterable[Any], *, operator_id: int,
               draft_id: str | None = None, ticket_id: int | None = None) -> list[Refusal]:
    """Check each uploaded file and keep those that pass as attachments of the draft (or, added later,
    of the ticket); commits. Returns the files refused, with the reason."""
    refused: list[Refusal] = []
    if draft_id is not None:
        kept = draft_scans(session, draft_id, operator_id)
        count = len(kept)
    else:
        kept = ticket_scans(session, int(ticket_id or 0))
        count = 0  # a later addition (a scan made again) counts on its own
    index = max((a.media_index for a in kept), default=-1) + 1
    max_bytes = int(config["MEDIA_MAX_BYTES"])
    root = Path(config["MEDIA_PATH"])
    for upload in uploads:
        name = _shown_name(upload.filename or "")
        if not name:
            continue  # an empty file input
        if count >= MAX_SCANS:
            refused.append(Refusal(name, f"paling banyak {MAX_SCANS} berkas per pengajuan"))
            continue
        try:
            content = read_scan(upload.stream, max_bytes)
            content_type = sniff(content)
            if content_type.startswith("image/"):
                check_image(content, float(config["MEDIA_MAX_MEGAPIXELS"]))
        except ScanRefused as exc:
            refused.append(Refusal(name, str(exc)))
            continue
        digest = hashlib.sha256(content).hexdigest()
        path = store_content(root, digest, content)
        session.add(Attachment(
            message_id=None, uploaded_by_id=operator_id, media_index=index, draft_id=draft_id, ticket_id=ticket_id,
            declared_type=(upload.mimetype or "application/octet-stream")[:100], content_type=content_type,
            size=len(content), sha256=digest, storage_path=str(path.relative_to(root)),
            status=AttachmentStatus.STORED,
        ))
        index += 1
        count += 1
    session.commit()
    return refused


def draft_scans(session: Session, draft_id: str, operator_id: int) -> list[Attachment]:
    """The scans this operator kept for the draft, in upload order."""
    return list(session.exec(
        select(Attachment).where(Attachment.draft_id == draft_id, Attachment.uploaded_by_id == operator_id)
        .order_by(col(Attachment.media_index))
    ).all())


def drop_scans(session: Session, draft_id: str, operator_id: int, ids: Iterable[int]) -> None:
    """Remove scans the operator took back from a draft not yet submitted; commits."""
    wanted = set(ids)
    if not wanted:
        return
    for attachment in draft_scans(session, draft_id, operator_id):
        if attachment.id in wanted and attachment.ticket_id is None:
            session.delete(attachment)
    session.commit()


def ticket_scans(session: Session, ticket_id: int) -> list[Attachment]:
    """The scans staff uploaded with a ticket, in upload order."""
    return list(session.exec(
        select(Attachment).where(Attachment.ticket_id == ticket_id, col(Attachment.uploaded_by_id).is_not(None))
        .order_by(col(Attachment.media_index))
    ).all())


def _shown_name(filename: str) -> str:
    """The file's name as the browser sent it, only to name it in a message (never stored)."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:SHOWN_NAME_LENGTH]
