"""What a refused ticket action typed and why, kept for the one page view after the redirect (post/redirect/get).

The values wait in Redis for a few minutes under a random key that the session names, so a long answer never
swells the session cookie past what a browser keeps; they are deleted when read. Without Redis a small form
rides in the session itself, and a large one keeps only its errors (the message still says what went wrong).
"""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

from flask import session
from redis.exceptions import RedisError

from layanan.queue import redis_connection

log = logging.getLogger(__name__)
SESSION_KEY = "tiket_formulir_ditolak"
KEEP_SECONDS = 15 * 60
COOKIE_CHARACTERS = 1500  # what the session cookie may carry itself (a browser keeps about 4 KB in all)


def _redis_key(token: str) -> str:
    return f"layanan:formulir-ditolak:{token}"


def keep(number: str, action: str | None, typed: dict[str, Any], errors: dict[str, str]) -> None:
    """Keep a refused form of ticket `number` for the next view of that ticket."""
    kept = {"number": number, "action": action, "typed": typed, "errors": errors}
    token = secrets.token_urlsafe(18)
    try:
        redis_connection().set(_redis_key(token), json.dumps(kept), ex=KEEP_SECONDS)
        session[SESSION_KEY] = {"token": token}
        return
    except RedisError as exc:
        log.warning("refused form of %s kept in the session, Redis unreachable: %s", number, exc)
    if len(json.dumps(kept)) > COOKIE_CHARACTERS:
        kept["typed"] = {}
    session[SESSION_KEY] = {"form": kept}


def take(number: str) -> dict[str, Any] | None:
    """The refused form kept for ticket `number`, once; None when there is none (any kept form is dropped)."""
    entry = session.pop(SESSION_KEY, None)
    if not isinstance(entry, dict):
        return None
    kept = entry.get("form")
    token = entry.get("token")
    if isinstance(token, str):
        try:
            pipeline = redis_connection().pipeline()
            pipeline.get(_redis_key(token))
            pipeline.delete(_redis_key(token))
            raw, _deleted = pipeline.execute()
        except RedisError as exc:
            log.warning("refused form of %s could not be read back from Redis: %s", number, exc)
            return None
        kept = json.loads(raw) if raw else None
    if not isinstance(kept, dict) or kept.get("number") != number:
        return None
    return kept
