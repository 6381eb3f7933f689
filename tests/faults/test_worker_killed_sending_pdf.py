"""A worker killed (SIGKILL) while Twilio is accepting the signed PDF for a citizen: Twilio has the
message, the worker never heard back. The job runs again on a new worker, which finds the message
on Twilio instead of sending it again: the citizen receives the PDF exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from rq import Queue
from rq.registry import StartedJobRegistry

from pdf_delivery.delivery_models import DeliveryState
from tests.faults.conftest import RedisProcess, kill_worker_and_horse, rq_worker, worker_env
from tests.pdf_delivery.test_delivery import OFFICE_NUMBER, delivery_of, ready_ticket, send
from tests.support.twilio_api import ACCOUNT_SID, Slow, TwilioApi
from tests.tickets.conftest import make_staff

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def twilio_api() -> Iterator[TwilioApi]:
    api = TwilioApi(auth_token="test-auth-token-0123456789abcdef").start()
    yield api
    api.stop()


@pytest.fixture
def app_config(app_config: dict[str, Any], redis_process: RedisProcess, twilio_api: TwilioApi,
               tmp_path: Path) -> dict[str, Any]:
    app_config.update(REDIS_URL=redis_process.url, PDF_SEND_RETRY_INTERVALS=[0, 0, 0], TWILIO_API_BASE=twilio_api.url,
                      DOCUMENTS_PATH=str(tmp_path / "documents"), TWILIO_ACCOUNT_SID=ACCOUNT_SID,
                      TWILIO_WHATSAPP_FROM=f"whatsapp:{OFFICE_NUMBER}")
    return app_config


def test_pdf_send_interrupted_by_sigkill_reaches_the_citizen_once(
        app, app_config, session, redis_process: RedisProcess, twilio_api: TwilioApi) -> None:  # type: ignore[no-untyped-def]
    ticket, _document, _content = ready_ticket(session, app.config["DOCUMENTS_PATH"])
    sender = make_staff(session, "pdf_sender")
    twilio_api.script = [Slow(60)]  # Twilio takes the PDF, then the answer never arrives in time
    send(session, ticket, sender)  # commits the delivery and its job; the outbox puts it on Redis

    env = worker_env(app_config, redis_process.url)
    doomed = subprocess.Popen(rq_worker(app_config, redis_process.url), env=env, cwd=PROJECT,
                              start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while not twilio_api.messages and time.time() < deadline:
            time.sleep(0.05)
        assert twilio_api.messages, "the worker never reached Twilio"
        kill_worker_and_horse(doomed)  # within the client's wait for Twilio's answer: no answer recorded
    finally:
        if doomed.poll() is None:
            os.killpg(doomed.pid, signal.SIGKILL)
    assert delivery_of(session, ticket).state == DeliveryState.QUEUED
    assert delivery_of(session, ticket).pending_key, "the try is in doubt"

    connection = Redis.from_url(redis_process.url)
    default = Queue("default", connection=connection)
    StartedJobRegistry(queue=default).cleanup(timestamp=time.time() + 300)  # RQ's abandoned-job handling
    assert default.job_ids, "the abandoned send is back on its queue"

    subprocess.run(rq_worker(app_config, redis_process.url, "--burst"), env=env, cwd=PROJECT, check=True,
                   timeout=120, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    assert len(twilio_api.creates) == 1, "no second send"
    assert len(twilio_api.pdfs()) == 1, "the citizen received the PDF exactly once"
    delivery = delivery_of(session, ticket)
    assert delivery.state in (DeliveryState.SENT, DeliveryState.DELIVERED)
    assert delivery.pending_key is None
