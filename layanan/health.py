"""GET /healthz: the state of the database and Redis."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from layanan import db
from layanan.queue import redis_connection

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    """Report whether the database and Redis answer; 503 when either does not."""
    state = {"database": "ok", "redis": "ok"}
    try:
        with db.engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - a health check reports any failure
        state["database"] = f"error: {type(exc).__name__}"
    try:
        redis_connection().ping()
    except Exception as exc:  # noqa: BLE001
        state["redis"] = f"error: {type(exc).__name__}"
    healthy = all(v == "ok" for v in state.values())
    return jsonify(status="ok" if healthy else "degraded", pending_jobs=_pending_jobs(), **state), \
        200 if healthy else 503


def _pending_jobs() -> int | None:
    """Jobs recorded but not yet on the queue: above zero for long means Redis was or is unreachable."""
    from layanan.outbox import pending_count

    try:
        return pending_count(db.session())
    except Exception:  # noqa: BLE001 - already reported as the database state
        return None
