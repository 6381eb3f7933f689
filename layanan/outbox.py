"""Jobs recorded in the same transaction as the change that needs them (a transactional outbox).

A job is written as a row beside the data it concerns, so it exists exactly when that data does.
Right after the commit it is put on RQ; if Redis is down at that moment the row stays
unenqueued and `sweep` (run periodically, and by `flask sweep-jobs`) puts it on RQ later.

`sweep` also puts on RQ again a job that RQ lost after taking it: a worker listening on several
queues waits with a blocking pop, and one killed outright (SIGKILL, the OOM killer) keeps its socket
open until the kernel frees it, so Redis may hand it the next job pushed. That job stays "queued" in
its hash but is in no queue list and no registry, and nothing in RQ ever runs it.

Jobs must therefore be idempotent: a row can be enqueued again if marking it failed, or if it was lost.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app, has_app_context
from redis import Redis
from redis.exceptions import RedisError
from rq import Callback, Queue, Retry
from rq.job import Job, JobStatus
from sqlalchemy import Column, Connection, Insert, bindparam, event
from sqlalchemy.types import JSON
from sqlmodel import Field, Session, SQLModel, col, select

from layanan import prepared
from layanan.clock import utcnow
from tickets.types import UTCDateTime

log = logging.getLogger(__name__)

SWEEP_AFTER = timedelta(seconds=30)  # younger rows are still being enqueued by their own request
KEEP_ENQUEUED = timedelta(days=7)
# An enqueued job that RQ, this long after, calls queued yet holds nowhere was lost by a killed worker.
LOST_AFTER = timedelta(seconds=30)
# Only jobs enqueued this recently are checked, so each sweep reads a bounded set of rows and job hashes;
# it spans a long worker or Redis outage (no sweep runs without a worker).
LOST_WITHIN = timedelta(hours=6)
# A live worker takes a popped job into its started registry within milliseconds; a job still held
# nowhere after this pause was not merely in that step.
RECHECK_PAUSE = 1.0  # seconds


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


@dataclass(frozen=True)
class _Recorded:
    """What RQ needs of a recorded job, kept by the session that recorded it until it commits."""

    job_id: str
    func: str
    args: list
    queue_name: str
    retry_intervals: list
    on_failure: str | None


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
    job = _Recorded(job_id=job_id, func=_dotted(func), args=list(args), queue_name=queue_name,
                    retry_intervals=list(retry_intervals), on_failure=_dotted(on_failure) if on_failure else None)
    # One statement, which also tells whether the id was recorded before (by this transaction or another).
    connection = session.connection()
    if connection.execute(_record(connection.dialect.name), {**vars(job), "created_at": utcnow()}).first():
        session.info.setdefault("deferred_jobs", []).append(job)


@functools.lru_cache(maxsize=4)
def _record(dialect: str) -> Insert:
    from layanan.db import insert_for

    table = DeferredJob.__table__  # type: ignore[attr-defined]
    # RETURNING, not rowcount: SQLAlchemy adds RETURNING id on PostgreSQL, which leaves rowcount at -1.
    return insert_for(dialect, table).on_conflict_do_nothing(index_elements=["job_id"]).returning(table.c.id)


@event.listens_for(Session, "after_commit")
def _enqueue_committed(session: Session) -> None:
    jobs = session.info.pop("deferred_jobs", None)
    if not jobs:
        return
    with session.get_bind().connect() as marking:  # the committing session cannot run SQL inside this hook
        _enqueue_all(marking, _app(), jobs)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop("deferred_jobs", None)


def sweep(session: Session, app: Flask | None = None, now: datetime | None = None) -> int:
    """Put on RQ every recorded job that did not get there or that RQ lost; return how many were enqueued."""
    now = now or utcnow()
    app = app or _app()
    jobs = session.exec(
        select(DeferredJob).where(col(DeferredJob.enqueued_at).is_(None), DeferredJob.created_at < now - SWEEP_AFTER)
        .order_by(col(DeferredJob.id)).limit(1000)
    ).all()
    with session.get_bind().connect() as marking:
        done = _enqueue_all(marking, app, jobs)
    done += _enqueue_lost(session, app, now)
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


def _enqueue_lost(session: Session, app: Flask, now: datetime) -> int:
    """Enqueue again the recently enqueued jobs that RQ lost (see the module docstring)."""
    from layanan.queue import redis_connection

    recent = session.exec(
        select(DeferredJob.job_id, DeferredJob.queue_name).where(
            col(DeferredJob.enqueued_at) >= now - LOST_WITHIN, col(DeferredJob.enqueued_at) < now - LOST_AFTER)
    ).all()
    if not recent:
        return 0
    try:
        connection = redis_connection(app)
        lost = _lost_by_rq(connection, [(job_id, queue_name) for job_id, queue_name in recent])
        if lost:
            time.sleep(RECHECK_PAUSE)
            lost = _lost_by_rq(connection, lost)
    except RedisError:
        log.warning("lost jobs not checked (Redis unavailable?); the next sweep checks again")
        return 0
    if not lost:
        return 0
    for job_id, queue_name in lost:
        log.warning("job %s on queue %s was lost by RQ (taken by a worker that died); enqueuing it again",
                    job_id, queue_name)
    rows = session.exec(select(DeferredJob).where(col(DeferredJob.job_id).in_([job_id for job_id, _ in lost]))
                        .order_by(col(DeferredJob.id))).all()
    with session.get_bind().connect() as marking:
        return _enqueue_all(marking, app, rows)


def _lost_by_rq(connection: Redis, jobs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (job id, queue name) pairs whose RQ job is "queued" but in neither its queue's list (nor the
    intermediate list a single-queue worker moves it to) nor any of the queue's registries.

    A job whose hash is gone (finished and its result expired) or in any other state is not lost."""
    with connection.pipeline(transaction=False) as pipe:
        for job_id, _ in jobs:
            pipe.hget(Job.key_for(job_id), "status")
        statuses = pipe.execute()
    queued = [job for job, status in zip(jobs, statuses, strict=True) if status == _QUEUED]
    if not queued:
        return []
    # A cheap first look, a few commands per queue whatever the backlog: most queued jobs wait in their list.
    queues = {name: Queue(name, connection=connection) for _, name in queued}
    with connection.pipeline(transaction=True) as pipe:
        for queue in queues.values():
            pipe.lrange(queue.key, 0, -1)
            pipe.lrange(queue.intermediate_queue_key, 0, -1)
            pipe.zrange(queue.started_job_registry.key, 0, -1)
        replies = iter(pipe.execute())
    waiting = {name: {*next(replies), *next(replies), *map(_job_id_of_execution, next(replies))} for name in queues}
    unseen = [(job_id, name) for job_id, name in queued if job_id.encode() not in waiting[name]]
    if not unseen:
        return []
    # The few left, looked at in one snapshot (MULTI/EXEC): status, lists and every registry at one moment.
    with connection.pipeline(transaction=True) as pipe:
        for job_id, name in unseen:
            queue = queues[name]
            pipe.hget(Job.key_for(job_id), "status")
            pipe.lpos(queue.key, job_id)
            pipe.lpos(queue.intermediate_queue_key, job_id)
            pipe.zrange(queue.started_job_registry.key, 0, -1)
            for registry in _REGISTRIES:
                pipe.zscore(getattr(queue, registry).key, job_id)
        replies = iter(pipe.execute())
    lost = []
    for job_id, name in unseen:
        status, in_list, in_intermediate, started, *scores = (next(replies) for _ in range(4 + len(_REGISTRIES)))
        if (status == _QUEUED and in_list is None and in_intermediate is None
                and job_id.encode() not in map(_job_id_of_execution, started) and scores == [None] * len(scores)):
            lost.append((job_id, name))
    return lost


_QUEUED = JobStatus.QUEUED.value.encode()
# The registries keyed by the bare job id; the started registry holds "<job id>:<execution id>".
_REGISTRIES = ("scheduled_job_registry", "deferred_job_registry", "failed_job_registry", "finished_job_registry",
               "canceled_job_registry", "ready_job_registry")


def _job_id_of_execution(entry: bytes) -> bytes:
    return entry.rsplit(b":", 1)[0]


# Built once, as a plain table UPDATE on a connection of its own: every photo's download job is marked right
# after its turn commits, and an ORM session and UPDATE would cost more than the enqueue itself.
_MARK_ENQUEUED = (DeferredJob.__table__.update()  # type: ignore[attr-defined]
                  .where(DeferredJob.__table__.c.job_id == bindparam("marked_job"))  # type: ignore[attr-defined]
                  .values(enqueued_at=bindparam("marked_at")))


def _enqueue_all(marking: Connection, app: Flask, jobs: Sequence[DeferredJob | _Recorded]) -> int:
    """Put the jobs on RQ, each marked enqueued (and committed) on `marking` as soon as it is there."""
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
        with marking.begin():  # prepared statements go to the driver: the transaction must be SQLAlchemy's
            prepared.execute(marking, (_MARK_ENQUEUED, {"marked_job": job.job_id, "marked_at": utcnow()}))
        done += 1
    return done


def _app() -> Flask:
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    from layanan.jobs import job_app

    return job_app()


__all__ = ["DeferredJob", "defer", "sweep", "sweep_job", "pending_count"]
