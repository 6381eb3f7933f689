"""A PDF the worker renders whose job fails at every try: its page stops waiting and says so, and "Coba buat
lagi" runs the same job again, after which the same page serves the PDF."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

import campaigns.jobs
from tests.campaigns.conftest import VISIT_DAY
from tests.conftest import LiveServer
from tests.support.browser import PHONE, click_and_wait, logged_in_page
from tests.tickets.conftest import csrf_token, login
from tickets.staff import StaffUser


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config["RENDER_RETRY_INTERVALS"] = [0]  # one retry, at once
    return app_config


def printer_out_of_order(key: str, year: int) -> None:
    raise RuntimeError("the PDF library crashed")


def test_a_rendering_that_fails_every_try_says_so_and_can_be_tried_again(
        http: requests.Session, live_server: LiveServer, browser, artifacts: Path,  # type: ignore[no-untyped-def]
        people: dict[str, StaffUser], run_jobs, monkeypatch: pytest.MonkeyPatch) -> None:
    login(http, "koordinator")
    asked = http.get("/sekolah/laporan.pdf", params={"tahun": VISIT_DAY.year})
    assert asked.status_code == 202 and "Dokumen sedang disiapkan" in asked.text

    with monkeypatch.context() as broken:
        broken.setattr(campaigns.jobs, "render_report", printer_out_of_order)  # what the worker runs, by name
        run_jobs()  # the try and its retry both fail
    failed = http.get(asked.url)
    assert failed.status_code == 500 and "Dokumen gagal dibuat" in failed.text
    assert 'http-equiv="refresh"' not in failed.text, "the page no longer waits for what will not come"
    assert http.get(asked.url).status_code == 500, "it stays failed, and nothing is tried again unasked"

    # On a phone, as the planner sees it: what happened, and one button to try again.
    page = logged_in_page(browser, live_server.url, "koordinator", width=PHONE)
    page.goto(asked.url)
    expect(page.locator("h1")).to_have_text("Dokumen gagal dibuat")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    page.screenshot(path=str(artifacts / "dokumen-gagal-360.png"), full_page=True)
    click_and_wait(page, "text=Coba buat lagi")
    expect(page.locator("h1")).to_have_text("Dokumen sedang disiapkan")
    assert page.url == asked.url
    page.context.close()
    run_jobs()
    made = http.get(asked.url)
    assert made.status_code == 200 and made.content.startswith(b"%PDF")

    key = re.search(r'name="key" value="([^"]+)"', failed.text).group(1)  # type: ignore[union-attr]
    refused = http.post("/dokumen-ulang", data={"csrf_token": csrf_token(failed.text), "key": key,
                                               "kembali": "//elsewhere.example/"})
    assert refused.status_code == 400, "it only ever goes back to a page of this site"
