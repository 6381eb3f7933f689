"""Documents rendered by the worker, not in the request: a report of hundreds of rows takes seconds.

The page that asks records the job through the transactional outbox, with a fresh key naming the file,
and sends the reader to the key's page; that page says the document is being made and reloads itself
(a meta refresh, no script) until the worker has written INSTANCE_PATH/dokumen/<key>.<ext>, then serves
it. Renderings list residents, so they are removed a day after they were made.

A rendering whose job failed its last retry is marked in Redis (`gave_up`, RQ's failure callback): its page
stops waiting, says so, and offers to run the same job again (`retry`).
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote
from uuid import uuid4

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request as http_request
from flask.typing import ResponseReturnValue
from flask_login import login_required
from redis.exceptions import RedisError
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job
from sqlmodel import Session

from layanan.outbox import defer
from layanan.queue import redis_connection

log = logging.getLogger(__name__)
bp = Blueprint("renderings", __name__)

FOLDER = "dokumen"
KEPT_SECONDS = 24 * 3600
_KEY = re.compile(r"^[a-z0-9-]{8,80}$")
MIMETYPES = {"pdf": "application/pdf",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def new_key(prefix: str) -> str:
    """A key no one can guess, named after what is rendered."""
    return f"{prefix}-{uuid4().hex}"


def path(key: str, ext: str = "pdf") -> Path:
    """Where the rendering with this key is kept (keys come from URLs, so they are checked)."""
    if not _KEY.match(key) or ext not in MIMETYPES:
        raise ValueError("kunci dokumen tidak sah")
    return Path(current_app.config["INSTANCE_PATH"]) / FOLDER / f"{key}.{ext}"


def job_id(key: str) -> str:
    """The RQ job that renders the key: one per key."""
    return f"render-{key}"


def retry_intervals() -> list[int]:
    """Seconds between a failed rendering's tries (RENDER_RETRY_INTERVALS)."""
    return list(current_app.config["RENDER_RETRY_INTERVALS"])


def request(session: Session, func: Callable[..., Any], key: str, *args: Any) -> None:
    """Record the rendering job beside the session's changes and commit; the worker runs it once per key."""
    defer(session, func, key, *args, job_id=job_id(key), retry_intervals=retry_intervals(), on_failure=gave_up)
    session.commit()


def gave_up(job: Job, connection: Any, *exc_info: Any) -> None:
    """RQ failure callback of a rendering job: after its last try, the job is marked failed (for as long as
    renderings are kept), so the page waiting for it stops waiting."""
    if job.retries_left:
        return
    connection.set(_FAILED + job.id, "1", ex=KEPT_SECONDS)
    log.error("rendering job %s failed after its last try", job.id)


def job_failed(rendering_job: str) -> bool:
    """Whether the rendering job failed its last try (Redis unreachable: not known, keep waiting)."""
    try:
        return bool(redis_connection().exists(_FAILED + rendering_job))
    except RedisError:
        return False


def requeue_failed(rendering_job: str) -> bool:
    """Run a failed rendering job again, with the same arguments; False when RQ no longer holds it failed."""
    connection = redis_connection()
    try:
        Job.fetch(rendering_job, connection=connection).requeue()
    except (NoSuchJobError, InvalidJobOperation):
        return False
    connection.delete(_FAILED + rendering_job)
    log.info("rendering job %s asked again after it failed", rendering_job)
    return True


def failed(key: str) -> bool:
    """Whether the rendering with this key failed its last try."""
    return job_failed(job_id(key))


def retry(key: str) -> bool:
    """Run the failed rendering with this key again."""
    return requeue_failed(job_id(key))


_FAILED = "rendering-failed:"


def store(key: str, data: bytes, ext: str = "pdf") -> None:
    """Write a finished rendering (atomically: a reader sees no file or the whole file); drop day-old ones."""
    target = path(key, ext)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    partial.write_bytes(data)
    partial.replace(target)
    old = time.time() - KEPT_SECONDS
    for other in target.parent.iterdir():
        if other.stat().st_mtime < old:
            other.unlink(missing_ok=True)


def served_or_wait(key: str, filename: str, ext: str = "pdf") -> Response | tuple[str, int]:
    """The rendering as a download, or the page that reloads itself until the worker has made it."""
    try:
        found = path(key, ext)
    except ValueError:
        abort(404)
    if not found.exists():
        return waiting_page(key)
    return Response(found.read_bytes(), content_type=MIMETYPES[ext], headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
        "Cache-Control": "no-store",  # lists residents
    })


def waiting_page(key: str) -> tuple[str, int]:
    """The page of a rendering not made yet: it reloads itself, or says the rendering failed."""
    if failed(key):
        return failed_page(key)
    return render_template("layanan/rendering.html"), 202


def failed_page(key: str) -> tuple[str, int]:
    """The page of a rendering that failed its last try: what happened, and a button to try again."""
    return render_template("layanan/rendering_failed.html", key=key, back=http_request.path), 500


@bp.post("/dokumen-ulang")
@login_required
def try_again() -> ResponseReturnValue:
    """Run a failed rendering again and go back to its page, which waits once more."""
    key, back = http_request.form.get("key", ""), http_request.form.get("kembali", "/")
    if not _KEY.match(key) or not back.startswith("/") or back.startswith("//"):
        abort(400)
    if not retry(key):
        abort(404)
    return redirect(back, code=303)
