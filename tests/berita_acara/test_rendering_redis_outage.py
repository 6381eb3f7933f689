"""A berita acara package PDF asked for while Redis is unreachable: the page waits instead of failing, the
rendering waits in the database, and the sweeper hands it to the worker once Redis is back."""

from __future__ import annotations

from datetime import timedelta

import requests
from flask import Flask
from redis import Redis
from sqlmodel import Session, select

from layanan.clock import utcnow
from layanan.outbox import DeferredJob, sweep
from tests.berita_acara.conftest import Sorted
from tests.tickets.conftest import login, make_staff


def test_a_sorting_report_asked_for_while_redis_is_down_is_made_after_the_sweep(
        app: Flask, session: Session, http: requests.Session, november: list[Sorted], run_jobs) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")
    login(http, "sorter")
    working = app.extensions["redis"]
    app.extensions["redis"] = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)  # nothing listens
    try:
        waiting = http.get("/berita-acara/pemilahan/laporan.pdf",
                           params={"dari": "2026-11-01", "sampai": "2026-11-30"})
    finally:
        app.extensions["redis"] = working
    assert waiting.status_code == 202 and "PDF sedang disiapkan" in waiting.text
    job = session.exec(select(DeferredJob).where(DeferredJob.func.endswith("render_sorting_report"))).one()  # type: ignore[attr-defined]
    assert job.enqueued_at is None, "kept in the database while Redis was down"

    run_jobs()  # nothing reached Redis: nothing is made yet
    assert http.get(waiting.url).status_code == 202
    assert sweep(session, app, now=utcnow() + timedelta(minutes=1)) >= 1
    run_jobs()
    made = http.get(waiting.url)
    assert made.headers["Content-Type"] == "application/pdf" and made.content.startswith(b"%PDF")
