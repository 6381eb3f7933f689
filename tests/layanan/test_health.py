"""GET /healthz: the database, Redis, RQ's live workers and the age of the oldest waiting job; the
details only for a caller with HEALTH_TOKEN."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from redis import Redis
from rq import Queue, Worker
from rq.utils import now, utcformat

from layanan.outbox import DeferredJob

TOKEN = "health-token-for-tests"
WITH_TOKEN = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config.update(HEALTH_TOKEN=TOKEN, HEALTH_WORKER_STALE_SECONDS=60, HEALTH_JOB_STALE_SECONDS=600)
    return app_config


def live_worker(redis: Redis, name: str = "worker-1") -> Worker:
    """A worker registered in RQ's registry with a fresh heartbeat, as `rq worker` does at start."""
    worker = Worker(["default", "media"], connection=redis, name=name)
    worker.register_birth()
    worker.heartbeat()
    return worker


def test_healthy_with_a_live_worker_and_nothing_waiting(http, redis) -> None:  # type: ignore[no-untyped-def]
    live_worker(redis)
    response = http.get("/healthz", headers=WITH_TOKEN)
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("status", "database", "redis", "pending_jobs", "queued_jobs", "live_workers",
                                 "oldest_pending_job_seconds", "failing")} == {
        "status": "ok", "database": "ok", "redis": "ok", "pending_jobs": 0, "queued_jobs": 0, "live_workers": 1,
        "oldest_pending_job_seconds": 0, "failing": []}
    [worker] = body["workers"]
    assert worker["name"] == "worker-1" and worker["alive"] and worker["queues"] == ["default", "media"]
    assert response.headers["Cache-Control"] == "no-store"


def test_public_callers_get_only_the_status(http, redis) -> None:  # type: ignore[no-untyped-def]
    live_worker(redis)
    assert http.get("/healthz").json() == {"status": "ok"}
    for wrong in ("Bearer not-the-token", f"Basic {TOKEN}", TOKEN, "Bearer "):
        response = http.get("/healthz", headers={"Authorization": wrong})
        assert response.status_code == 200 and response.json() == {"status": "ok"}, wrong


def test_no_details_for_anyone_without_a_configured_token(app, http, redis) -> None:  # type: ignore[no-untyped-def]
    app.config["HEALTH_TOKEN"] = None
    live_worker(redis)
    assert http.get("/healthz", headers={"Authorization": "Bearer "}).json() == {"status": "ok"}
    assert http.get("/healthz", headers={"Authorization": "Bearer None"}).json() == {"status": "ok"}


def test_unhealthy_when_no_worker_is_registered(http, redis) -> None:  # type: ignore[no-untyped-def]
    response = http.get("/healthz")
    assert response.status_code == 503 and response.json() == {"status": "degraded"}
    body = http.get("/healthz", headers=WITH_TOKEN).json()
    assert body["live_workers"] == 0 and body["workers"] == [] and body["failing"] == ["workers"]
    assert body["database"] == "ok" and body["redis"] == "ok"


def test_a_worker_whose_heartbeat_stopped_counts_as_dead(http, redis) -> None:  # type: ignore[no-untyped-def]
    worker = live_worker(redis, "killed-worker")
    # What a worker killed outright leaves behind: still registered, its last heartbeat growing old.
    redis.hset(worker.key, "last_heartbeat", utcformat(now() - timedelta(seconds=61)))
    response = http.get("/healthz", headers=WITH_TOKEN)
    assert response.status_code == 503
    [dead] = response.json()["workers"]
    assert dead["name"] == "killed-worker" and not dead["alive"] and dead["last_heartbeat_seconds"] >= 61
    live_worker(redis, "restarted-worker")
    body = http.get("/healthz", headers=WITH_TOKEN).json()
    assert body["status"] == "ok" and body["live_workers"] == 1
    assert [(w["name"], w["alive"]) for w in body["workers"]] == [("restarted-worker", True), ("killed-worker", False)]


def test_worker_check_can_be_turned_off(app, http, redis) -> None:  # type: ignore[no-untyped-def]
    app.config["HEALTH_WORKER_STALE_SECONDS"] = 0
    assert http.get("/healthz").status_code == 200


def test_unhealthy_when_a_queued_job_waits_too_long(app, http, redis) -> None:  # type: ignore[no-untyped-def]
    live_worker(redis)
    Queue("media", connection=redis).enqueue("layanan.outbox.pending_count", None, job_id="waiting-job")
    body = http.get("/healthz", headers=WITH_TOKEN).json()
    assert body["status"] == "ok" and body["queued_jobs"] == 1 and 0 <= body["oldest_pending_job_seconds"] < 5
    app.config["HEALTH_JOB_STALE_SECONDS"] = 0.5
    time.sleep(0.6)
    response = http.get("/healthz", headers=WITH_TOKEN)
    assert response.status_code == 503
    assert response.json()["failing"] == ["jobs"] and response.json()["oldest_pending_job_seconds"] >= 0.6


def test_unhealthy_when_a_retry_is_due_but_no_scheduler_moved_it(app, http, redis) -> None:  # type: ignore[no-untyped-def]
    live_worker(redis)
    Queue("default", connection=redis).enqueue_in(timedelta(seconds=-700), "layanan.outbox.pending_count", None)
    body = http.get("/healthz", headers=WITH_TOKEN).json()
    assert body["failing"] == ["jobs"] and body["oldest_pending_job_seconds"] >= 700


def test_unhealthy_when_a_recorded_job_never_reached_the_queue(http, redis, session) -> None:  # type: ignore[no-untyped-def]
    live_worker(redis)
    session.add(DeferredJob(job_id="stuck-1", func="layanan.outbox.pending_count",
                            created_at=datetime.now(timezone.utc) - timedelta(minutes=15)))
    session.commit()
    response = http.get("/healthz", headers=WITH_TOKEN)
    assert response.status_code == 503
    body = response.json()
    assert body["pending_jobs"] == 1 and body["failing"] == ["jobs"]
    assert 900 <= body["oldest_pending_job_seconds"] < 960


def test_healthz_reports_a_dead_redis(app, http) -> None:  # type: ignore[no-untyped-def]
    app.extensions["redis"] = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    response = http.get("/healthz", headers=WITH_TOKEN)
    assert response.status_code == 503
    body = response.json()
    assert body["redis"].startswith("error") and body["database"] == "ok"
    assert body["failing"] == ["redis"] and body["workers"] is None and body["pending_jobs"] == 0
    assert http.get("/healthz").json() == {"status": "degraded"}
