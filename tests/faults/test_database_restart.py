"""PostgreSQL restarting under a running app: while it is down every request fails cleanly (503 with
an Indonesian explanation, so Twilio redelivers), and when it is back the same app, not restarted,
serves again; the redelivered messages are then stored and answered once.

The test runs a PostgreSQL cluster of its own (initdb/pg_ctl in a temporary folder, free port), so
no shared server is ever restarted."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func
from sqlmodel import select

from tickets.messages import Message
from layanan.migrate import upgrade
from tests.conftest import LiveServer
from tests.faults.conftest import free_port
from tests.support.whatsapp import Phone, parse_twiml
from tests.tickets.conftest import csrf_token, make_staff
from tickets.constants import Direction


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


class PrivatePostgres:
    """A throw-away PostgreSQL cluster; as root, its processes run as the `postgres` system user."""

    def __init__(self) -> None:
        bin_dir = _pg_bin()
        if bin_dir is None:
            pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
        self.bin = bin_dir
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="pg-fault-"))
        self.data = self.folder / "data"
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                pytest.skip("running as root without runuser: initdb refuses to run as root")
            shutil.chown(self.folder, "postgres")
            self._as_user = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self._as_user, str(self.bin / tool), *args], check=True, timeout=120,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-l", str(self.folder / "log"), "-o",
                  f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "fast", "stop")

    def remove(self) -> None:
        subprocess.run([*self._as_user, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def private_postgres() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    server.start()
    upgrade(server.url)
    yield server
    server.remove()


@pytest.fixture
def app_config(app_config: dict[str, Any], private_postgres: PrivatePostgres) -> dict[str, Any]:
    app_config["DATABASE_URL"] = private_postgres.url
    app_config["HEALTH_WORKER_STALE_SECONDS"] = 0  # no RQ worker runs here: /healthz judges the database
    return app_config


def test_requests_fail_cleanly_while_postgres_restarts_and_recover_without_an_app_restart(
        app, live_server: LiveServer, private_postgres: PrivatePostgres, session) -> None:  # type: ignore[no-untyped-def]
    phone = Phone(base_url=live_server.url, auth_token=app.config["TWILIO_AUTH_TOKEN"])
    assert phone.send("halo")
    make_staff(session, "wa_receiver")
    session.close()
    staff = requests.Session()
    base = live_server.url
    page = staff.get(f"{base}/masuk")
    staff.post(f"{base}/masuk", data={"csrf_token": csrf_token(page.text), "username": "wa-receiver",
                                      "password": "rahasia-uji-123"})
    assert staff.get(f"{base}/antrian").status_code == 200
    assert requests.get(f"{base}/healthz", timeout=10).status_code == 200

    private_postgres.stop()
    try:
        lost = [phone.form("1"), phone.form("2")]
        for form in lost:
            response = phone.post(form)
            assert response.status_code == 503, response.text[:300]
            assert "basis data" in response.text and response.headers.get("Retry-After")
        queue = staff.get(f"{base}/antrian")
        assert queue.status_code == 503 and "coba lagi" in queue.text
        assert requests.get(f"{base}/healthz", timeout=10).status_code == 503
    finally:
        private_postgres.start()

    # Same app object, same engine: pooled connections the server hung up on are replaced at checkout.
    for form in lost:  # Twilio redelivers what got a 503
        response = phone.post(form)
        assert response.status_code == 200, response.text[:300]
    assert "Ketik NIK" in " ".join(parse_twiml(phone.last.text)), "the conversation went on where it was"
    assert staff.get(f"{base}/antrian").status_code == 200
    assert requests.get(f"{base}/healthz", timeout=10).status_code == 200

    with app.app_context():
        from layanan.db import job_session

        with job_session(app) as check:
            inbound = check.exec(select(func.count()).select_from(Message)
                                 .where(Message.direction == Direction.INBOUND)).one()
    assert inbound == 3, "each message stored exactly once"


def test_a_restart_between_two_messages_costs_the_citizen_no_failed_request(
        app, live_server: LiveServer, private_postgres: PrivatePostgres) -> None:  # type: ignore[no-untyped-def]
    phone = Phone(base_url=live_server.url, auth_token=app.config["TWILIO_AUTH_TOKEN"], number="+6281298765432")
    assert phone.send("halo")  # the app's pool now holds connections to the old server processes
    private_postgres.stop()
    private_postgres.start()

    # Nothing used the pool while the server was down: its hung-up connections are noticed at checkout.
    response = phone.post(phone.form("1"))
    assert response.status_code == 200, response.text[:300]
    assert "Pilih dokumen" in " ".join(parse_twiml(response.text)), "the conversation went on"
