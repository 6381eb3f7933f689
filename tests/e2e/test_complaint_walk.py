"""One complaint from WhatsApp to closed in a real Chromium: the citizen files it in the simulator (category,
what happened, kecamatan, no related ticket, confidential), the handler triages and disposes it from the
complaint queue, the unit writes the answer with a canned answer, the approver approves, the citizen reads
the answer and says it is solved. Screenshots of the queue and the complaint page at 360 and 1280 px."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect
from sqlmodel import select

from complaints.models import CannedAnswer
from routing.definition import OutputMeaning, StageDuty
from tests.complaints.conftest import COMPLAINT_SOP
from tests.support.browser import claim_in_place, click_and_wait, logged_in_page, username_of
from tests.tickets.conftest import make_staff
from routing import workflow
from tickets.models import Ticket

CITIZEN = "081298765432"
CANNED = "Terima kasih atas laporan Anda. Petugas yang bersangkutan sudah kami tegur dan layanan kami perbaiki."


def test_a_complaint_from_whatsapp_to_closed_in_chromium(browser, live_server, session, run_jobs,  # type: ignore[no-untyped-def]
                                                          artifacts: Path) -> None:
    definition = workflow(COMPLAINT_SOP)
    for role in dict.fromkeys(s.role for s in definition.chain if s.role):
        make_staff(session, role, full_name=f"Demo {definition.role(role).name}")
    session.add(CannedAnswer(title="Teguran petugas", body=CANNED))
    session.commit()
    base = live_server.url
    answer_stage = definition.stage_for(StageDuty.ANSWER)
    triage, disposition = definition.chain[0], definition.chain[1]

    simulator = logged_in_page(browser, base, username_of(triage.role))
    number = _citizen_files(simulator, base)
    ticket = session.exec(select(Ticket).where(Ticket.number == number)).one()
    assert ticket.confidential

    # Triage: the citizen's category is already chosen; the handler sees a pseudonym, never the filer.
    page = logged_in_page(browser, base, username_of(triage.role))
    page.goto(f"{base}/pengaduan/")
    page.screenshot(path=str(artifacts / "pengaduan-antrian-1280.png"), full_page=True)
    click_and_wait(page, f"text={number}")  # htmx takes over the page's forms once it has loaded
    expect(page.locator("body")).to_contain_text("Pelapor rahasia")
    assert CITIZEN[-8:] not in page.content()
    category = definition.output_meaning(OutputMeaning.CATEGORY)
    claim_in_place(page, number)
    expect(page.locator(f"#isian-{category.key}")).to_have_value(category.options[1])
    _claim_and_advance(page, number, {definition.output_meaning(OutputMeaning.COMPLAINT_CLASS).key: 0,
                                      definition.output_meaning(OutputMeaning.PRIORITY).key: 1}, claim=False)
    unit = definition.output_meaning(OutputMeaning.UNIT)
    _claim_and_advance(page, number, {unit.key: 0})
    page.context.close()

    # The unit finds it under its tab, puts the canned answer in and sends it for approval.
    page = logged_in_page(browser, base, username_of(answer_stage.role), width=360)
    page.goto(f"{base}/pengaduan/")
    click_and_wait(page, f"text={unit.options[0]}")
    page.screenshot(path=str(artifacts / "pengaduan-antrian-unit-360.png"), full_page=True)
    click_and_wait(page, f"text={number}")  # htmx takes over the page's forms once it has loaded
    claim_in_place(page, number)
    page.click("#jawaban-baku summary")
    page.click("#jawaban-baku .canned-use")
    answer = answer_stage.outputs[0]
    expect(page.locator(f"#isian-{answer.key}")).to_have_value(CANNED)
    page.screenshot(path=str(artifacts / "pengaduan-tiket-jawaban-360.png"), full_page=True)
    page.click("form.action-advance button[type=submit]")
    expect(page.locator("#action-notice")).to_contain_text("diteruskan")  # the panel is swapped in place
    page.context.close()

    approval = definition.stage(str(answer_stage.next))
    page = logged_in_page(browser, base, username_of(approval.role))
    page.goto(f"{base}/tiket/{number}")
    _claim_and_advance(page, number, {})
    page.context.close()
    run_jobs()  # the milestone job sends the approved answer

    simulator.reload()  # the answer is in the chat
    expect(simulator.locator("body")).to_contain_text(CANNED)
    _say(simulator, "sudah, terima kasih")
    expect(simulator.locator("body")).to_contain_text("selesai")
    simulator.screenshot(path=str(artifacts / "pengaduan-simulator-selesai.png"), full_page=True)
    simulator.context.close()

    session.expire_all()
    assert session.get(Ticket, ticket.id).stage == definition.done_stage.key
    page = logged_in_page(browser, base, username_of(triage.role))
    page.goto(f"{base}/tiket/{number}")
    expect(page.locator("body")).to_contain_text("Selesai")
    page.screenshot(path=str(artifacts / "pengaduan-tiket-selesai-1280.png"), full_page=True)
    page.context.close()


def _citizen_files(page, base: str) -> str:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/simulator/")
    page.fill("#new-phone", CITIZEN)
    click_and_wait(page, "form.start button[type=submit]")
    for text in ("halo", "3", "2", "Petugas loket minta uang Rp50.000 supaya KTP cepat jadi.",
                 "kota agung", "lewati", "selesai", "ya", "ya"):
        _say(page, text)
    found = re.findall(r"PGD-\d{4}-\d{6}", page.content())
    assert found, "the bot did not answer with a complaint number"
    return found[-1]


def _say(page, text: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("form.send textarea", text)
    click_and_wait(page, "form.send button[type=submit]")


def _claim_and_advance(page, number: str, choices: dict[str, int], *,  # type: ignore[no-untyped-def]
                       claim: bool = True) -> None:
    """Claim the ticket on its page and advance it, choosing the given option (by index) of each choice."""
    if claim:
        claim_in_place(page, number)  # claiming swaps the action panel in place
    expect(page.locator("form.action-advance")).to_be_visible()
    for key, index in choices.items():
        options = page.locator(f"#isian-{key} option").all_inner_texts()[1:]  # the first is "— pilih —"
        page.select_option(f"#isian-{key}", options[index])
    for check in page.locator("form.action-advance input[type=checkbox]").all():
        check.check()
    page.click("form.action-advance button[type=submit]")
    expect(page.locator("#action-notice")).to_contain_text(f"Tiket {number} diteruskan")
