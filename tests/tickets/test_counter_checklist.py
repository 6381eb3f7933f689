"""The registration counter's checklist: one box per document the ticket's service requires, the stage left
only when each is ticked (or a conditional one is not needed), what was ticked kept on an error and stored
with who ticked it."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect
from sqlmodel import Session, select

from routing import workflow
from routing.definition import FieldType
from tests.support.browser import claim_in_place, logged_in_page
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import act_via_form, login, make_staff, make_ticket
from tickets.constants import Service
from tickets.models import StageEvent, Ticket

DEFINITION = workflow(TANGGAMUS)
COUNTER = "counter_registration"
SPEC = next(o for o in DEFINITION.stage(COUNTER).outputs if o.type is FieldType.CHECKLIST)
NAME = "isian-" + SPEC.key


def documents(service: Service) -> list:  # type: ignore[type-arg]
    return list(DEFINITION.checklist_items(SPEC, service))


def boxes(html: str) -> dict[str, str]:
    """The checklist's boxes on a page: item key -> its label, in page order."""
    return dict(re.findall(rf'<input type="checkbox" id="{NAME}-[a-z_]+" name="{NAME}" value="([a-z_]+)"[^>]*>\s*'
                           rf'<label for="[^"]+">([^<]+)</label>', html))


def ticked(html: str) -> set[str]:
    return set(re.findall(rf'name="{NAME}" value="([a-z_]+)" checked', html))


def at_counter(session: Session, service: Service) -> Ticket:
    return make_ticket(session, service=service, stage=COUNTER)


def test_the_counter_sees_the_documents_of_the_tickets_service(http, session: Session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "registration_counter")
    kk, akta = at_counter(session, Service.KK), at_counter(session, Service.AKTA_KELAHIRAN)
    login(http, "registration-counter")

    kk_page = act_via_form(http, kk.number, "claim").text
    akta_page = act_via_form(http, akta.number, "claim").text

    assert boxes(kk_page) == {d.key: d.label for d in documents(Service.KK)}
    assert boxes(akta_page) == {d.key: d.label for d in documents(Service.AKTA_KELAHIRAN)}
    assert boxes(kk_page) != boxes(akta_page)
    assert "Surat keterangan lahir dari RS/puskesmas/bidan" in akta_page and "Surat keterangan lahir" not in kk_page
    assert 'value="ask_citizen"' in kk_page  # "minta kelengkapan" stays at hand for what is missing


def test_the_stage_is_left_only_with_every_document_ticked_and_what_was_ticked_is_kept(http, session: Session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "registration_counter")
    ticket = at_counter(session, Service.AKTA_KEMATIAN)  # every one of its documents is required
    login(http, "registration-counter")
    act_via_form(http, ticket.number, "claim")
    first, *others = documents(Service.AKTA_KEMATIAN)
    missing = others[-1]
    checked = [first.key, *(d.key for d in others[:-1])]

    refused = act_via_form(http, ticket.number, "advance", **{
        NAME: checked, f"{NAME}-{missing.key}-hasil": "tidak_ada", f"{NAME}-{missing.key}-alasan": "foto buram",
        "isian-nomor_wa_sesuai": "on"})

    assert ticked(refused.text) == set(checked)  # nothing ticked is lost
    item = re.search(rf'<li class="checklist-item has-error" data-item="{missing.key}">(.*?)</li>', refused.text, re.S)
    assert item is not None, "the error is not beside the unticked document"
    assert 'value="foto buram"' in item.group(1) and '<option value="tidak_ada" selected>' in item.group(1)
    assert "tidak ada (foto buram): minta dokumen ini ke pemohon" in item.group(1)
    assert f"1 dari {len(others) + 1} dokumen belum sesuai" in refused.text
    session.expire_all()
    assert session.get(Ticket, ticket.id).stage == COUNTER

    # Not needed is only for a document that applies to some requests.
    refused = act_via_form(http, ticket.number, "advance", **{
        NAME: checked, f"{NAME}-{missing.key}-hasil": "tidak_perlu", "isian-nomor_wa_sesuai": "on"})
    assert "wajib untuk layanan ini" in refused.text

    done = act_via_form(http, ticket.number, "advance", **{NAME: [*checked, missing.key], "isian-nomor_wa_sesuai": "on"})
    assert done.status_code in (200, 303)
    session.expire_all()
    stored = session.get(Ticket, ticket.id)
    assert stored.stage == DEFINITION.stage(COUNTER).next
    assert stored.outputs[SPEC.key] == {d.label: "sesuai" for d in documents(Service.AKTA_KEMATIAN)}
    event = session.exec(select(StageEvent).where(StageEvent.ticket_id == ticket.id, StageEvent.action == "advance",
                                                  StageEvent.from_stage == COUNTER)).one()
    assert event.data[SPEC.key] == stored.outputs[SPEC.key] and event.actor_id is not None  # who, and when


def test_a_conditional_document_may_be_marked_not_needed(http, session: Session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "registration_counter")
    ticket = at_counter(session, Service.KTP_EL)
    login(http, "registration-counter")
    act_via_form(http, ticket.number, "claim")
    required = [d for d in documents(Service.KTP_EL) if not d.conditional]
    optional = [d for d in documents(Service.KTP_EL) if d.conditional]
    unticked = act_via_form(http, ticket.number, "advance", **{NAME: [d.key for d in required],
                                                              "isian-nomor_wa_sesuai": "on"})
    assert "belum dicentang" in unticked.text

    marks = {f"{NAME}-{d.key}-hasil": "tidak_perlu" for d in optional}
    done = act_via_form(http, ticket.number, "advance", **{NAME: [d.key for d in required], **marks,
                                                          "isian-nomor_wa_sesuai": "on"})

    assert done.status_code in (200, 303)
    session.expire_all()
    outputs = session.get(Ticket, ticket.id).outputs[SPEC.key]
    assert outputs == {**{d.label: "sesuai" for d in required}, **{d.label: "tidak diperlukan" for d in optional}}
    page = http.get(f"/tiket/{ticket.number}").text
    assert f"{required[0].label}: sesuai" in page  # the stage entries read as words, not as data


def test_the_counters_action_panel_in_a_browser(browser, live_server, session: Session, artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "registration_counter")
    ticket = at_counter(session, Service.KK)
    page = logged_in_page(browser, live_server.url, "registration-counter")
    page.goto(f"{live_server.url}/tiket/{ticket.number}")
    claim_in_place(page, ticket.number)
    first = documents(Service.KK)[0]
    page.check(f"#{NAME}-{first.key}")
    page.select_option(f"#{NAME}-{documents(Service.KK)[1].key}-hasil", "tidak_sesuai")
    page.fill(f"#{NAME}-{documents(Service.KK)[1].key}-alasan", "nama berbeda dengan KTP-el")
    page.check("#isian-nomor_wa_sesuai")
    page.click("form.action-advance button[type=submit]")

    expect(page.locator(f"li.checklist-item.has-error[data-item='{documents(Service.KK)[1].key}']")).to_be_visible()
    expect(page.locator(f"#{NAME}-{first.key}")).to_be_checked()
    page.locator("#tindakan").screenshot(path=str(artifacts / "loket-daftar-periksa-1280.png"))
    page.set_viewport_size({"width": 360, "height": 740})
    page.locator("#tindakan").screenshot(path=str(artifacts / "loket-daftar-periksa-360.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.context.close()
