"""GET /healthz: whether the service does its work, the database, Redis, the RQ workers and the jobs waiting.

Everyone gets the status (200 "ok" or 503 "degraded"); the details only a caller that sends
`Authorization: Bearer <HEALTH_TOKEN>`.
"""

from __future__ import annotations

import hmac
from datetime import datetime, timezone
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import text

from layanan import db
from layanan.queue import redis_connection

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    """503 when the database or Redis does not answer, no worker is alive, or a job has waited too long."""
    config = current_app.config
    now = datetime.now(timezone.utc)
    state: dict[str, Any] = {"database": "ok", "redis": "ok"}
    try:
        with db.engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - a health check reports any failure
        state["database"] = f"error: {type(exc).__name__}"
    state["pending_jobs"], outbox_oldest = _outbox()
    queued, queue_oldest, workers = None, None, None
    try:
        connection = redis_connection()
        connection.ping()
        queued, queue_oldest = _queued_jobs(connection, config["RQ_QUEUES"], now)
        workers = _workers(connection, now, config["HEALTH_WORKER_STALE_SECONDS"])
    except Exception as exc:  # noqa: BLE001
        state["redis"] = f"error: {type(exc).__name__}"

    ages = [(now - moment).total_seconds() for moment in (outbox_oldest, queue_oldest) if moment is not None]
    state["queued_jobs"] = queued
    state["oldest_pending_job_seconds"] = round(max(ages), 1) if ages else 0
    live = sum(1 for worker in workers or [] if worker["alive"])
    state["live_workers"] = live if workers is not None else None
    state["workers"] = workers

    failing = [name for name in ("database", "redis") if state[name] != "ok"]
    if workers is not None and config["HEALTH_WORKER_STALE_SECONDS"] > 0 and live == 0:
        failing.append("workers")
    if state["oldest_pending_job_seconds"] > config["HEALTH_JOB_STALE_SECONDS"]:
        failing.append("jobs")
    state["failing"] = failing
    status = "degraded" if failing else "ok"
    body = {"status": status, **state} if _may_see_details(config.get("HEALTH_TOKEN")) else {"status": status}
    response = jsonify(body)
    response.status_code = 503 if failing else 200
    response.headers["Cache-Control"] = "no-store"
    return response


def _may_see_details(token: str | None) -> bool:
    """The details (queue names, worker hosts and pids) are for operators holding HEALTH_TOKEN."""
    if not token:
        return False
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def _outbox() -> tuple[int | None, datetime | None]:
    """Jobs recorded but not yet on the queue, and when the oldest was recorded (above zero for long means
    Redis was or is unreachable)."""
    from sqlalchemy import func
    from sqlmodel import col, select

    from layanan.outbox import DeferredJob

    try:
        count, oldest = db.session().exec(
            select(func.count(), func.min(DeferredJob.created_at)).where(col(DeferredJob.enqueued_at).is_(None))
        ).one()
    except Exception:  # noqa: BLE001 - already reported as the database state
        return None, None
    return count, _aware(oldest)


def _queued_jobs(connection: Any, names: list[str], now: datetime) -> tuple[int, datetime | None]:
    """How many jobs wait on the queues, and since when the longest-waiting one: the oldest job on a
    queue, or a scheduled job (a retry) whose time has come but that no scheduler moved to its queue."""
    from rq import Queue
    from rq.job import Job
    from rq.registry import ScheduledJobRegistry

    total, oldest = 0, None
    for name in names:
        queue = Queue(name, connection=connection)
        total += queue.count
        first = queue.get_job_ids(0, 1)
        job = Job.fetch(first[0], connection=connection) if first else None
        candidates = [_aware(job.enqueued_at)] if job is not None and job.enqueued_at else []
        due = connection.zrangebyscore(ScheduledJobRegistry(queue=queue).key, 0, now.timestamp(),
                                       start=0, num=1, withscores=True)
        if due:
            candidates.append(datetime.fromtimestamp(due[0][1], timezone.utc))
        for moment in candidates:
            oldest = moment if oldest is None or moment < oldest else oldest
    return total, oldest


def _workers(connection: Any, now: datetime, stale_seconds: float) -> list[dict[str, Any]]:
    """Every worker in RQ's registry; alive when its last heartbeat is more recent than stale_seconds.

    A worker killed outright stays registered until its key expires; its heartbeat stops meanwhile."""
    from rq import Worker

    workers = []
    for worker in Worker.all(connection=connection):
        beat = _aware(worker.last_heartbeat)
        age = (now - beat).total_seconds() if beat else None
        workers.append({
            "name": worker.name, "hostname": worker.hostname, "pid": worker.pid, "state": worker.get_state(),
            "queues": worker.queue_names(), "last_heartbeat_seconds": round(age, 1) if age is not None else None,
            "alive": age is not None and age <= stale_seconds,
        })
    return sorted(workers, key=lambda w: (not w["alive"], w["name"]))


def _aware(moment: datetime | None) -> datetime | None:
    """RQ and SQLite may hand back naive UTC times."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)
