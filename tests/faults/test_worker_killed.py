"""A worker killed (SIGKILL to the worker and its work horse, as when the machine or container under them
dies) in the middle of a citizen's file download: RQ's abandoned-job handling puts the job back, a new worker runs it, and
the file is stored once, with no refusal or second notice sent to the citizen."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from rq import Queue
from rq.registry import FailedJobRegistry, StartedJobRegistry
from sqlmodel import select

from tickets.messages import Attachment
from tests.conftest import LiveServer
from tests.faults.conftest import RedisProcess, kill_worker_and_horse, rq_worker, worker_env
from tests.support.media_server import jpeg_bytes
from tests.support.servers import SERVE_POLL
from tests.support.whatsapp import Phone
from tickets.constants import AttachmentStatus

PROJECT = Path(__file__).resolve().parents[2]
INTAKE = ("halo", "1", "2", "1806014505900001", "Siti Aminah", "kota agung")
PHOTO = jpeg_bytes(256 * 1024)


class StallingMediaServer:
    """Serves one photo; the first download sends half of it and then hangs, as a dying network would."""

    def __init__(self) -> None:
        self.gets = 0
        self.stalled = threading.Event()
        self.release = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                owner.gets += 1
                first = owner.gets == 1
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(PHOTO)))
                self.end_headers()
                try:
                    if first:
                        self.wfile.write(PHOTO[: len(PHOTO) // 2])
                        self.wfile.flush()
                        owner.stalled.set()
                        owner.release.wait(60)
                        return
                    self.wfile.write(PHOTO)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}/MEkill.jpg"
        threading.Thread(target=self._server.serve_forever, args=(SERVE_POLL,), daemon=True).start()

    def stop(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def stalling() -> Iterator[StallingMediaServer]:
    server = StallingMediaServer()
    yield server
    server.stop()


@pytest.fixture
def app_config(app_config: dict[str, Any], redis_process: RedisProcess) -> dict[str, Any]:
    app_config.update(REDIS_URL=redis_process.url, MEDIA_RETRY_INTERVALS=[0, 0, 0])
    return app_config


def test_download_interrupted_by_sigkill_is_run_again_by_a_new_worker(
        app, app_config, live_server: LiveServer, session, redis_process: RedisProcess,
        stalling: StallingMediaServer) -> None:  # type: ignore[no-untyped-def]
    phone = Phone(base_url=live_server.url, auth_token=app.config["TWILIO_AUTH_TOKEN"])
    for text in INTAKE:
        phone.say(text)
    assert "Diterima" in phone.say(media=[(stalling.url, "image/jpeg")])

    env = worker_env(app_config, redis_process.url)
    doomed = subprocess.Popen(rq_worker(app_config, redis_process.url), env=env, cwd=PROJECT,
                              start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert stalling.stalled.wait(60), "the worker never started the download"
        kill_worker_and_horse(doomed)
    finally:
        if doomed.poll() is None:
            os.killpg(doomed.pid, signal.SIGKILL)
    stalling.release.set()

    connection = Redis.from_url(redis_process.url)
    media = Queue("media", connection=connection)
    started = StartedJobRegistry(queue=media)
    assert [job_id.split(":")[0] for job_id in started.get_job_ids(cleanup=False)] == ["media-1"]
    session.expire_all()
    assert session.exec(select(Attachment)).one().status == AttachmentStatus.PENDING

    # A dead worker stops sending heartbeats; once its execution's TTL has passed, RQ's maintenance
    # treats the job as abandoned. Run that maintenance with the clock past the TTL instead of waiting.
    started.cleanup(timestamp=time.time() + timedelta(minutes=5).total_seconds())
    # (RQ 3.0 may list the id twice here; the job is idempotent, so a second run finds nothing to do.)
    assert set(media.job_ids) == {"media-1"}, "the abandoned job is back on its queue (it had retries left)"

    subprocess.run(rq_worker(app_config, redis_process.url, "--burst"), env=env, cwd=PROJECT, check=True,
                   timeout=120, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    session.expire_all()
    attachment = session.exec(select(Attachment)).one()
    assert attachment.status == AttachmentStatus.STORED
    assert attachment.size == len(PHOTO)
    stored = [p for p in Path(app.config["MEDIA_PATH"]).rglob("*") if p.is_file()]
    assert len(stored) == 1 and stored[0].read_bytes() == PHOTO, "no half-written file left behind"
    assert stalling.gets == 2
    assert FailedJobRegistry(queue=media).count == 0
    outbox = Path(app.config["OUTBOX_PATH"])
    notices = [json.loads(p.read_text())["body"] for p in outbox.glob("*.json")] if outbox.exists() else []
    assert notices == [], "the citizen is not told of a failure that was repaired"
