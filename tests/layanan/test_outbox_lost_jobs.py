"""A job RQ lost after taking it (handed to the blocking pop of a worker killed outright) is enqueued
again by the sweep; a job RQ still holds, runs or ran is never enqueued twice."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from redis import Redis
from rq import Queue
from rq.job import Job
from sqlmodel import Session

import layanan.outbox
from layanan.clock import utcnow
from layanan.outbox import LOST_AFTER, LOST_WITHIN, defer, sweep

LATER = LOST_AFTER + timedelta(seconds=5)  # when the sweep may take a job that RQ holds nowhere as lost


def record(value: str) -> str:
    """A job whose every run is visible in Redis."""
    from layanan.jobs import job_app
    from layanan.queue import redis_connection

    redis_connection(job_app()).rpush("lost-jobs-test", value)
    return value


def sweep_while_started(value: str) -> int:
    """A job that sweeps while RQ runs it (status started, in the started registry) and records its run."""
    from layanan.jobs import job_app

    app = job_app()
    with Session(app.extensions["db_engine"]) as session:
        enqueued = sweep(session, app, now=utcnow() + LATER)
    record(value)
    return enqueued


def fail() -> None:
    """A job that ends in RQ's failed registry."""
    raise RuntimeError("gagal")


def runs(redis: Redis) -> list[bytes]:
    return redis.lrange("lost-jobs-test", 0, -1)


def take_like_a_killed_worker(redis: Redis) -> bytes:
    """Pop the next job as a worker's blocking pop does, and never run it: the worker is dead."""
    popped = redis.blpop(["rq:queue:default", "rq:queue:media"], timeout=1)
    assert popped is not None
    return popped[1]


@pytest.fixture(autouse=True)
def no_recheck_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(layanan.outbox, "RECHECK_PAUSE", 0)


def test_a_job_lost_by_a_killed_worker_is_enqueued_again_and_runs(  # type: ignore[no-untyped-def]
        app, session, redis, run_jobs, caplog) -> None:
    defer(session, record, "foto", job_id="media-lost", queue_name="media")
    session.commit()
    assert take_like_a_killed_worker(redis) == b"media-lost"
    assert Job.fetch("media-lost", connection=redis).get_status() == "queued"  # the state seen in production

    assert sweep(session, app) == 0, "too recent to be called lost"
    with caplog.at_level(logging.WARNING, logger="layanan.outbox"):
        assert sweep(session, app, now=utcnow() + LATER) == 1
    assert "media-lost" in caplog.text and "lost" in caplog.text
    assert Queue("media", connection=redis).job_ids == ["media-lost"]

    run_jobs()
    assert runs(redis) == [b"foto"]
    assert sweep(session, app, now=utcnow() + 2 * LATER) == 0, "run and finished: left alone"
    run_jobs()
    assert runs(redis) == [b"foto"]


def test_a_lost_job_is_enqueued_again_once_even_by_two_sweeps(app, session, redis, run_jobs) -> None:  # type: ignore[no-untyped-def]
    defer(session, record, "sekali", job_id="lost-once")
    session.commit()
    take_like_a_killed_worker(redis)
    assert sweep(session, app, now=utcnow() + LATER) == 1
    assert sweep(session, app, now=utcnow() + LATER) == 0, "back in its queue's list"
    run_jobs()
    assert runs(redis) == [b"sekali"]


def test_a_job_waiting_in_its_queue_is_not_enqueued_twice(app, session, redis, run_jobs) -> None:  # type: ignore[no-untyped-def]
    defer(session, record, "antre", job_id="waiting")
    session.commit()
    assert sweep(session, app, now=utcnow() + LATER) == 0
    run_jobs()
    assert runs(redis) == [b"antre"]


def test_a_job_running_now_is_not_enqueued_twice(app, session, redis, run_jobs) -> None:  # type: ignore[no-untyped-def]
    defer(session, sweep_while_started, "berjalan", job_id="running")
    session.commit()
    run_jobs()
    assert runs(redis) == [b"berjalan"]
    assert Job.fetch("running", connection=redis).return_value() == 0, "the sweep left the started job alone"
    run_jobs()
    assert runs(redis) == [b"berjalan"]


def test_finished_failed_or_expired_jobs_are_left_alone(app, session, redis, run_jobs) -> None:  # type: ignore[no-untyped-def]
    defer(session, record, "selesai", job_id="finished")
    defer(session, record, "kedaluwarsa", job_id="expired")
    defer(session, fail, job_id="failed")
    session.commit()
    run_jobs()
    assert sorted(runs(redis)) == [b"kedaluwarsa", b"selesai"]
    redis.delete(Job.key_for("expired"))  # its result's time to live ran out

    assert sweep(session, app, now=utcnow() + LATER) == 0
    run_jobs()
    assert sorted(runs(redis)) == [b"kedaluwarsa", b"selesai"]
    assert Job.fetch("failed", connection=redis).get_status() == "failed"


def test_only_recently_enqueued_jobs_are_checked(app, session, redis, run_jobs) -> None:  # type: ignore[no-untyped-def]
    defer(session, record, "lama", job_id="long-ago")
    session.commit()
    take_like_a_killed_worker(redis)
    assert sweep(session, app, now=utcnow() + LOST_WITHIN + LATER) == 0
    run_jobs()
    assert runs(redis) == []
