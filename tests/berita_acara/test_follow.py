"""Tickets advanced from their own pages take their berita acara along: paper and tickets agree."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session

from berita_acara import handover
from berita_acara.document import sign
from berita_acara.models import BeritaAcara, BeritaAcaraItem, BeritaAcaraStatus
from berita_acara.stages import handover_stages
from pdf_delivery.certificates import create_demo_certificate
from routing import workflow
from routing.definition import Action, Stage
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import make_staff, make_ticket
from tickets.models import Ticket
from tickets.staff import StaffUser
from tickets.workflow_service import act

PASSPHRASE = "tte-rahasia-uji"
CHAIN = handover_stages(workflow(TANGGAMUS))


@pytest.fixture
def people(session: Session) -> dict[str, StaffUser]:
    return {
        "kasi": make_staff(session, CHAIN.creator_role),
        "kadis": make_staff(session, CHAIN.signer_role),
        "courier": make_staff(session, CHAIN.courier_role),
        "upt": make_staff(session, CHAIN.upt_role, kecamatan_code="180601"),
    }


@pytest.fixture
def signed(app: Flask, session: Session, people: dict[str, StaffUser]) -> tuple[BeritaAcara, list[Ticket]]:
    """A signed berita acara listing two tickets."""
    tickets = [make_ticket(session, kecamatan_code="180601", stage=CHAIN.handover.key) for _ in range(2)]
    made = handover.create_berita_acara(session, people["kasi"], "180601", app.config["BERITA_ACARA_NUMBER_FORMAT"])
    create_demo_certificate(app.config, PASSPHRASE)
    sign(session, made, people["kadis"], PASSPHRASE, app.config, "http://localhost/berita-acara/1")
    return made, tickets


def advance(session: Session, ticket: Ticket, officer: StaffUser, stage: Stage) -> None:
    """What the officer does on the ticket page: claim, tick the stage's checks, advance."""
    ticket = session.get(Ticket, ticket.id)  # type: ignore[assignment]
    roles = set(officer.roles)
    ticket, _, _ = act(session, ticket, Action.CLAIM, actor_id=officer.id, actor_roles=roles,
                       expected_version=ticket.version)
    act(session, ticket, Action.ADVANCE, actor_id=officer.id, actor_roles=roles, expected_version=ticket.version,
        payload={"outputs": handover.stage_confirmations(stage)})


def state(session: Session, made: BeritaAcara) -> dict[str, Any]:
    session.expire_all()
    fresh = session.get(BeritaAcara, made.id)
    assert fresh is not None
    return {"status": fresh.status, "courier_id": fresh.courier_id,
            "received": [i.received for i in handover.items_of(session, fresh)]}


def test_the_berita_acara_moves_once_all_its_tickets_have(session: Session, people: dict[str, StaffUser],
                                                          signed: tuple[BeritaAcara, list[Ticket]]) -> None:
    made, (first, second) = signed
    advance(session, first, people["kasi"], CHAIN.handover)
    assert state(session, made)["status"] == BeritaAcaraStatus.SIGNED  # one of two papers left: not yet
    advance(session, second, people["kasi"], CHAIN.handover)
    assert state(session, made) == {"status": BeritaAcaraStatus.IN_TRANSIT, "courier_id": None,
                                    "received": [None, None]}

    for ticket in (first, second):
        advance(session, ticket, people["courier"], CHAIN.courier)
    assert state(session, made)["status"] == BeritaAcaraStatus.DELIVERED

    advance(session, first, people["upt"], CHAIN.upt)
    assert state(session, made)["received"] == [True, None]
    advance(session, second, people["upt"], CHAIN.upt)
    assert state(session, made)["status"] == BeritaAcaraStatus.RECEIVED_COMPLETE
    fresh = session.get(BeritaAcara, made.id)
    assert fresh is not None and fresh.received_by_id == people["upt"].id


def test_the_berita_acara_page_takes_over_where_the_ticket_pages_stopped(
        session: Session, people: dict[str, StaffUser], signed: tuple[BeritaAcara, list[Ticket]]) -> None:
    made, (first, second) = signed
    for ticket in (first, second):
        advance(session, ticket, people["kasi"], CHAIN.handover)
    advance(session, first, people["courier"], CHAIN.courier)
    # No courier was named on the paper: the one who carries it records the delivery for the rest.
    handover.record_delivery(session, session.get(BeritaAcara, made.id), people["courier"])  # type: ignore[arg-type]
    assert state(session, made)["courier_id"] == people["courier"].id
    assert [session.get(Ticket, t.id).stage for t in (first, second)] == [CHAIN.upt.key] * 2  # type: ignore[union-attr]

    items = handover.items_of(session, made)
    handover.confirm_receipt(session, session.get(BeritaAcara, made.id), people["upt"], {items[0].id},  # type: ignore[arg-type]
                             {items[1].id: "Tertinggal di kantor"})
    assert state(session, made)["status"] == BeritaAcaraStatus.RECEIVED_WITH_DISCREPANCIES
    advance(session, second, people["upt"], CHAIN.upt)  # the late berkas, passed on from its ticket page
    after = state(session, made)
    assert after["status"] == BeritaAcaraStatus.RECEIVED_COMPLETE and after["received"] == [True, True]
    late = session.get(BeritaAcaraItem, items[1].id)
    assert late is not None and "diterima susulan" in (late.missing_note or "")


def test_a_returned_ticket_does_not_move_the_berita_acara(session: Session, people: dict[str, StaffUser],
                                                          signed: tuple[BeritaAcara, list[Ticket]]) -> None:
    made, (first, second) = signed
    advance(session, first, people["kasi"], CHAIN.handover)
    kasi = people["kasi"]
    ticket = session.get(Ticket, second.id)
    assert ticket is not None
    ticket, _, _ = act(session, ticket, Action.CLAIM, actor_id=kasi.id, actor_roles=set(kasi.roles),
                       expected_version=ticket.version)
    act(session, ticket, Action.RETURN_, actor_id=kasi.id, actor_roles=set(kasi.roles),
        expected_version=ticket.version, payload={"reason": "PDF belum sampai ke pemohon"})
    assert state(session, made)["status"] == BeritaAcaraStatus.SIGNED
