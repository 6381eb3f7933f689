"""The back office in Chromium: actions and queue filters update the page in place (the page itself is never
loaded again), the keys move through the queue, and with JavaScript off the same work gets done by plain
forms and links."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect
from sqlmodel import Session

from routing import workflow
from routing.definition import FieldType
from tests.support.browser import click_and_wait, logged_in_page, settled, username_of
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import make_staff, make_ticket
from tickets.models import Ticket

INTAKE = workflow(TANGGAMUS).first_stage


def _tick_intake_outputs(page) -> None:  # type: ignore[no-untyped-def]
    for out in INTAKE.outputs:
        if not out.system_assigned:
            assert out.type is FieldType.CHECK, "the intake stage's outputs are boxes to tick"
            page.check(f"#isian-{out.key}")


def _mark(page) -> None:  # type: ignore[no-untyped-def]
    """A value that lives only as long as this document: gone after any full page load."""
    page.evaluate("window.__samePage = 'ya'")


def _same_page(page) -> bool:  # type: ignore[no-untyped-def]
    return page.evaluate("window.__samePage === 'ya' && performance.getEntriesByType('navigation').length === 1")


def _look(page, artifacts: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(artifacts / f"{name}-1280.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    page.screenshot(path=str(artifacts / f"{name}-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, f"{name} scrolls sideways at 360 px"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_claim_and_advance_update_the_panel_in_place(browser, live_server, session: Session,  # type: ignore[no-untyped-def]
                                                     artifacts: Path) -> None:
    make_staff(session, str(INTAKE.role), full_name="Rina Penerima")
    ticket = make_ticket(session)
    page = logged_in_page(browser, live_server.url, username_of(INTAKE.role))
    problems: list[str] = []  # a script the CSP refuses, or a failing one, shows up here
    refusal = "the server responded with a status of 422"  # Chromium logs the refused action it swaps in
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" and refusal not in message.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{live_server.url}/tiket/{ticket.number}")
    _mark(page)

    page.click("form.action-claim button")
    expect(page.locator("#action-notice")).to_contain_text(f"Tiket {ticket.number} sekarang Anda kerjakan.")
    expect(page.locator("#ticket-side")).to_contain_text("Rina Penerima")
    expect(page.locator("#riwayat")).to_contain_text("Ambil tiket")  # the history follows
    expect(page.locator("#action-notice")).to_be_focused()  # the outcome has the focus (moved as htmx settles)
    assert _same_page(page)
    _look(page, artifacts, "tiket-diambil-di-tempat")

    # A refusal comes back in place too: the reason beside the field, the text still there.
    too_long = "Berkas tidak sesuai persyaratan. " * 40
    page.fill("#reject-reason", too_long)
    page.click("form.action-reject button[type=submit]")
    expect(page.locator("#reject-reason-error")).to_contain_text("maksimal 1000 karakter")
    expect(page.locator("#reject-reason")).to_have_value(too_long)
    expect(page.locator("#reject-reason")).to_be_focused()  # the keyboard is on the field to fix
    page.screenshot(path=str(artifacts / "tiket-ditolak-di-tempat-1280.png"))
    assert _same_page(page)

    _tick_intake_outputs(page)
    page.click("form.action-advance button[type=submit]")
    next_name = workflow(TANGGAMUS).stage(str(INTAKE.next)).name
    expect(page.locator("#action-notice")).to_contain_text(f'Tiket {ticket.number} diteruskan ke tahap "{next_name}".')
    expect(page.locator("#ticket-head")).to_contain_text(next_name)
    expect(page.locator("#action-notice a")).to_have_text("Kembali ke antrian")
    assert _same_page(page)
    assert page.url == f"{live_server.url}/tiket/{ticket.number}"
    assert problems == []
    page.context.close()
    session.expire_all()
    stored = session.get(Ticket, ticket.id)
    assert stored is not None and stored.stage == INTAKE.next


def test_without_javascript_claim_and_advance_still_work(browser, live_server, session: Session,  # type: ignore[no-untyped-def]
                                                         artifacts: Path) -> None:
    make_staff(session, str(INTAKE.role))
    ticket = make_ticket(session)
    page = logged_in_page(browser, live_server.url, username_of(INTAKE.role), java_script_enabled=False)
    page.goto(f"{live_server.url}/tiket/{ticket.number}")

    click_and_wait(page, "form.action-claim button")
    expect(page.locator("body")).to_contain_text(f"Tiket {ticket.number} sekarang Anda kerjakan.")
    assert page.url == f"{live_server.url}/tiket/{ticket.number}"  # redirected: a reload posts nothing
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.click("form.action-advance button[type=submit]")  # the box left unticked: the browser stops it
    expect(page.locator("form.action-advance :invalid")).not_to_have_count(0)  # why it stops
    assert page.locator("form.action-advance").count() == 1
    _tick_intake_outputs(page)
    click_and_wait(page, "form.action-advance button[type=submit]")
    assert len(posts) == 1, f"the unticked form was posted as well: {posts}"  # only the ticked one went

    next_name = workflow(TANGGAMUS).stage(str(INTAKE.next)).name
    expect(page.locator("body")).to_contain_text(f'Tiket {ticket.number} diteruskan ke tahap "{next_name}".')
    expect(page).to_have_url(re.compile(r"/antrian$"))  # the ticket left this officer's hands: back to the queue
    _look(page, artifacts, "antrian-tanpa-javascript")
    page.context.close()
    session.expire_all()
    stored = session.get(Ticket, ticket.id)
    assert stored is not None and stored.stage == INTAKE.next


def test_filters_sorting_and_keys_in_the_queue(browser, live_server, session: Session,  # type: ignore[no-untyped-def]
                                               artifacts: Path) -> None:
    make_staff(session, str(INTAKE.role))
    gisting = [make_ticket(session, kecamatan_code="180620") for _ in range(3)]
    kota_agung = make_ticket(session, kecamatan_code="180601")
    page = logged_in_page(browser, live_server.url, username_of(INTAKE.role))
    page.goto(f"{live_server.url}/antrian")
    _mark(page)
    rows = page.locator("tr.ticket-row")
    expect(rows).to_have_count(4)

    page.select_option("#kecamatan", "180620")  # no button pressed: the change alone updates the table
    expect(rows).to_have_count(3)
    expect(page).to_have_url(re.compile(r"kecamatan=180620"))
    assert kota_agung.number not in page.locator("#queue-results").inner_text()
    expect(page.locator("#queue-tabs a").first).to_have_attribute("href", re.compile("kecamatan=180620"))
    settled(page)  # the swapped-in sorting links are htmx's only from then on

    page.click("th.sortable a:has-text('Nomor')")  # ascending, then descending
    expect(page).to_have_url(re.compile(r"urut=nomor"))
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Nomor")
    settled(page)
    page.click("th.sortable a:has-text('Nomor')")
    expect(page).to_have_url(re.compile(r"arah=turun"))
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Nomor")
    numbers = [t.number for t in sorted(gisting, key=lambda t: t.number, reverse=True)]
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.number)") == numbers
    assert _same_page(page)
    _look(page, artifacts, "antrian-diurutkan")

    # Back to the ascending order, loaded again from the server (htmx keeps no copy of the page): wait for
    # that load, or the next key reaches a page whose scripts have not run yet.
    with page.expect_event("load"):
        page.go_back()
    expect(page).not_to_have_url(re.compile(r"arah=turun"))
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Nomor")

    page.keyboard.press("?")
    expect(page.locator("#keyboard-help")).to_be_visible()
    _look(page, artifacts, "antrian-bantuan-papan-ketik")
    page.keyboard.press("Escape")
    expect(page.locator("#keyboard-help")).to_be_hidden()

    page.keyboard.press("/")
    expect(page.locator("#q")).to_be_focused()
    page.keyboard.press("j")  # typed into the search box, not a move
    expect(page.locator("#q")).to_have_value("j")
    page.fill("#q", "")
    page.keyboard.press("Escape")

    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    second = rows.nth(1)
    expect(second).to_be_focused()
    outline = second.evaluate("r => getComputedStyle(r).outlineStyle")
    assert outline == "solid", "the row under the keyboard has no visible ring"
    wanted = second.get_attribute("data-number")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/tiket/{wanted}")
    page.context.close()
