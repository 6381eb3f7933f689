"""A person answers in a real Chromium: the citizen asks for help in the simulator, an officer opens the help
desk and the ticket page, starts from a canned reply filled in for the ticket and sends it; the citizen reads it
in the simulator. Screenshots of the ticket's thread and the help desk at 360 and 1280 px."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from bot.canned_replies import CannedReply
from tests.e2e.test_complaint_walk import _say
from tests.support.browser import click_and_wait, logged_in_page
from tests.tickets.conftest import make_staff, make_ticket

CITIZEN = "081298765431"
CANNED = "Halo {nama}, tiket {nomor_tiket} sedang kami proses: {tahap}."


def test_an_officer_answers_from_the_ticket_page_with_a_canned_reply(browser, live_server, session,  # type: ignore[no-untyped-def]
                                                                     artifacts: Path) -> None:
    make_staff(session, "wa_receiver", full_name="Rina Operator")
    session.add(CannedReply(title="Sedang diproses", body=CANNED))
    session.commit()
    base = live_server.url

    citizen = logged_in_page(browser, base, "wa-receiver", width=360)
    citizen.goto(f"{base}/simulator/")
    citizen.fill("#new-phone", CITIZEN)
    click_and_wait(citizen, "form.start button[type=submit]")
    _say(citizen, "bantuan")
    ticket = make_ticket(session, phone="+6281298765431", name="Siti Aminah")  # filed earlier at the counter

    for width in (1280, 360):
        page = logged_in_page(browser, base, "wa-receiver", width=width)
        page.goto(f"{base}/percakapan-bantuan")
        assert "+6281298765431" in page.content()
        page.screenshot(path=str(artifacts / f"bantuan-{width}.png"), full_page=True)
        page.goto(f"{base}/tiket/{ticket.number}#percakapan")
        page.select_option("#pesan-pemohon-canned", label="Sedang diproses")
        filled = re.escape(f"Halo Siti Aminah, tiket {ticket.number} sedang kami proses")
        expect(page.locator("#pesan-pemohon")).to_have_value(re.compile(f"^{filled}"))
        if width == 1280:
            click_and_wait(page, "#kirim-pesan button[type=submit]")
            expect(page.locator("body")).to_contain_text("Pesan terkirim ke pemohon")
        page.locator("#percakapan").screenshot(path=str(artifacts / f"tiket-percakapan-{width}.png"))
        page.context.close()

    citizen.reload()
    expect(citizen.locator("body")).to_contain_text(f"Halo Siti Aminah, tiket {ticket.number} sedang kami proses")
    expect(citizen.locator("body")).to_contain_text("Rina Operator")
