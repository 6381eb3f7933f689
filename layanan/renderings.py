"""Documents rendered by the worker, not in the request: a report of hundreds of rows takes seconds.

The page that asks records the job through the transactional outbox, with a fresh key naming the file,
and sends the reader to the key's page; that page says the document is being made and reloads itself
(a meta refresh, no script) until the worker has written INSTANCE_PATH/dokumen/<key>.<ext>, then serves
it. Renderings list residents, so they are removed a day after they were made.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote
from uuid import uuid4

from flask import Response, abort, current_app, render_template
from sqlmodel import Session

from layanan.outbox import defer

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


def request(session: Session, func: Callable[..., Any], key: str, *args: Any) -> None:
    """Record the rendering job beside the session's changes and commit; the worker runs it once per key."""
    defer(session, func, key, *args, job_id=f"render-{key}", retry_intervals=[5, 30])
    session.commit()


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
        return render_template("layanan/rendering.html"), 202
    return Response(found.read_bytes(), content_type=MIMETYPES[ext], headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
        "Cache-Control": "no-store",  # lists residents
    })
