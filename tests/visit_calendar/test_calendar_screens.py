"""The month of visits in Chromium at 1280 px and on a 360 px phone: the three colours in the grid, and on the
phone a list of the days with visits that does not scroll sideways. The screenshots go to test-artifacts/."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlmodel import Session

from tests.conftest import LiveServer
from tests.support.browser import logged_in_page
from tests.visit_calendar.visits import field_staff, outreach_visit, school_visit, siaga_visit


def test_the_month_on_a_wide_screen_and_on_a_phone(session: Session, live_server: LiveServer, browser,  # type: ignore[no-untyped-def]
                                                    artifacts: Path) -> None:
    staff = field_staff(session)
    school_visit(session, staff, "SMA Negeri 1 Kota Agung", "180601", date(2026, 8, 4))
    school_visit(session, staff, "SMK Negeri 1 Gisting", "180620", date(2026, 8, 18))
    siaga_visit(session, staff, "Sukamaju", "180620", date(2026, 8, 4))
    siaga_visit(session, staff, "Banjarmanis", "180620", date(2026, 8, 12))
    outreach_visit(session, staff, "Pekon Way Halom", "180620", "Way Halom", date(2026, 8, 31))
    outreach_visit(session, staff, "Panti Werdha Kota Agung", "180601", "Pasar Madang", date(2026, 9, 1))

    page = logged_in_page(browser, live_server.url, "kepala-bidang")
    page.goto(f"{live_server.url}/kalender/?bulan=2026-08")
    assert page.inner_text("#bulan") == "Agustus 2026"
    colours = {kind: page.eval_on_selector(f"a.visit[data-kind='{kind}']",
                                           "e => getComputedStyle(e).borderLeftColor")
               for kind in ("sekolah", "siaga", "jemput-bola")}
    assert len(set(colours.values())) == 3, colours
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(path=str(artifacts / "kalender-kunjungan-1280.png"), full_page=True)

    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # Only the month's days with visits (1 September waits for its own month), each named in full.
    shown = page.eval_on_selector_all("table.month td", "cells => cells.filter(c => c.offsetParent !== null)"
                                      ".map(c => c.dataset.day)")
    assert shown == ["2026-08-04", "2026-08-12", "2026-08-18", "2026-08-31"]
    assert page.inner_text("td[data-day='2026-08-04'] .day-number") == "Selasa, 4 Agustus"
    page.screenshot(path=str(artifacts / "kalender-kunjungan-360.png"), full_page=True)
    page.context.close()
