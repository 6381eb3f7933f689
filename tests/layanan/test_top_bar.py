"""The back office's top bar in a real Chromium: at 1280 px an account holding every role keeps brand, links
and account on one line with nothing past the edge; the rest sits under "Lainnya", which opens. At 360 px the
menu folds behind a button and the page never scrolls sideways."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from tests.conftest import LiveServer
from tests.support.browser import logged_in_page
from tests.tickets.conftest import make_staff
from tickets.accounts import ADMIN_ROLE, known_roles


@pytest.fixture
def page(session: Session, live_server: LiveServer, browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A Chromium page logged in as an administrator who holds every role (the most links there are)."""
    make_staff(session, ADMIN_ROLE, *sorted(known_roles() - {ADMIN_ROLE}), username="admin",
               full_name="Demo Administrator Kabupaten")
    tab = logged_in_page(browser, live_server.url, "admin", height=800)
    yield tab
    tab.context.close()


def test_the_admin_top_bar_is_one_line_that_fits_at_1280_px(page, artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    items = page.locator("header.top .brand, header.top nav > a, header.top nav .more > a, header.top .user, "
                         "header.top .inbox-link")
    boxes = [items.nth(i).bounding_box() for i in range(items.count())]
    assert len(boxes) >= 8
    page.screenshot(path=str(artifacts / "top-bar-1280.png"))
    middles = [b["y"] + b["height"] / 2 for b in boxes]
    assert max(middles) - min(middles) <= 4, f"the top bar wraps: {middles}"
    assert max(b["x"] + b["width"] for b in boxes) <= 1280
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    staff = page.locator("#menu-lainnya a", has_text="Staf")
    assert not staff.is_visible()
    page.click("header.top nav .more > a")  # Bootstrap's own dropdown, served by this app
    expect(staff).to_be_visible()


def test_the_top_bar_folds_on_a_phone(page) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    assert not page.locator("header.top nav").is_visible()
    page.click("header.top .navbar-toggler")
    expect(page.locator("header.top nav")).to_be_visible()
    expect(page.locator("#menu-lainnya a", has_text="Staf")).to_be_visible()  # unfolded, no second click
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
