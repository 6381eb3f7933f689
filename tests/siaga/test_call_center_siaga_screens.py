"""The call-center form's Siaga fields in Chromium at 1280 px and on a 360 px screen: the resident's answers
beside the others, an error beside its field, no sideways scroll. Screenshots go to test-artifacts/."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect
from sqlmodel import Session, select

from bot.call_center.models import Outcome
from routing import workflow_for
from routing.definition import RoleDuty
from siaga.models import SiagaReport
from tests.conftest import LiveServer
from tests.support.browser import click_and_wait, logged_in_page
from tests.tickets.conftest import make_staff
from tickets.constants import Channel, Service


def test_the_siaga_fields_of_the_call_form(session: Session, live_server: LiveServer, browser,  # type: ignore[no-untyped-def]
                                           artifacts: Path) -> None:
    definition = workflow_for(Channel.CALL_CENTER, Service.SIAGA)
    make_staff(session, definition.role_for(RoleDuty.TAKE_CALLS, "call center"), username="agen")
    page = logged_in_page(browser, live_server.url, "agen")
    page.goto(f"{live_server.url}/call-center/")
    page.fill("#phone", "081298765432")
    page.fill("#caller_name", "Rina Marlina")
    page.select_option("#kecamatan", "180620")
    page.check(f"input[name=outcome][value='{Outcome.SIAGA.value}']")
    page.fill("#siaga_relation", "Anak")
    page.select_option("#siaga_pekon", "Gisting Atas")
    page.fill("#notes", "82 tahun, stroke, belum punya KTP-el")
    click_and_wait(page, "form.call button[type=submit]")
    expect(page.locator("#siaga_subject-error")).to_be_visible()
    expect(page.locator("#siaga_pekon")).to_have_value("Gisting Atas")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(path=str(artifacts / "call-center-siaga-1280.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(artifacts / "call-center-siaga-360.png"), full_page=True)
    page.fill("#siaga_subject", "Sarinah")
    page.check("input[name=siaga_urgent]")
    click_and_wait(page, "form.call button[type=submit]")
    expect(page.locator("body")).to_contain_text("Tiket PGD-")
    page.context.close()
    report = session.exec(select(SiagaReport)).one()
    assert (report.subject_name, report.pekon, report.urgent) == ("Sarinah", "Gisting Atas", True)
