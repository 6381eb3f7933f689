"""The berita acara from drafting to the UPT's check, through the real pages, plus the pick-up and archive."""

from __future__ import annotations

import re

import pytest
import requests
from flask import Flask
from sqlmodel import Session, select

from berita_acara import handover
from berita_acara.document import build_document, sign
from berita_acara.handover import HandoverError
from berita_acara.models import BeritaAcara, BeritaAcaraItem, BeritaAcaraStatus
from berita_acara.render import berita_acara_pdf
from berita_acara.stages import HandoverStages, handover_stages
from pdf_delivery.certificates import create_demo_certificate
from pdf_delivery.signing import verify_pdf
from routing import workflow
from routing.definition import Action
from routing.engine import TransitionError
from tests.berita_acara.conftest import pdf_text, save_artifact
from tests.tickets.conftest import csrf_token, login, make_staff, make_ticket
from tickets.models import StageEvent, Ticket
from layanan.clock import office_year
from layanan.clock import utcnow
from tickets.workflow_service import act
from tests.support.workflows import TANGGAMUS

PASSPHRASE = "tte-rahasia-uji"


def tanggamus() -> HandoverStages:
    return handover_stages(workflow(TANGGAMUS))


@pytest.fixture
def people(session: Session) -> dict:
    return {
        "kasi": make_staff(session, "kasi_inovasi", full_name="Rina Kasi Inovasi"),
        "kadis": make_staff(session, "kepala_dinas", full_name="Drs. Hendra Kadis"),
        "courier": make_staff(session, "courier_officer", full_name="Budi Kurir"),
        "upt": make_staff(session, "upt_officer", kecamatan_code="180601", full_name="Sari UPT Kota Agung"),
        "upt_other": make_staff(session, "upt_officer", username="upt-talang", kecamatan_code="180602"),
    }


def at_handover(session: Session, count: int, kecamatan: str = "180601") -> list[Ticket]:
    stage = tanggamus().handover.key
    return [make_ticket(session, kecamatan_code=kecamatan, name=f"Pemohon {kecamatan} {i}", stage=stage)
            for i in range(count)]


def post(http: requests.Session, page: str, action: str, **data: str) -> requests.Response:
    token = csrf_token(http.get(page).text)
    return http.post(action, data={"csrf_token": token, **data})


def stages_of(session: Session, tickets: list[Ticket]) -> list[str]:
    session.expire_all()
    return [session.get(Ticket, t.id).stage for t in tickets]  # type: ignore[union-attr]


def test_sorting_records_the_kecamatan_on_the_ticket(session: Session) -> None:
    sorter = make_staff(session, "sorter")
    ticket = make_ticket(session, kecamatan_code=None, stage=tanggamus().sorting.key)
    roles = set(sorter.roles)
    ticket, _, _ = act(session, ticket, Action.CLAIM, actor_id=sorter.id, actor_roles=roles,
                       expected_version=ticket.version)
    with pytest.raises(TransitionError, match="tidak ada dalam daftar kecamatan"):
        act(session, ticket, Action.ADVANCE, actor_id=sorter.id, actor_roles=roles, expected_version=ticket.version,
            payload={"outputs": {"kode_kecamatan": "180699"}})
    act(session, ticket, Action.ADVANCE, actor_id=sorter.id, actor_roles=roles, expected_version=ticket.version,
        payload={"outputs": {"kode_kecamatan": "180620"}})
    assert ticket.kecamatan_code == "180620"


def test_whole_handover_through_the_pages(app: Flask, session: Session, http: requests.Session,
                                          people: dict, run_jobs) -> None:  # type: ignore[no-untyped-def]
    tickets = at_handover(session, 3)
    elsewhere = at_handover(session, 2, "180602")
    stages = tanggamus()

    login(http, "kasi-inovasi")
    index = http.get("/berita-acara/")
    assert 'data-kecamatan="180601"' in index.text and 'data-kecamatan="180602"' in index.text
    made = post(http, "/berita-acara/", "/berita-acara/buat", kecamatan="180601")
    assert "dibuat dengan status konsep" in made.text
    berita_acara = session.exec(select(BeritaAcara)).one()
    year = office_year(utcnow())
    assert berita_acara.number == f"470/001/BA-UPT/Disdukcapil/{year}"
    page = f"/berita-acara/{berita_acara.id}"

    # Unsigned: the courier cannot take it, and the tickets stay where they are.
    refused = post(http, page, f"{page}/serahkan-ke-kurir", kurir=str(people["courier"].id))
    assert "belum ditandatangani Kepala Dinas" in refused.text
    assert stages_of(session, tickets) == [stages.handover.key] * 3

    assert http.get(f"{page}/berita-acara.pdf").status_code == 202  # rendered by the worker
    run_jobs()
    draft = http.get(f"{page}/berita-acara.pdf")
    assert draft.headers["Content-Type"] == "application/pdf"
    assert draft.headers["Content-Disposition"].startswith("attachment;")  # saved, never shown in the browser
    text = pdf_text(draft.content)
    assert "Pada hari ini" in text and berita_acara.number in text and "KONSEP" in text
    assert all(t.number in text for t in tickets) and not any(t.number in text for t in elsewhere)
    assert "1806014505900001" not in text and "1806****" in text  # NIK masked on paper
    save_artifact("berita-acara-konsep", draft.content)

    http.post("/keluar", data={"csrf_token": csrf_token(http.get(page).text)})
    login(http, "kepala-dinas")
    create_demo_certificate(app.config, PASSPHRASE)
    wrong = post(http, page, f"{page}/tandatangani", passphrase="salah")
    assert "Passphrase TTE salah" in wrong.text
    signed = post(http, page, f"{page}/tandatangani", passphrase=PASSPHRASE)
    assert 'data-status="signed"' in signed.text
    signed_pdf = http.get(f"{page}/berita-acara.pdf").content
    check = verify_pdf(signed_pdf)
    assert check.intact, check.problem
    assert check.signer_name
    assert "KONSEP" not in pdf_text(signed_pdf) and "Drs. Hendra Kadis" in pdf_text(signed_pdf)
    save_artifact("berita-acara-ditandatangani", signed_pdf)

    http.post("/keluar", data={"csrf_token": csrf_token(http.get(page).text)})
    login(http, "kasi-inovasi")
    sent = post(http, page, f"{page}/serahkan-ke-kurir", kurir=str(people["courier"].id))
    assert 'data-status="in_transit"' in sent.text
    assert stages_of(session, tickets) == [stages.courier.key] * 3
    assert {session.get(Ticket, t.id).outputs["nomor_berita_acara"] for t in tickets} == {berita_acara.number}

    http.post("/keluar", data={"csrf_token": csrf_token(http.get(page).text)})
    login(http, "courier-officer")
    delivered = post(http, page, f"{page}/diserahkan-ke-upt")
    assert 'data-status="delivered"' in delivered.text
    assert stages_of(session, tickets) == [stages.upt.key] * 3

    http.post("/keluar", data={"csrf_token": csrf_token(http.get(page).text)})
    login(http, "upt-officer")
    items = session.exec(select(BeritaAcaraItem).order_by(BeritaAcaraItem.position)).all()
    found = [str(items[0].id), str(items[1].id)]
    missing = post(http, page, f"{page}/terima", ada=found)  # type: ignore[arg-type]
    assert "Tulis keterangan untuk setiap berkas yang tidak ada" in missing.text
    token = csrf_token(http.get(page).text)
    checked = http.post(f"{page}/terima", data={"csrf_token": token, "ada": found,
                                                f"catatan-{items[2].id}": "Tidak ada dalam map kiriman"})
    assert 'data-status="received_with_discrepancies"' in checked.text
    assert "tidak ada: Tidak ada dalam map kiriman" in checked.text
    assert stages_of(session, tickets) == [stages.after_upt.key, stages.after_upt.key, stages.upt.key]

    # The missing berkas turns up: the UPT receives it late and the berita acara is complete.
    late = post(http, page, f"{page}/susulan/{items[2].id}")
    assert 'data-status="received_complete"' in late.text and "diterima susulan" in late.text
    assert stages_of(session, tickets) == [stages.after_upt.key] * 3

    # Every move is a stage event with the officer's role.
    roles = [e.actor_role for e in session.exec(select(StageEvent).where(
        StageEvent.ticket_id == tickets[0].id, StageEvent.action == str(Action.ADVANCE)).order_by(StageEvent.id))]
    assert roles == ["kasi_inovasi", "courier_officer", "upt_officer"]


def test_upt_sees_only_its_own_kecamatan(app: Flask, session: Session, http: requests.Session,
                                         people: dict) -> None:
    at_handover(session, 2)
    mine = handover.create_berita_acara(session, people["kasi"], "180601", app.config["BERITA_ACARA_NUMBER_FORMAT"])
    login(http, "upt-talang")
    assert http.get(f"/berita-acara/{mine.id}").status_code == 404
    assert http.get(f"/berita-acara/{mine.id}/berita-acara.pdf").status_code == 404
    assert mine.number not in http.get("/berita-acara/").text
    http.post("/keluar", data={"csrf_token": csrf_token(http.get("/berita-acara/").text)})
    login(http, "upt-officer")
    assert http.get(f"/berita-acara/{mine.id}").status_code == 200
    assert mine.number in http.get("/berita-acara/").text


def test_unsigned_cannot_go_to_the_courier_by_any_route(app: Flask, session: Session, people: dict) -> None:
    tickets = at_handover(session, 1)
    draft = handover.create_berita_acara(session, people["kasi"], "180601", app.config["BERITA_ACARA_NUMBER_FORMAT"])
    with pytest.raises(HandoverError, match="belum ditandatangani"):
        handover.dispatch(session, draft, people["kasi"], people["courier"])
    # Nor through the ticket page's own advance: the number comes from a signed berita acara only.
    kasi = people["kasi"]
    ticket, _, _ = act(session, tickets[0], Action.CLAIM, actor_id=kasi.id, actor_roles=set(kasi.roles),
                       expected_version=tickets[0].version)
    with pytest.raises(TransitionError, match="belum ditandatangani"):
        act(session, ticket, Action.ADVANCE, actor_id=kasi.id, actor_roles=set(kasi.roles),
            expected_version=ticket.version, payload={"outputs": {"berita_acara_ditandatangani": True}})
    assert session.get(Ticket, ticket.id).stage == tanggamus().handover.key  # type: ignore[union-attr]
    assert session.get(BeritaAcara, draft.id).status == BeritaAcaraStatus.DRAFT  # type: ignore[union-attr]


def test_pickup_and_archive_close_the_ticket(session: Session) -> None:
    stages = tanggamus()
    ticket = make_ticket(session, stage=stages.after_upt.key)
    counter = make_staff(session, "pickup_counter")
    archivist = make_staff(session, "archivist")
    for officer, outputs in (
        (counter, {"diambil_oleh": "Siti Aminah", "hubungan_pengambil": "Pemohon sendiri",
                   "identitas_ditunjukkan": "KTP-el", "diserahkan": True}),
        (archivist, {"diarsipkan": True, "lokasi_arsip": "Lemari 3 rak B"}),
    ):
        roles = set(officer.roles)
        ticket, _, _ = act(session, ticket, Action.CLAIM, actor_id=officer.id, actor_roles=roles,
                           expected_version=ticket.version)
        ticket, event, _ = act(session, ticket, Action.ADVANCE, actor_id=officer.id, actor_roles=roles,
                               expected_version=ticket.version, payload={"outputs": outputs})
        assert event.data == outputs
    assert ticket.stage == workflow(TANGGAMUS).done_stage.key
    pickup = session.exec(select(StageEvent).where(StageEvent.ticket_id == ticket.id,
                                                   StageEvent.action == str(Action.ADVANCE),
                                                   StageEvent.from_stage == stages.after_upt.key)).one()
    assert pickup.data["identitas_ditunjukkan"] == "KTP-el" and pickup.created_at is not None


def test_a_thousand_items_print_on_ruled_pages(app: Flask, session: Session, people: dict) -> None:
    at_handover(session, 3)
    draft = handover.create_berita_acara(session, people["kasi"], "180601", app.config["BERITA_ACARA_NUMBER_FORMAT"])
    document = build_document(session, draft)
    long_name = "Raden Ayu Siti Nurhaliza Kusumawardhani Binti Haji Abdurrahman Wahid"
    items = [type(document.items[0])(i, f"PGD-2026-{i:06d}", long_name if i % 97 == 0 else f"Warga Uji {i}",
                                      "KTP-el", "1806********0001") for i in range(1, 1001)]
    big = type(document)(**{**document.__dict__, "items": items, "totals": [("KTP-el", 1000)]})
    pdf = berita_acara_pdf(big)
    text = pdf_text(pdf)
    numbers = set(re.findall(r"PGD-2026-\d{6}", text))
    assert len(numbers) == 1000  # every item printed, none lost at a page break
    assert "seluruhnya 1000 berkas" in text and "Kusumawardhani" in text
    save_artifact("berita-acara-1000-berkas", pdf)


def test_a_ticket_returned_after_listing_stops_the_hand_over(app: Flask, session: Session, people: dict) -> None:
    tickets = at_handover(session, 2)
    made = handover.create_berita_acara(session, people["kasi"], "180601", app.config["BERITA_ACARA_NUMBER_FORMAT"])
    create_demo_certificate(app.config, PASSPHRASE)
    sign(session, made, people["kadis"], PASSPHRASE, app.config)
    kasi = people["kasi"]
    ticket, _, _ = act(session, tickets[1], Action.CLAIM, actor_id=kasi.id, actor_roles=set(kasi.roles),
                       expected_version=tickets[1].version)
    act(session, ticket, Action.RETURN_, actor_id=kasi.id, actor_roles=set(kasi.roles),
        expected_version=ticket.version, payload={"reason": "PDF belum sampai ke pemohon"})
    with pytest.raises(HandoverError, match=tickets[1].number):
        handover.dispatch(session, made, kasi, people["courier"])
    assert session.get(BeritaAcara, made.id).status == BeritaAcaraStatus.SIGNED  # type: ignore[union-attr]


def test_a_returned_ticket_is_taken_out_of_the_draft(app: Flask, session: Session, http: requests.Session,
                                                     people: dict, run_jobs) -> None:  # type: ignore[no-untyped-def]
    tickets = at_handover(session, 3)
    made = handover.create_berita_acara(session, people["kasi"], "180601", app.config["BERITA_ACARA_NUMBER_FORMAT"])
    first, second, third = handover.items_of(session, made)
    login(http, "kasi-inovasi")
    page = f"/berita-acara/{made.id}"
    http.get(f"{page}/berita-acara.pdf")
    run_jobs()
    assert tickets[1].number in pdf_text(http.get(f"{page}/berita-acara.pdf").content)
    response = post(http, page, f"{page}/keluarkan/{second.id}")
    assert "Berkas dikeluarkan" in response.text
    assert http.get(f"{page}/berita-acara.pdf").status_code == 202  # the changed draft is printed anew
    run_jobs()
    assert tickets[1].number not in pdf_text(http.get(f"{page}/berita-acara.pdf").content)
    session.expire_all()
    left = handover.items_of(session, made)
    assert [(i.ticket_id, i.position) for i in left] == [(tickets[0].id, 1), (tickets[2].id, 2)]
    assert handover.waiting_tickets(session, tanggamus())["180601"] == [session.get(Ticket, tickets[1].id)]
    post(http, page, f"{page}/keluarkan/{first.id}")
    last = post(http, page, f"{page}/keluarkan/{third.id}")
    assert "sedikitnya satu berkas" in last.text
