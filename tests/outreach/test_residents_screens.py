"""The residents' entry page in Chromium on a 360 px phone and at 1280 px: one resident after another with the
big result buttons, an error that keeps what was typed, no sideways scroll. Screenshots go to test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import requests
from playwright.sync_api import expect
from sqlmodel import Session, select

from outreach.models import OutreachPerson
from tests.campaigns.conftest import post
from tests.conftest import LiveServer
from tests.outreach.test_outreach import ask, people, request_id  # noqa: F401 - the fixture
from tests.support.browser import PHONE, click_and_wait, logged_in_page
from tests.tickets.conftest import login
from tickets.staff import StaffUser


def test_entering_residents_on_a_phone(session: Session, live_server: LiveServer, http: requests.Session,  # type: ignore[no-untyped-def]
                                       people: dict[str, StaffUser], browser, artifacts: Path) -> None:  # noqa: F811
    login(http, "operator-pekon")
    rid = request_id(ask(http))
    http.cookies.clear()
    login(http, "kabid")
    post(http, f"/jemput-bola/{rid}", f"/jemput-bola/{rid}/jadwal", tanggal="2026-08-05",
         petugas=[str(people["leader"].id)])

    page = logged_in_page(browser, live_server.url, "ketua-tim", width=PHONE)
    page.goto(f"{live_server.url}/jemput-bola/{rid}/warga")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    button = page.locator("label[for='kategori-ktp-el']").bounding_box()
    assert button is not None and button["height"] >= 44  # a thumb's target

    page.fill("#nama", "Sumarni")
    page.fill("#nik", "1806204107620001")
    page.select_option("#pekon", "180620:Gisting Atas")
    page.fill("#dusun", "Dusun II RT 03")
    page.click("label[for='kategori-ktp-el']")
    click_and_wait(page, "button.save")
    expect(page.locator("body")).to_contain_text("Sumarni dicatat")
    # The next resident: the place and the result stay, the name is empty and has the focus.
    expect(page.locator("#nama")).to_have_value("")
    expect(page.locator("#pekon")).to_have_value("180620:Gisting Atas")
    expect(page.locator("#kategori-ktp-el")).to_be_checked()
    expect(page.locator("#nama")).to_be_focused()

    page.fill("#nama", "Paijo")
    page.fill("#nik", "18062015")
    page.click("label[for='kategori-kk']")
    click_and_wait(page, "button.save")
    expect(page.locator("#nik-error")).to_be_visible()
    expect(page.locator("#nama")).to_have_value("Paijo")
    expect(page.locator("#nik")).to_have_value("18062015")
    expect(page.locator("#kategori-kk")).to_be_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(artifacts / "jemput-bola-warga-360.png"), full_page=True)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.fill("#nik", "")
    click_and_wait(page, "button.save")
    expect(page.locator("body")).to_contain_text("Paijo dicatat")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(path=str(artifacts / "jemput-bola-warga-1280.png"), full_page=True)
    page.goto(f"{live_server.url}/jemput-bola/{rid}/laporan-hasil")
    page.screenshot(path=str(artifacts / "jemput-bola-laporan-hasil-1280.png"), full_page=True)
    page.context.close()
    assert [p.name for p in session.exec(select(OutreachPerson).order_by(OutreachPerson.id))] == ["Sumarni", "Paijo"]
