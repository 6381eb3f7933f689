"""A signed berita acara for a ticket at the berita acara stage, as the Kasi Inovasi and Kepala Dinas make it."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from playwright.sync_api import expect
from sqlmodel import Session, select

from berita_acara import document, handover
from berita_acara.models import BeritaAcara
from berita_acara.models import BeritaAcaraItem
from berita_acara.stages import stages_of
from pdf_delivery.certificates import create_demo_certificate
from pdf_delivery.signing import pkcs12_path
from routing.definition import OutputSource, Stage
from tests.support.browser import click_and_wait, logged_in_page
from tests.support.documents import DEMO_PASSPHRASE
from tickets.models import Ticket
from tickets.staff import StaffUser

PASSPHRASE = DEMO_PASSPHRASE  # one office certificate for the documents and the berita acara


def needs_berita_acara(stage: Stage) -> bool:
    """Whether advancing this stage takes the number of a signed berita acara."""
    return any(o.source is OutputSource.BERITA_ACARA for o in stage.outputs)


def sign_berita_acara_for(session: Session, number: str) -> BeritaAcara:
    """Draw up the berita acara for the ticket's kecamatan and sign it with the demo certificate."""
    session.expire_all()  # the pages changed the ticket in other sessions
    ticket = session.exec(select(Ticket).where(Ticket.number == number)).one()
    chain = stages_of(ticket.workflow)
    assert chain is not None and ticket.stage == chain.handover.key and ticket.kecamatan_code
    config = current_app.config
    if not pkcs12_path(config).exists():
        create_demo_certificate(config, PASSPHRASE)
    kasi = _staff_with(session, chain.creator_role)
    made = handover.create_berita_acara(session, kasi, ticket.kecamatan_code, config["BERITA_ACARA_NUMBER_FORMAT"])
    document.sign(session, made, _staff_with(session, chain.signer_role), PASSPHRASE, config)
    return made


def berita_acara_step(http, session: Session, stage: Stage, number: str):  # type: ignore[no-untyped-def]
    """Take a listed ticket's step on its berita acara page, as the officer logged in on `http` (the stages
    of the hand-over, the courier and the UPT move only there); None for the other stages."""
    session.expire_all()
    ticket = session.exec(select(Ticket).where(Ticket.number == number)).one()
    chain = stages_of(ticket.workflow)
    item = session.exec(select(BeritaAcaraItem).where(BeritaAcaraItem.ticket_id == ticket.id)).first()
    if chain is None or item is None or stage.key not in {s.key for s in chain.paper_trail}:
        return None
    from tests.tickets.conftest import csrf_token

    page = f"/berita-acara/{item.berita_acara_id}"
    token = csrf_token(http.get(page).text)
    if stage.key == chain.handover.key:
        courier = _staff_with(session, chain.courier_role)
        return http.post(f"{page}/serahkan-ke-kurir", data={"csrf_token": token, "kurir": str(courier.id)})
    if stage.key == chain.courier.key:
        return http.post(f"{page}/diserahkan-ke-upt", data={"csrf_token": token})
    return http.post(f"{page}/terima", data={"csrf_token": token, "ada": [str(item.id)]})


def browser_berita_acara_step(page) -> bool:  # type: ignore[no-untyped-def]
    """The same in a real browser, from the ticket page's pointer to the berita acara: True when taken there."""
    link = page.query_selector(".advance-elsewhere a[href*='/berita-acara/']")
    if link is None:
        return False
    with page.expect_navigation(wait_until="load"):  # the berita acara page, before asking what it shows
        link.click()
    if page.query_selector("#kurir"):
        page.select_option("#kurir", index=1)
        click_and_wait(page, "form[action$='/serahkan-ke-kurir'] button[type=submit]")
    elif page.query_selector("form[action$='/diserahkan-ke-upt']"):
        click_and_wait(page, "form[action$='/diserahkan-ke-upt'] button[type=submit]")
    else:
        click_and_wait(page, "form[action$='/terima'] button[type=submit]")
    return True


def _staff_with(session: Session, role: str) -> StaffUser:
    return next(s for s in session.exec(select(StaffUser).order_by(StaffUser.id)) if role in s.roles)


def browser_sign_berita_acara(browser, base: str, password: str, artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    """The same in a real browser: the Kasi Inovasi draws it up, the Kepala Dinas signs it on its page."""
    kasi = logged_in_page(browser, base, "kasi-inovasi", password=password)
    kasi.goto(f"{base}/berita-acara/")
    click_and_wait(kasi, "tr.waiting-row form button[type=submit]")
    expect(kasi.locator("body")).to_contain_text("dibuat dengan status konsep")
    page_url = kasi.url
    kasi.context.close()
    kadis = logged_in_page(browser, base, "kepala-dinas", password=password)
    kadis.goto(page_url)
    kadis.fill("#passphrase", PASSPHRASE)
    click_and_wait(kadis, "form[action$='/tandatangani'] button[type=submit]")
    expect(kadis.locator('[data-status="signed"]').first).to_be_attached()
    kadis.screenshot(path=str(artifacts / "berita-acara-ditandatangani.png"), full_page=True)
    kadis.context.close()

