"""A berita acara package PDF (here the sorting report) whose rendering fails at every try: the page that was
waiting says it failed instead of reloading for ever, and "Coba buat lagi" renders it."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
from sqlmodel import Session

import berita_acara.jobs
from tests.berita_acara.conftest import Sorted
from tests.tickets.conftest import csrf_token, login, make_staff


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config["RENDER_RETRY_INTERVALS"] = [0]  # one retry, at once
    return app_config


def renderer_out_of_order(key: str, *args: Any) -> None:
    raise RuntimeError("the PDF library crashed")


def test_a_sorting_report_that_fails_every_try_says_so_and_is_made_when_asked_again(
        session: Session, http: requests.Session, november: list[Sorted], run_jobs,  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch) -> None:
    make_staff(session, "sorter")
    login(http, "sorter")
    waiting = http.get("/berita-acara/pemilahan/laporan.pdf", params={"dari": "2026-11-01", "sampai": "2026-11-30"})
    assert waiting.status_code == 202 and "PDF sedang disiapkan" in waiting.text

    with monkeypatch.context() as broken:
        broken.setattr(berita_acara.jobs, "render_sorting_report", renderer_out_of_order)  # run by name
        run_jobs()  # the try and its retry both fail
    failed = http.get(waiting.url)
    assert failed.status_code == 500 and "Dokumen gagal dibuat" in failed.text
    assert 'http-equiv="refresh"' not in failed.text

    key = re.search(r'name="key" value="([^"]+)"', failed.text).group(1)  # type: ignore[union-attr]
    again = http.post("/dokumen-ulang", data={"csrf_token": csrf_token(failed.text), "key": key,
                                             "kembali": re.sub(r"^https?://[^/]+", "", waiting.url)})
    assert again.status_code == 202 and "PDF sedang disiapkan" in again.text
    run_jobs()
    made = http.get(waiting.url)
    assert made.headers["Content-Type"] == "application/pdf" and made.content.startswith(b"%PDF")
