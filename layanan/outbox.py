"""Jobs recorded in the same transaction as the change that needs them (a transactional outbox).

A job is written as a row beside the data it concerns, so it exists exactly when that data does.
Right after the commit it is put on RQ; if Redis is down at that moment the row stays
unenqueued and `sweep` (run periodically, and by `flask sweep-jobs`) puts it on RQ later. Jobs
must therefore be idempotent: a row can be enqueued again if marking it failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app, has_app_context
from rq import Callback, Retry
from sqlalchemy import Column, event, update
from sqlalchemy.types import JSON
from sqlmodel import Field, Session, SQLModel, col, select

from layanan.clock import utcnow
from tickets.types import UTCDateTime

log = logging.getLogger(__name__)

SWEEP_AFTER = timedelta(seconds=30)  # younger rows are still being enqueued by their own request
KEEP_ENQUEUED = timedelta(days=7)


class DeferredJob(SQLModel, table=True):
    __tablename__ = "deferred_job"

    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(max_length=120, unique=True)
    func: str = Field(max_length=200)
    args: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    queue_name: str = Field(max_length=40, default="default")
    retry_intervals: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    on_failure: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(timezone=True), index=True)
    enqueued_at: datetime | None = Field(default=None, sa_type=UTCDateTime(timezone=True), index=True)


def _dotted(func: Callable[..., Any]) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def defer(
    session: Session,
    func: Callable[..., Any],
    *args: Any,
    job_id: str,
    queue_name: str = "default",
    retry_intervals: Sequence[int] = (),
    on_failure: Callable[..., Any] | None = None,
) -> None:
    """Record a job in the session's transaction; it reaches RQ once that transaction commits.

    A job id already recorded is kept as it is: deferring the same work twice does it once.
    """
    if session.exec(select(DeferredJob).where(DeferredJob.job_id == job_id)).first() is not None:
        return
    session.add(DeferredJob(
        job_id=job_id, func=_dotted(func), args=list(args), queue_name=queue_name,
        retry_intervals=list(retry_intervals), on_failure=_dotted(on_failure) if on_failure else None,
    ))
    session.info.setdefault("deferred_job_ids", []).append(job_id)


@event.listens_for(Session, "after_commit")
def _enqueue_committed(session: Session) -> None:
    job_ids = session.info.pop("deferred_job_ids", None)
    if not job_ids:
        return
    engine = session.get_bind()
    with Session(engine) as own:  # the committing session cannot run SQL inside this hook
        jobs = own.exec(select(DeferredJob).where(col(DeferredJob.job_id).in_(job_ids))).all()
        _enqueue_all(own, _app(), jobs)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop("deferred_job_ids", None)


def sweep(session: Session, app: Flask | None = None, now: datetime | None = None) -> int:
    """Put on RQ every recorded job that did not get there; return how many were enqueued."""
    now = now or utcnow()
    jobs = session.exec(
        select(DeferredJob).where(col(DeferredJob.enqueued_at).is_(None), DeferredJob.created_at < now - SWEEP_AFTER)
        .order_by(col(DeferredJob.id)).limit(1000)
    ).all()
    done = _enqueue_all(session, app or _app(), jobs)
    session.execute(DeferredJob.__table__.delete().where(
        col(DeferredJob.enqueued_at).is_not(None), col(DeferredJob.enqueued_at) < now - KEEP_ENQUEUED))
    session.commit()
    return done


def sweep_job() -> str:
    """Periodic job: the sweeper, run by the clock process."""
    from layanan.db import job_session
    from layanan.jobs import job_app

    app = job_app()
    with app.app_context(), job_session(app) as session:
        return f"enqueued {sweep(session, app)}"


def pending_count(session: Session) -> int:
    """How many recorded jobs are not on RQ yet (for the health page)."""
    from sqlalchemy import func

    return session.exec(select(func.count()).select_from(DeferredJob)
                        .where(col(DeferredJob.enqueued_at).is_(None))).one()


def _enqueue_all(session: Session, app: Flask, jobs: Sequence[DeferredJob]) -> int:
    from layanan.queue import queue

    done = 0
    for job in jobs:
        try:
            queue(job.queue_name, app).enqueue(
                job.func, *job.args, job_id=job.job_id,
                retry=Retry(max=len(job.retry_intervals), interval=job.retry_intervals) if job.retry_intervals else None,
                on_failure=Callback(job.on_failure) if job.on_failure else None,
            )
        except Exception:  # noqa: BLE001 - the row stays; the sweeper tries again
            log.warning("job %s not enqueued (Redis unavailable?); the sweeper will retry", job.job_id)
            break  # Redis is down: the rest would fail the same way
        session.execute(update(DeferredJob).where(DeferredJob.id == job.id).values(enqueued_at=utcnow()))
        session.commit()
        done += 1
    return done


def _app() -> Flask:
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    from layanan.jobs import job_app

    return job_app()


__all__ = ["DeferredJob", "defer", "sweep", "sweep_job", "pending_count"]
