"""One truth for the handover: a listed ticket leaves the berita acara, courier and UPT stages only with
its berita acara, so an archived ticket's berita acara names its courier and the UPT that received it."""

from __future__ import annotations

import re
from html import unescape

import pytest
import requests
from flask import Flask
from sqlmodel import Session, select

from berita_acara import document, handover
from berita_acara.models import BeritaAcara, BeritaAcaraItem, BeritaAcaraStatus
from berita_acara.stages import handover_stages
from pdf_delivery.certificates import create_demo_certificate
from routing import workflow
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import act_via_form, csrf_token, login, make_staff, make_ticket, valid_outputs
from tickets.models import StageEvent, Ticket
from tickets.staff import StaffUser

PASSPHRASE = "tte-rahasia-uji"
DEFINITION = workflow(TANGGAMUS)
CHAIN = handover_stages(DEFINITION)


def username(role: str) -> str:
    return role.replace("_", "-")


@pytest.fixture
def people(session: Session) -> dict[str, StaffUser]:
    after = CHAIN.after_upt
    archive = DEFINITION.next_stage(after.key)
    assert archive is not None
    return {
        "kasi": make_staff(session, CHAIN.creator_role, full_name="Rina Kasi Inovasi"),
        "kadis": make_staff(session, CHAIN.signer_role, full_name="Drs. Hendra Kadis"),
        "courier": make_staff(session, CHAIN.courier_role, full_name="Budi Kurir"),
        "upt": make_staff(session, CHAIN.upt_role, kecamatan_code="180601", full_name="Sari UPT Kota Agung"),
        "pickup": make_staff(session, str(after.role)),
        "archivist": make_staff(session, str(archive.role)),
    }


def switch(http: requests.Session, who: str) -> None:
    http.cookies.clear()
    login(http, who)


def page_post(http: requests.Session, page: str, action: str, **data: object) -> requests.Response:
    return http.post(action, data={"csrf_token": csrf_token(http.get(page).text), **data})


def stage_of(session: Session, ticket: Ticket) -> str:
    session.expire_all()
    return session.get(Ticket, ticket.id).stage  # type: ignore[union-attr]


def assert_points_to_the_berita_acara(http: requests.Session, session: Session, ticket: Ticket,
                                      berita_acara: BeritaAcara) -> None:
    """The ticket page links to its berita acara and offers its step there, not a "Teruskan" of its own; a
    forged advance is refused naming the berita acara, and the ticket stays."""
    act_via_form(http, ticket.number, "claim")
    page = http.get(f"/tiket/{ticket.number}").text
    link = f'href="/berita-acara/{berita_acara.id}"'
    assert re.search(rf'class="berita-acara-link" {link}', page), "no link to the berita acara"
    assert 'class="action-advance"' not in page
    pointer = page[page.index('class="advance-elsewhere"'):]
    assert link in pointer[:800]
    before = stage_of(session, ticket)
    refused = act_via_form(http, ticket.number, "advance", **valid_outputs(DEFINITION.stage(before)))
    assert refused.history[0].status_code == 303 and berita_acara.number in unescape(refused.text)
    assert stage_of(session, ticket) == before


def test_a_ticket_archived_through_its_berita_acara_leaves_both_records_agreeing(
        app: Flask, session: Session, http: requests.Session, people: dict[str, StaffUser]) -> None:
    tickets = [make_ticket(session, kecamatan_code="180601", stage=CHAIN.handover.key) for _ in range(2)]
    unlisted = make_ticket(session, kecamatan_code="180602", stage=CHAIN.handover.key)
    made = handover.create_berita_acara(session, people["kasi"], "180601", app.config["BERITA_ACARA_NUMBER_FORMAT"])
    create_demo_certificate(app.config, PASSPHRASE)
    document.sign(session, made, people["kadis"], PASSPHRASE, app.config)
    page = f"/berita-acara/{made.id}"

    switch(http, username(CHAIN.creator_role))
    assert_points_to_the_berita_acara(http, session, tickets[0], made)
    act_via_form(http, unlisted.number, "claim")
    assert 'href="/berita-acara/"' in http.get(f"/tiket/{unlisted.number}").text  # draw one up first
    page_post(http, page, f"{page}/serahkan-ke-kurir", kurir=people["courier"].id)

    switch(http, username(CHAIN.courier_role))
    assert_points_to_the_berita_acara(http, session, tickets[0], made)
    page_post(http, page, f"{page}/diserahkan-ke-upt")

    switch(http, username(CHAIN.upt_role))
    assert_points_to_the_berita_acara(http, session, tickets[1], made)
    items = session.exec(select(BeritaAcaraItem).order_by(BeritaAcaraItem.position)).all()
    page_post(http, page, f"{page}/terima", ada=[str(i.id) for i in items])
    assert [stage_of(session, t) for t in tickets] == [CHAIN.after_upt.key] * 2

    for role in (people["pickup"].roles[0], people["archivist"].roles[0]):  # the rest on the ticket page
        switch(http, username(role))
        stage = DEFINITION.stage(stage_of(session, tickets[0]))
        act_via_form(http, tickets[0].number, "claim")
        act_via_form(http, tickets[0].number, "advance", **valid_outputs(stage))
    assert stage_of(session, tickets[0]) == DEFINITION.done_stage.key

    shown = unescape(http.get(f"/tiket/{tickets[0].number}").text)  # the archivist opens the archived ticket
    assert made.number in shown[shown.index('id="berita-acara"'):][:600]
    switch(http, username(CHAIN.creator_role))
    paper = unescape(http.get(page).text)
    assert 'data-status="received_complete"' in paper
    facts = paper[paper.index("<dt>Kurir</dt>"):paper.index("</dl>")]
    assert "Budi Kurir, berangkat" in facts and "diserahkan ke UPT" in facts and "Sari UPT Kota Agung," in facts
    session.expire_all()
    fresh = session.get(BeritaAcara, made.id)
    assert fresh is not None and fresh.status == BeritaAcaraStatus.RECEIVED_COMPLETE
    assert (fresh.courier_id, fresh.received_by_id) == (people["courier"].id, people["upt"].id)
    moved_by = [e.actor_id for e in session.exec(select(StageEvent).where(
        StageEvent.ticket_id == tickets[0].id, StageEvent.action == "advance").order_by(StageEvent.id))]
    assert moved_by[:3] == [people["kasi"].id, people["courier"].id, people["upt"].id]
