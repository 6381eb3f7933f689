"""Redis stopped while WhatsApp messages with files keep arriving: every message is stored and
answered; the download jobs that could not reach Redis wait in the database and the sweeper
enqueues them when Redis is back; a real worker then fetches every file exactly once."""

from __future__ import annotations

import subprocess
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from rq import Queue
from rq.registry import FailedJobRegistry
from sqlalchemy import func
from sqlmodel import select

from tickets.messages import Attachment, Message
from layanan.outbox import DeferredJob, pending_count, sweep
from tests.conftest import LiveServer
from tests.faults.conftest import RedisProcess, rq_worker, worker_env
from tests.support.media_server import MediaServer, jpeg_bytes
from tests.support.whatsapp import Phone, parse_twiml
from tickets.constants import AttachmentStatus, Direction
from layanan.clock import utcnow

CITIZENS = 8
INTAKE = ("halo", "1", "2", "1806014505900001", "Siti Aminah", "kota agung")


@pytest.fixture
def app_config(app_config: dict[str, Any], redis_process: RedisProcess) -> dict[str, Any]:
    app_config["REDIS_URL"] = redis_process.url
    return app_config


def test_messages_keep_flowing_while_redis_is_down_and_nothing_is_lost_or_doubled(
        app, app_config, live_server: LiveServer, session, media_server: MediaServer,
        redis_process: RedisProcess) -> None:  # type: ignore[no-untyped-def]
    phones = [Phone(base_url=live_server.url, auth_token=app.config["TWILIO_AUTH_TOKEN"],
                    number=f"+62812345670{i:02d}") for i in range(CITIZENS)]
    for phone in phones:
        for text in INTAKE:
            phone.say(text)

    posted = 0

    def send_files(phase: str) -> None:
        nonlocal posted
        for i, phone in enumerate(phones):
            url = media_server.add(f"{phase}-{i}.jpg", jpeg_bytes(3000 + i), "image/jpeg")
            response = phone.post(phone.form("", media=[(url, "image/jpeg")]))
            assert response.status_code == 200, f"{phase}: {response.status_code} {response.text[:200]}"
            assert "Diterima" in " ".join(parse_twiml(response.text)), f"{phase}: the citizen got no answer"
            posted += 1

    send_files("before")
    redis_process.stop()
    send_files("during")
    assert pending_count(session) == CITIZENS, "the jobs of the outage wait in the database"
    redis_process.start()  # same port and data directory: the jobs enqueued before the outage are still there
    send_files("after")

    assert session.exec(select(func.count()).select_from(Attachment)).one() == posted
    inbound = session.exec(select(func.count()).select_from(Message).where(Message.direction == Direction.INBOUND)).one()
    assert inbound == CITIZENS * len(INTAKE) + posted

    assert sweep(session, app, now=utcnow() + timedelta(minutes=1)) == CITIZENS
    assert sweep(session, app, now=utcnow() + timedelta(minutes=2)) == 0
    assert pending_count(session) == 0

    subprocess.run(rq_worker(app_config, redis_process.url, "--burst"), env=worker_env(app_config, redis_process.url),
                   check=True, timeout=120, cwd=Path(__file__).resolve().parents[2])

    session.expire_all()
    statuses = Counter(a.status for a in session.exec(select(Attachment)))
    assert statuses == {AttachmentStatus.STORED: posted}
    fetched = Counter(path for method, path, _ in media_server.requests if method == "GET")
    assert len(fetched) == posted and set(fetched.values()) == {1}, "each file fetched exactly once"
    connection = Redis.from_url(redis_process.url)
    for name in app.config["RQ_QUEUES"]:
        assert FailedJobRegistry(queue=Queue(name, connection=connection)).count == 0
    assert session.exec(select(func.count()).select_from(DeferredJob)).one() == posted
