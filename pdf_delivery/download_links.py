"""Unguessable, expiring download URLs for a signed document (what Twilio fetches as `media_url`), each good
for a set number of downloads."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from sqlalchemy import update
from sqlmodel import Session, col, select

from pdf_delivery.delivery_models import DownloadLink
from layanan.clock import utcnow

log = logging.getLogger(__name__)

PATH_PREFIX = "/unduh/"


def token_hash(token: str) -> str:
    """What the database keeps of a token: a leak of the table gives no working URL."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_link(session: Session, document_id: int, *, base_url: str, ttl_hours: float,
                delivery_id: int | None = None, now: datetime | None = None) -> str:
    """Add a link for the document to the session (the caller commits) and return its public URL."""
    token = secrets.token_urlsafe(32)
    session.add(DownloadLink(
        token_sha256=token_hash(token), document_id=document_id, delivery_id=delivery_id,
        expires_at=(now or utcnow()) + timedelta(hours=ttl_hours),
    ))
    return f"{base_url.rstrip('/')}{PATH_PREFIX}{token}"


class Refusal(StrEnum):
    UNKNOWN = "unknown"  # wrong or made-up token
    EXPIRED = "expired"
    USED_UP = "used_up"  # downloaded as often as a link may be
    MISSING = "missing"  # the signed file is gone or no longer matches its recorded hash


@dataclass(frozen=True)
class Resolved:
    link: DownloadLink | None
    refusal: Refusal | None


def resolve(session: Session, token: str, max_uses: int, now: datetime | None = None) -> Resolved:
    """The link a token names, or why it serves nothing."""
    if not token or len(token) > 100:
        return Resolved(None, Refusal.UNKNOWN)
    link = session.exec(select(DownloadLink).where(DownloadLink.token_sha256 == token_hash(token))).first()
    if link is None:
        return Resolved(None, Refusal.UNKNOWN)
    if (now or utcnow()) >= link.expires_at:
        return Resolved(link, Refusal.EXPIRED)
    if link.fetch_count >= max_uses:
        return Resolved(link, Refusal.USED_UP)
    return Resolved(link, None)


def record_fetch(session: Session, link: DownloadLink, max_uses: int, now: datetime | None = None) -> bool:
    """Take one of the link's downloads and commit; False when none is left (two fetches at once count apart)."""
    taken = session.execute(
        update(DownloadLink).where(col(DownloadLink.id) == link.id, col(DownloadLink.fetch_count) < max_uses)
        .values(fetch_count=DownloadLink.fetch_count + 1, last_fetched_at=now or utcnow())
    )
    session.commit()
    session.refresh(link)
    return taken.rowcount == 1


def verified_file(root: Path, relative: str | None, expected_sha256: str | None) -> Path | None:
    """The stored signed file if it lies under root and still has the hash recorded when it was signed."""
    if not relative or not expected_sha256:
        return None
    root = root.resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    if digest.hexdigest() != expected_sha256:
        log.error("signed file %s does not match its recorded hash; not served", path.name)
        return None
    return path
