"""API tokens: shown once at creation, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets

from sqlmodel import Session, select

from tickets.staff import ApiToken
from layanan.clock import utcnow


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, name: str) -> str:
    """Create a token for an integration and return its only plain-text copy."""
    token = "lpo_" + secrets.token_urlsafe(32)
    session.add(ApiToken(name=name, token_hash=_hash(token)))
    session.commit()
    return token


def check_token(session: Session, token: str) -> ApiToken | None:
    """The live token matching this bearer value, marked as used; None when unknown or revoked."""
    if not token:
        return None
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == _hash(token))).first()
    if row is None or row.revoked:
        return None
    row.last_used_at = utcnow()
    session.add(row)
    session.commit()
    return row
