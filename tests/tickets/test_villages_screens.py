"""The pekon list pages in Chromium at 1280 px and on a 360 px screen: a refused name beside its field with what
was typed, no sideways scroll. Screenshots go to test-artifacts/."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect
from sqlmodel import Session

from routing import workflow_for
from routing.definition import RoleDuty
from tests.conftest import LiveServer
from tests.support.browser import PHONE, click_and_wait, logged_in_page
from tests.tickets.conftest import make_staff
from tickets.accounts import ADMIN_ROLE
from tickets.constants import Channel, Service


def test_the_pekon_pages_on_a_desk_and_a_phone(session: Session, live_server: LiveServer, browser,  # type: ignore[no-untyped-def]
                                                artifacts: Path) -> None:
    make_staff(session, ADMIN_ROLE, username="admin", full_name="Admin Dinas")
    page = logged_in_page(browser, live_server.url, "admin")
    page.goto(f"{live_server.url}/admin/pekon/")
    assert "302" in page.inner_text("tfoot")
    page.screenshot(path=str(artifacts / "pekon-list-1280.png"), full_page=True)
    click_and_wait(page, "tr[data-kecamatan='180620'] a")
    page.fill("#nama-baru", "Gisting Raya")
    click_and_wait(page, "form.pekon-add button[type=submit]")
    expect(page.locator("body")).to_contain_text("Pekon Gisting Raya ditambahkan")
    click_and_wait(page, "li[data-pekon='Landbaw'] form:has(input[name=aktif]) button")
    expect(page.locator("li.inactive[data-pekon='Landbaw']")).to_be_visible()
    page.fill("#nama-baru", "Gisting  atas")
    click_and_wait(page, "form.pekon-add button[type=submit]")
    expect(page.locator("#nama-baru-error")).to_be_visible()
    expect(page.locator("#nama-baru")).to_have_value("Gisting  atas")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(path=str(artifacts / "pekon-kecamatan-1280.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(artifacts / "pekon-kecamatan-360.png"), full_page=True)
    page.goto(f"{live_server.url}/admin/pekon/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(artifacts / "pekon-list-360.png"), full_page=True)
    page.context.close()


def test_the_call_form_narrows_the_pekon_to_the_chosen_kecamatan(session: Session, live_server: LiveServer,  # type: ignore[no-untyped-def]
                                                                  browser) -> None:
    agent = workflow_for(Channel.CALL_CENTER, Service.SIAGA).role_for(RoleDuty.TAKE_CALLS, "call center")
    make_staff(session, agent, username="agen")
    page = logged_in_page(browser, live_server.url, "agen", width=PHONE)
    page.goto(f"{live_server.url}/call-center/")
    page.select_option("#siaga_pekon", "Gisting Atas")
    page.select_option("#kecamatan", "180611")  # Pugung: Gisting Atas is not one of its pekon
    expect(page.locator("#siaga_pekon optgroup:not([disabled]) option")).to_have_count(27)
    offered = page.eval_on_selector_all("#siaga_pekon optgroup:not([disabled]) option", "os => os.map(o => o.text)")
    assert "Sukamaju" in offered and "Gisting Atas" not in offered and len(offered) == 27
    expect(page.locator("#siaga_pekon")).to_have_value("")
    page.context.close()
