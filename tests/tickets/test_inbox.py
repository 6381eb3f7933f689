"""The inbox and its badge, over HTTP with real logins: work arriving in my stages, a berita acara to sign,
overdue tickets for the section head, citizens waiting for a person, and no confidential filer's name."""

from __future__ import annotations

import re
from datetime import timedelta

import requests
from flask import current_app
from rq import Queue
from sqlmodel import Session

from berita_acara import handover
from berita_acara.stages import stages_of
from layanan.clock import utcnow
from routing import definitions_with, workflow
from routing.definition import RoleDuty
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import NIK, act_via_form, csrf_token, login, make_staff, make_ticket, valid_outputs
from tickets.access import duty_roles
from tickets.constants import Channel, Service
from tickets.sla_jobs import mark_overdue

_BADGE = re.compile(r'class="badge inbox-count">(\d+)')


def badge(http: requests.Session) -> int:
    """The number on the inbox badge of a back-office page (0 when the badge shows none)."""
    found = _BADGE.search(http.get("/kotak-masuk").text)
    return int(found.group(1)) if found else 0


def logged_in(live_server, username: str) -> requests.Session:  # type: ignore[no-untyped-def]
    from tests.conftest import _BaseUrlSession

    client = _BaseUrlSession(live_server.url)
    assert login(client, username).status_code == 200
    return client


def mark_read(http: requests.Session, kind: str, ref: str) -> requests.Response:
    page = http.get("/kotak-masuk")
    return http.post("/kotak-masuk/baca", data={"csrf_token": csrf_token(page.text), "kind": kind, "ref": ref})


def test_a_ticket_entering_a_stage_shows_for_that_stage_s_role_only(session: Session, live_server) -> None:  # type: ignore[no-untyped-def]
    definition = workflow(TANGGAMUS)
    first = definition.first_stage
    second = definition.next_stage(first.key)
    assert second is not None and second.role != first.role
    make_staff(session, first.role, username="penerima")
    make_staff(session, second.role, username="pengangkat")
    ticket = make_ticket(session)
    receiver, lifter = logged_in(live_server, "penerima"), logged_in(live_server, "pengangkat")

    page = receiver.get("/kotak-masuk").text
    assert f"{ticket.number} masuk tahap {first.name}" in page and "Siti Aminah" in page
    assert NIK not in page
    assert badge(receiver) == 1
    assert ticket.number not in lifter.get("/kotak-masuk").text and badge(lifter) == 0

    # The receiver passes it on: it leaves the receiver's inbox and arrives in the next role's.
    assert act_via_form(receiver, ticket.number, "claim").status_code == 200
    assert act_via_form(receiver, ticket.number, "advance", **valid_outputs(first)).status_code == 200
    assert badge(receiver) == 0
    assert f"{ticket.number} masuk tahap {second.name}" in lifter.get("/kotak-masuk").text
    assert badge(lifter) == 1

    # Marking it read lowers the badge; the page says nothing waits any more.
    assert mark_read(lifter, "work", str(ticket.id)).status_code == 200
    assert badge(lifter) == 0
    assert "Tidak ada yang menunggu Anda" in lifter.get("/kotak-masuk").text


def test_mark_all_read_clears_the_badge_until_new_work_arrives(session: Session, live_server) -> None:  # type: ignore[no-untyped-def]
    first = workflow(TANGGAMUS).first_stage
    make_staff(session, first.role, username="penerima")
    make_ticket(session)
    make_ticket(session)
    receiver = logged_in(live_server, "penerima")
    assert badge(receiver) == 2
    page = receiver.get("/kotak-masuk")
    assert receiver.post("/kotak-masuk/baca-semua", data={"csrf_token": csrf_token(page.text)}).status_code == 200
    assert badge(receiver) == 0
    later = make_ticket(session)
    assert badge(receiver) == 1 and later.number in receiver.get("/kotak-masuk").text


def test_a_berita_acara_to_sign_shows_for_the_signer_only(session: Session, live_server) -> None:  # type: ignore[no-untyped-def]
    chain = stages_of(TANGGAMUS)
    assert chain is not None
    make_staff(session, chain.signer_role, username="penanda-tangan")
    kasi = make_staff(session, chain.creator_role, username="pembuat-ba")
    make_ticket(session, stage=chain.handover.key)
    made = handover.create_berita_acara(session, kasi, "180601", current_app.config["BERITA_ACARA_NUMBER_FORMAT"])

    signer, creator = logged_in(live_server, "penanda-tangan"), logged_in(live_server, "pembuat-ba")
    page = signer.get("/kotak-masuk").text
    assert f"Berita acara {made.number} menunggu tanda tangan" in page and f"/berita-acara/{made.id}" in page
    assert badge(signer) >= 1
    assert made.number not in creator.get("/kotak-masuk").text


def test_an_overdue_ticket_shows_for_the_section_head(session: Session, live_server, redis, run_jobs) -> None:  # type: ignore[no-untyped-def]
    definition = workflow(TANGGAMUS)
    stage = definition.first_stage
    head = definition.section_head_for(stage.key)
    assert head in definition.roles_for(RoleDuty.SUPERVISE) and head != stage.role
    make_staff(session, head, username="kepala-seksi")
    make_staff(session, stage.role, username="penerima")
    ticket = make_ticket(session, due_at=utcnow() - timedelta(hours=3))

    Queue("default", connection=redis).enqueue(mark_overdue)
    run_jobs()

    chief, receiver = logged_in(live_server, "kepala-seksi"), logged_in(live_server, "penerima")
    page = chief.get("/kotak-masuk").text
    assert f"{ticket.number} lewat mutu baku di tahap {stage.name}" in page and "3 jam lalu" in page
    assert badge(chief) == 1
    assert "lewat mutu baku" not in receiver.get("/kotak-masuk").text
    assert mark_read(chief, "overdue", str(ticket.id)).status_code == 200
    assert badge(chief) == 0


def test_a_citizen_asking_for_a_person_shows_for_the_help_desk(session: Session, live_server, phone) -> None:  # type: ignore[no-untyped-def]
    answering = duty_roles(RoleDuty.ANSWER_CITIZENS)[0]
    others = [r.key for r in workflow(TANGGAMUS).roles if r.key not in duty_roles(RoleDuty.ANSWER_CITIZENS)]
    make_staff(session, answering, username="petugas-bantuan")
    make_staff(session, others[0], username="lainnya")
    phone.say("halo")
    phone.say("bantuan")

    desk, other = logged_in(live_server, "petugas-bantuan"), logged_in(live_server, "lainnya")
    page = desk.get("/kotak-masuk").text
    ending = phone.number[-4:]
    assert f"Warga (nomor …{ending}) meminta bicara dengan petugas" in page
    assert badge(desk) >= 1
    assert "meminta bicara dengan petugas" not in other.get("/kotak-masuk").text


def test_a_confidential_complaint_shows_no_name(session: Session, live_server) -> None:  # type: ignore[no-untyped-def]
    complaints = next(d for d in definitions_with(RoleDuty.SEE_PROTECTED_IDENTITY))
    stage = complaints.first_stage
    make_staff(session, stage.role, username="triase")
    ticket = make_ticket(session, service=Service.PENGADUAN, channel=Channel.WHATSAPP, name="Bambang Rahasia",
                         workflow=complaints.key, stage=stage.key, confidential=True)
    page = logged_in(live_server, "triase").get("/kotak-masuk").text
    assert f"{ticket.number} masuk tahap {stage.name}" in page
    assert "Bambang" not in page and NIK not in page
    assert f"Pelapor rahasia ({ticket.number})" in page


def test_the_badge_stops_counting_at_99(session: Session, live_server) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, workflow(TANGGAMUS).first_stage.role, username="penerima")
    for n in range(100):
        make_ticket(session, phone=f"+62812345{n:05d}")
    receiver = logged_in(live_server, "penerima")
    assert 'class="badge inbox-count">99+<' in receiver.get("/antrian").text
    assert "Pekerjaan baru di tahap Anda <span class=\"badge\">100</span>" in receiver.get("/kotak-masuk").text


def test_a_document_to_sign_shows_once_for_the_signer(session: Session, live_server) -> None:  # type: ignore[no-untyped-def]
    from pdf_delivery.documents import signing_stage_keys, upload_document
    from routing.definition import OutputSource
    from tests.support.documents import document_pdf

    definition = workflow(TANGGAMUS)
    upload = next(s for s in definition.chain if any(o.source is OutputSource.DOCUMENT for o in s.outputs))
    signing = signing_stage_keys(TANGGAMUS)[0]
    signer_role = definition.role_for(RoleDuty.SIGN)
    assert definition.stage(signing).role == signer_role  # its arrival would count as new work too
    make_staff(session, signer_role, username="penanda-tangan")
    operator = make_staff(session, upload.role, username="operator")
    ticket = make_ticket(session, stage=upload.key)
    upload_document(session, current_app.config, ticket, operator, document_pdf())
    ticket.stage, ticket.stage_entered_at = signing, utcnow()
    session.add(ticket)
    session.commit()

    signer = logged_in(live_server, "penanda-tangan")
    page = signer.get("/kotak-masuk").text
    assert f"Dokumen tiket {ticket.number} menunggu TTE" in page and "/tte" in page
    assert "masuk tahap" not in page and badge(signer) == 1  # told once, as a signature to give
