"""The database engine and the per-request session."""

from __future__ import annotations

import logging
import select
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlmodel import Session, create_engine


def insert_for(dialect: str, table: Table) -> postgresql.Insert | sqlite.Insert:
    """INSERT with the ON CONFLICT clauses (`on_conflict_do_nothing`, `on_conflict_do_update`) of the
    database in use: the two dialects spell them alike, but SQLAlchemy gives each its own construct."""
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain PostgreSQL URLs (Heroku-style `postgres://` included)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str) -> Engine:
    """An engine for the URL; SQLite gets WAL and a busy timeout so web and worker can share the file."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    engine = create_engine(url, pool_size=5, max_overflow=10)
    event.listen(engine, "checkout", _refuse_hung_up_connection)
    return engine


def _refuse_hung_up_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Replace a pooled connection the server has hung up on (restart, failover, idle timeout).

    An idle PostgreSQL connection receives nothing unless the server ends it, so a readable socket means
    it is gone. Polling the socket costs no round trip, unlike pool_pre_ping's SELECT 1, which the
    webhook paid twice per message. A connection that dies silently (a host that vanished) still fails
    its first statement: that request gets a 503 and the pool drops all its connections.
    """
    if dbapi_connection.closed or getattr(dbapi_connection, "broken", False):
        raise DisconnectionError()
    poller = select.poll()
    poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    if poller.poll(0):
        raise DisconnectionError()


def init_app(app: Flask) -> None:
    """Create the engine lazily-free: engines do not connect until first use."""
    app.extensions["db_engine"] = make_engine(app.config["DATABASE_URL"])
    app.teardown_appcontext(_close_session)
    app.register_error_handler(OperationalError, _database_unavailable)


def _database_unavailable(exc: OperationalError) -> tuple[str, int, dict[str, str]]:
    """The database cannot be reached (restarting, failing over, locked): 503, so Twilio and
    browsers try again; nothing was changed. Other database errors are bugs and stay a 500."""
    logging.getLogger(__name__).error("database unavailable: %s", type(exc.orig).__name__)
    return ("Layanan sedang tidak dapat menghubungi basis data. Tidak ada yang diubah; "
            "silakan coba lagi dalam beberapa saat.", 503,
            {"Retry-After": "30", "Content-Type": "text/plain; charset=utf-8"})


def engine() -> Engine:
    """The current app's engine."""
    return current_app.extensions["db_engine"]


def session() -> Session:
    """The session of the current request or app context, opened on first use."""
    if "db_session" not in g:
        g.db_session = Session(engine(), expire_on_commit=False)
    return g.db_session


@contextmanager
def job_session(app: Flask) -> Iterator[Session]:
    """A session for work outside a request (jobs, CLI)."""
    with Session(app.extensions["db_engine"], expire_on_commit=False) as s:
        yield s


def _close_session(_exc: BaseException | None) -> None:
    s = g.pop("db_session", None)
    if s is not None:
        s.close()
