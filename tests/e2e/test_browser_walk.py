"""One walk of the whole SOP chain in a real browser: a citizen files a KTP-el request in the
WhatsApp simulator with two photos, then one officer per role works it to the archive."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect
from sqlmodel import select

from routing import workflow
from routing.definition import FieldType, Stage
from tests.support.berita_acara import browser_berita_acara_step, browser_sign_berita_acara, needs_berita_acara
from tests.support.browser import claim_in_place, click_and_wait, logged_in_page, username_of
from tests.support.documents import browser_document_step
from tests.support.media_server import jpeg_bytes, png_bytes
from tests.tickets.conftest import PASSWORD, make_staff
from tickets.constants import AttachmentStatus
from tickets.messages import Attachment
from tickets.models import Ticket
from tests.support.workflows import TANGGAMUS

CITIZEN = "081234567890"


def test_whole_chain_in_headless_chromium(browser, live_server, session, run_jobs, artifacts: Path,
                                          tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    definition = workflow(TANGGAMUS)
    for role in {stage.role for stage in definition.chain if stage.role}:
        make_staff(session, role, full_name=f"Demo {definition.role(role).name}",
                   kecamatan_code="180601" if role == "upt_officer" else None)

    trainer = username_of(definition.first_stage.role)  # the simulator needs a staff login
    number = _citizen_files_a_request(browser, live_server.url, trainer, tmp_path, artifacts)
    run_jobs()  # the media worker fetches both photos from the simulator
    ticket = session.exec(select(Ticket).where(Ticket.number == number)).one()
    attachments = session.exec(select(Attachment).where(Attachment.ticket_id == ticket.id)).all()
    assert [a.status for a in attachments] == [AttachmentStatus.STORED] * 2

    for stage in definition.chain:
        if needs_berita_acara(stage):
            browser_sign_berita_acara(browser, live_server.url, PASSWORD, artifacts)  # needed to hand over
        _officer_advances(browser, live_server.url, stage, number, definition, artifacts)

    session.expire_all()
    assert session.get(Ticket, ticket.id).stage == definition.done_stage.key


def _citizen_files_a_request(browser, base: str, username: str, tmp_path: Path,  # type: ignore[no-untyped-def]
                             artifacts: Path) -> str:
    photos = [tmp_path / "ktp-lama.jpg", tmp_path / "kk.png"]
    photos[0].write_bytes(jpeg_bytes(6000))
    photos[1].write_bytes(png_bytes(6000))
    page = logged_in_page(browser, base, username)
    page.goto(f"{base}/simulator/")
    page.fill("#new-phone", CITIZEN)
    click_and_wait(page, "form.start button[type=submit]")
    for text in ("halo", "1", "2", "1806014505900001", "Siti Aminah", "kota agung"):
        _say(page, text)
    page.set_input_files("input[name=files]", [str(p) for p in photos])
    click_and_wait(page, "form.send button[type=submit]")
    _say(page, "selesai")
    _say(page, "ya")
    page.screenshot(path=str(artifacts / "simulator-permohonan-ktp-el.png"), full_page=True)
    found = re.findall(r"PGD-\d{4}-\d{6}", page.content())
    assert found, "the bot did not answer with a ticket number"
    page.context.close()
    return found[-1]


def _say(page, text: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("form.send textarea", text)
    click_and_wait(page, "form.send button[type=submit]")


# Stages whose queue and ticket page are photographed at 1280 px and 360 px for a person to look at.
LOOKED_AT = {"sorting", "data_entry"}


def _look_at(page, artifacts: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    """Screenshots of the page as it is at 1280 px and on a 360 px phone, which never scrolls sideways."""
    page.screenshot(path=str(artifacts / f"{name}-1280.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    page.screenshot(path=str(artifacts / f"{name}-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, f"{name} scrolls sideways at 360 px"
    page.set_viewport_size({"width": 1280, "height": 900})


def _officer_advances(browser, base: str, stage: Stage, number: str, definition, artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    page = logged_in_page(browser, base, username_of(stage.role))
    page.goto(f"{base}/antrian")  # the courier, UPT and pick-up counter land on their phone page
    assert number in page.content(), f"{stage.key}: the ticket is not in the {stage.role} queue"
    if stage.key in LOOKED_AT:
        _look_at(page, artifacts, f"antrian-{stage.key}")
    click_and_wait(page, f"text={number}")  # htmx takes over the page's forms once it has loaded
    claim_in_place(page, number)  # the action panel is swapped in place, without a page load
    if stage.key in LOOKED_AT:
        _look_at(page, artifacts, f"tiket-{stage.key}")
    if browser_document_step(page, base, stage, number, artifacts):  # uploads the PDF, or signs on the TTE page
        page.context.close()
        return
    if browser_berita_acara_step(page):  # hand-over, courier and UPT: on the berita acara page
        page.context.close()
        return
    for out in stage.outputs:
        if out.system_assigned:
            continue
        field = f"#isian-{out.key}"
        if out.type is FieldType.CHECK:
            page.check(field)
        elif out.type is FieldType.CHECKLIST:  # one box per document of the ticket's service
            for box in page.locator(f'input[type=checkbox][name="isian-{out.key}"]').all():
                box.check()
        elif out.type is FieldType.NUMBER:
            page.fill(field, str(out.min_value or 1))
        elif out.type is FieldType.CHOICE:
            page.select_option(field, out.options[0])
        elif out.fills and out.pattern:  # the kecamatan, chosen by name (already the applicant's own)
            page.select_option(field, "180601")
        elif out.pattern:
            page.fill(field, "180601")
        else:
            page.fill(field, "Siti Aminah" if out.key == "diambil_oleh" else "dicatat petugas")
    page.click("form.action-advance button[type=submit]")
    next_name = definition.stage(str(stage.next)).name
    expect(page.locator("#action-notice")).to_contain_text(f'Tiket {number} diteruskan ke tahap "{next_name}".')
    if stage.key == "archive":
        page.goto(f"{base}/tiket/{number}")
        page.screenshot(path=str(artifacts / "tiket-selesai-riwayat.png"), full_page=True)
    page.context.close()
