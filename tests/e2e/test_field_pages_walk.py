"""The phone pages in a real Chromium at 360 px: the courier hands the papers to the UPT, the UPT receives
them and the pick-up counter hands a document over, each with its big button, without sideways scrolling,
every touch target at least 44 px high; the pages are photographed for a person to look at."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from playwright.sync_api import expect
from sqlmodel import Session

from berita_acara import document, handover
from berita_acara.models import BeritaAcara, BeritaAcaraStatus
from berita_acara.stages import handover_stages
from pdf_delivery.certificates import create_demo_certificate
from routing import workflow
from routing.definition import StageDuty
from tests.conftest import LiveServer
from tests.support.browser import PHONE, click_and_wait, logged_in_page, username_of
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import make_staff, make_ticket
from tickets.models import Ticket

DEFINITION = workflow(TANGGAMUS)
CHAIN = handover_stages(DEFINITION)
PICKUP = DEFINITION.stage_for(StageDuty.PICKUP)
# Everything a thumb presses on these pages.
TARGETS = "main .big, main button, main label.choice, main input.big-input, main .search input, main .link-line"


def fits_a_thumb(page, shot: Path, *, buttons: bool = True) -> None:  # type: ignore[no-untyped-def]
    """No sideways scroll at 360 px and no touch target under 44 px; the page photographed whole."""
    page.screenshot(path=str(shot), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, shot.name
    targets = page.locator(TARGETS)
    assert targets.count() >= 1 or not buttons
    for i in range(targets.count()):
        box = targets.nth(i).bounding_box()
        if box is None:  # hidden (a label for screen readers only)
            continue
        assert box["height"] >= 44, f"{shot.name}: {targets.nth(i).inner_text()!r} is {box['height']} px high"
        assert box["x"] + box["width"] <= 360, f"{shot.name}: {targets.nth(i).inner_text()!r} past the edge"


def test_courier_upt_and_counter_on_a_phone(app: Flask, session: Session, live_server: LiveServer, browser,
                                            artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    kasi = make_staff(session, CHAIN.creator_role)
    kadis = make_staff(session, CHAIN.signer_role)
    courier = make_staff(session, CHAIN.courier_role, full_name="Budi Santoso")
    make_staff(session, CHAIN.upt_role, kecamatan_code="180601", full_name="Sari Wulandari")
    counter = make_staff(session, str(PICKUP.role), full_name="Wati Lestari")
    names = ("Siti Aminah", "Raden Ayu Siti Nurhaliza Kusumawardhani", "Ahmad Fauzi")
    tickets = [make_ticket(session, stage=CHAIN.handover.key, kecamatan_code="180601", phone=f"+62812345600{i:02d}",
                           name=name) for i, name in enumerate(names)]
    made = handover.create_berita_acara(session, kasi, "180601", app.config["BERITA_ACARA_NUMBER_FORMAT"])
    create_demo_certificate(app.config, "tte-uji")
    document.sign(session, made, kadis, "tte-uji", app.config)
    handover.dispatch(session, made, kasi, courier)
    make_ticket(session, stage=CHAIN.handover.key, kecamatan_code="180602")  # signed, waiting at the office
    waiting = handover.create_berita_acara(session, kasi, "180602", app.config["BERITA_ACARA_NUMBER_FORMAT"])
    document.sign(session, waiting, kadis, "tte-uji", app.config)
    base = live_server.url
    folder = artifacts / "tugas-ponsel"
    folder.mkdir(exist_ok=True)

    page = logged_in_page(browser, base, courier.username, width=PHONE)
    assert page.url.endswith("/tugas/kurir")
    fits_a_thumb(page, folder / "kurir-360.png")
    click_and_wait(page, "text=Sudah diserahkan ke UPT")
    fits_a_thumb(page, folder / "kurir-konfirmasi-360.png")
    click_and_wait(page, "button.big")
    expect(page.locator(".flash")).to_contain_text("Penyerahan berkas ke UPT sudah dicatat")
    fits_a_thumb(page, folder / "kurir-hasil-360.png", buttons=False)
    page.context.close()

    page = logged_in_page(browser, base, username_of(CHAIN.upt_role), width=PHONE)
    assert page.url.endswith("/tugas/upt")
    fits_a_thumb(page, folder / "upt-360.png")
    click_and_wait(page, "text=Diterima, sesuai berita acara")
    click_and_wait(page, "button.big")
    expect(page.locator(".flash")).to_contain_text("Penerimaan berkas sudah dicatat lengkap")
    fits_a_thumb(page, folder / "upt-hasil-360.png", buttons=False)
    page.context.close()
    session.expire_all()
    assert session.get(BeritaAcara, made.id).status == BeritaAcaraStatus.RECEIVED_COMPLETE  # type: ignore[union-attr]
    assert {session.get(Ticket, t.id).stage for t in tickets} == {PICKUP.key}  # type: ignore[union-attr]

    page = logged_in_page(browser, base, counter.username, width=PHONE)
    assert page.url.endswith("/tugas/pengambilan/")
    page.fill("#cari", tickets[1].number)
    click_and_wait(page, ".search button")
    expect(page.locator("section.task")).to_have_count(1)
    fits_a_thumb(page, folder / "loket-cari-360.png")
    click_and_wait(page, "text=Serahkan dokumen")
    click_and_wait(page, "button.big")  # nothing chosen: said beside each field, nothing taken
    expect(page.locator(".error-text").nth(1)).to_be_attached()
    fits_a_thumb(page, folder / "loket-galat-360.png")
    for group in page.locator("fieldset").all():
        group.locator("label.choice").first.click()
    fits_a_thumb(page, folder / "loket-form-360.png")
    click_and_wait(page, "button.big")
    expect(page.locator(".flash")).to_contain_text("tercatat diserahkan kepada Raden Ayu")
    fits_a_thumb(page, folder / "loket-hasil-360.png")
    page.context.close()
    session.expire_all()
    assert session.get(Ticket, tickets[1].id).stage == PICKUP.next  # type: ignore[union-attr]
