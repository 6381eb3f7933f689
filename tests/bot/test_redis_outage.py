"""While Redis is unreachable, citizens' messages are still stored and answered; their download
jobs wait in the database and reach the worker once the sweeper finds Redis again."""

from __future__ import annotations

from datetime import timedelta

from redis import Redis
from sqlmodel import select

from tickets.messages import Attachment
from layanan.outbox import DeferredJob, sweep
from tests.support.media_server import MediaServer, jpeg_bytes
from tests.support.whatsapp import Phone
from tickets.constants import AttachmentStatus
from layanan.clock import utcnow


def test_media_sent_while_redis_is_down_is_downloaded_after_the_sweep(
        app, phone: Phone, session, media_server: MediaServer, run_jobs) -> None:  # type: ignore[no-untyped-def]
    for text in ("halo", "1", "2", "1806014505900001", "Siti Aminah", "kota agung"):
        phone.say(text)
    working = app.extensions["redis"]
    app.extensions["redis"] = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)  # nothing listens
    try:
        reply = phone.say(media=[(media_server.add("ME1", jpeg_bytes(4000), "image/jpeg"), "image/jpeg")])
    finally:
        app.extensions["redis"] = working
    assert "Diterima" in reply

    job = session.exec(select(DeferredJob)).one()
    assert job.enqueued_at is None
    run_jobs()  # nothing reached Redis, so nothing runs yet
    assert session.exec(select(Attachment)).one().status == AttachmentStatus.PENDING

    assert sweep(session, app, now=utcnow() + timedelta(minutes=1)) == 1
    assert sweep(session, app, now=utcnow() + timedelta(minutes=2)) == 0  # swept once, not again
    run_jobs()
    session.expire_all()
    assert session.exec(select(Attachment)).one().status == AttachmentStatus.STORED


def test_media_jobs_reach_the_queue_right_after_the_commit(
        app, phone: Phone, session, media_server: MediaServer, run_jobs) -> None:  # type: ignore[no-untyped-def]
    for text in ("halo", "1", "2", "1806014505900001", "Siti Aminah", "kota agung"):
        phone.say(text)
    phone.say(media=[(media_server.add("ME1", jpeg_bytes(4000), "image/jpeg"), "image/jpeg")])
    assert session.exec(select(DeferredJob)).one().enqueued_at is not None
    run_jobs()
    assert session.exec(select(Attachment)).one().status == AttachmentStatus.STORED
