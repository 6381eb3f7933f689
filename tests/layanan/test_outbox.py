"""Deferred jobs exist exactly when the change they belong to was committed."""

from __future__ import annotations

from sqlmodel import select

from layanan.outbox import DeferredJob, defer


def record(value: str) -> str:
    """A job whose run is visible in Redis."""
    from layanan.jobs import job_app
    from layanan.queue import redis_connection

    redis_connection(job_app()).rpush("outbox-test", value)
    return value


def test_a_rolled_back_change_enqueues_nothing(app, session, redis, run_jobs) -> None:  # type: ignore[no-untyped-def]
    defer(session, record, "lost", job_id="job-lost")
    session.rollback()
    session.commit()
    run_jobs()
    assert redis.lrange("outbox-test", 0, -1) == []
    assert session.exec(select(DeferredJob)).all() == []


def test_a_committed_job_runs_once_even_if_deferred_twice(app, session, redis, run_jobs) -> None:  # type: ignore[no-untyped-def]
    defer(session, record, "once", job_id="job-once")
    session.commit()
    defer(session, record, "once", job_id="job-once")
    session.commit()
    run_jobs()
    assert redis.lrange("outbox-test", 0, -1) == [b"once"]
