"""The inbox and its badge in a real Chromium, at 1280 px and on a 360 px phone, photographed for a person to
look at: the badge stays in view beside the folded menu, nothing scrolls sideways, marking read lowers it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from layanan.clock import utcnow
from routing import workflow
from tests.conftest import LiveServer
from tests.support.browser import click_and_wait, logged_in_page
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import make_staff, make_ticket


@pytest.fixture
def page(session: Session, live_server: LiveServer, browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A Chromium tab of a receiver who also heads the section: new work and an overdue ticket wait."""
    definition = workflow(TANGGAMUS)
    first = definition.first_stage
    make_staff(session, first.role, definition.section_head_for(first.key), username="petugas",
               full_name="Rina Oktaviani")
    make_ticket(session, name="Siti Aminah", phone="+6281234500001")
    make_ticket(session, name="Ahmad Fauzi Ramadhan", service="kk", phone="+6281234500002")
    make_ticket(session, name="Dewi Lestari", phone="+6281234500003", overdue=True, due_at=utcnow() - timedelta(hours=3),
                stage_entered_at=utcnow() - timedelta(hours=30))
    tab = logged_in_page(browser, live_server.url, "petugas", height=800)
    yield tab
    tab.context.close()


def test_the_inbox_and_its_badge_at_1280_px(page, live_server: LiveServer, artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    badge = page.locator("header.top .inbox-link .inbox-count")
    # Two arrived since the account exists; the third came before it, and is late: it counts as overdue only.
    assert badge.inner_text().startswith("3")
    click_and_wait(page, "header.top .inbox-link")
    expect(page).to_have_url(re.compile(r"/kotak-masuk$"))
    page.screenshot(path=str(artifacts / "inbox-1280.png"), full_page=True)
    assert page.locator("section.inbox-group h2").all_inner_texts()[:2] == [
        "Pekerjaan baru di tahap Anda 2", "Tiket lewat mutu baku di seksi Anda 1"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    bar = page.locator("header.top .brand, header.top .inbox-link, header.top .user")
    middles = [b["y"] + b["height"] / 2 for b in (bar.nth(i).bounding_box() for i in range(bar.count()))]
    assert max(middles) - min(middles) <= 4, f"the top bar wraps: {middles}"
    click_and_wait(page, page.locator("ul.inbox-items button", has_text="Tandai dibaca").first)
    expect(badge).to_have_text(re.compile(r"^2"))


def test_the_badge_stays_in_view_on_a_phone(page, artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + "/kotak-masuk")
    assert not page.locator("header.top nav").is_visible()  # the menu folded
    assert page.locator("header.top .inbox-link .inbox-count").is_visible()
    page.screenshot(path=str(artifacts / "inbox-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    bar = page.locator("header.top .brand, header.top .inbox-link, header.top .navbar-toggler")
    boxes = [bar.nth(i).bounding_box() for i in range(bar.count())]
    middles = [b["y"] + b["height"] / 2 for b in boxes]
    assert max(middles) - min(middles) <= 6, f"brand, badge and menu button on two lines: {middles}"
    assert max(b["x"] + b["width"] for b in boxes) <= 360


def test_the_digest_settings_keep_what_was_typed(page, artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    base = page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2]
    page.goto(base + "/kotak-masuk/ringkasan-harian")
    page.fill("#whatsapp", "0722 21234")
    page.check("#daily_digest")
    page.fill("#digest_time", "06:45")
    click_and_wait(page, "form.card button[type=submit]")
    expect(page.locator(".field-error")).to_contain_text("bukan nomor seluler")
    expect(page.locator("#whatsapp")).to_have_value("0722 21234")
    expect(page.locator("#digest_time")).to_have_value("06:45")
    page.screenshot(path=str(artifacts / "inbox-digest-settings-1280.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    page.screenshot(path=str(artifacts / "inbox-digest-settings-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
