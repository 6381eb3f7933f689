"""The app that jobs run in: the caller's (in-process workers, tests) or one made once per worker."""

from __future__ import annotations

from flask import Flask, current_app, has_app_context

_worker_app: Flask | None = None


def job_app() -> Flask:
    """The Flask app for a job; created on first use in a worker process, never at import."""
    global _worker_app
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    if _worker_app is None:
        from layanan import create_app

        _worker_app = create_app()
    return _worker_app


def use_app(app: Flask) -> None:
    """Make `app` the one jobs run in (the worker process builds it once, before forking)."""
    global _worker_app
    _worker_app = app
