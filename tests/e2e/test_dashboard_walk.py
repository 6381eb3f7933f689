"""The dashboard in a real Chromium with a month of generated tickets: the four headline tiles side by side
and the charts two to a row at 1280 px, one column on a 360 px phone that never scrolls sideways."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from layanan.clock import utcnow
from tests.support.browser import logged_in_page
from tests.tickets.conftest import make_staff
from tickets.generate import generate_tickets


def test_the_dashboard_uses_the_width_and_fits_a_phone(browser, live_server, session, artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "kepala_dinas", full_name="Demo Kepala Dinas")
    now = utcnow()
    generate_tickets(session, 150, start=now - timedelta(days=40), end=now, seed=7)
    page = logged_in_page(browser, live_server.url, "kepala-dinas")
    page.goto(f"{live_server.url}/dasbor/")

    tiles = [page.locator(".kpi").nth(i).bounding_box() for i in range(4)]
    assert len({round(t["y"]) for t in tiles}) == 1, "the tiles are not on one row at 1280 px"
    charts = page.locator(".dashboard > section")
    first, second = charts.nth(0).bounding_box(), charts.nth(1).bounding_box()
    assert round(first["y"]) == round(second["y"]) and second["x"] > first["x"], "one chart per row at 1280 px"
    page.screenshot(path=str(artifacts / "dasbor-1280.png"), full_page=True)

    page.set_viewport_size({"width": 360, "height": 740})
    page.screenshot(path=str(artifacts / "dasbor-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.context.close()
