"""The phone pages of the courier, the UPT and the pick-up counter, over real HTTP: each shows only this
account's work, each big button takes the step through the same service as the berita acara page (the paper
and its tickets agree afterwards), and a second tap does not take it twice."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from sqlmodel import Session, select

from berita_acara import document, handover
from berita_acara.models import BeritaAcara, BeritaAcaraItem, BeritaAcaraStatus
from berita_acara.pickup_page import staff_outputs
from berita_acara.stages import handover_stages
from pdf_delivery.certificates import create_demo_certificate
from routing import workflow
from routing.definition import FieldType, StageDuty
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import csrf_token, login, make_staff, make_ticket
from tickets.models import StageEvent, Ticket
from tickets.staff import StaffUser

PASSPHRASE = "tte-rahasia-uji"
DEFINITION = workflow(TANGGAMUS)
CHAIN = handover_stages(DEFINITION)
PICKUP = DEFINITION.stage_for(StageDuty.PICKUP)
KOTA_AGUNG, TALANG_PADANG = "180601", "180602"


@pytest.fixture
def people(session: Session) -> dict[str, StaffUser]:
    return {
        "kasi": make_staff(session, CHAIN.creator_role, full_name="Rina Kasi Inovasi"),
        "kadis": make_staff(session, CHAIN.signer_role, full_name="Drs. Hendra Kadis"),
        "courier": make_staff(session, CHAIN.courier_role, full_name="Budi Kurir"),
        "other_courier": make_staff(session, CHAIN.courier_role, username="kurir-dua", full_name="Joko Kurir"),
        "upt": make_staff(session, CHAIN.upt_role, kecamatan_code=KOTA_AGUNG, full_name="Sari UPT Kota Agung"),
        "other_upt": make_staff(session, CHAIN.upt_role, username="upt-talang", kecamatan_code=TALANG_PADANG,
                                full_name="Dedi UPT Talang Padang"),
        "counter": make_staff(session, str(PICKUP.role), full_name="Wati Loket"),
    }


def signed_berita_acara(app: Flask, session: Session, people: dict[str, StaffUser], kecamatan: str,
                        count: int = 2, sign: bool = True) -> tuple[BeritaAcara, list[Ticket]]:
    tickets = [make_ticket(session, kecamatan_code=kecamatan, stage=CHAIN.handover.key) for _ in range(count)]
    made = handover.create_berita_acara(session, people["kasi"], kecamatan, app.config["BERITA_ACARA_NUMBER_FORMAT"])
    if sign:
        create_demo_certificate(app.config, PASSPHRASE)
        document.sign(session, made, people["kadis"], PASSPHRASE, app.config)
    return made, tickets


def as_user(http: requests.Session, account: StaffUser) -> requests.Response:
    http.cookies.clear()
    return login(http, account.username)


def tap(http: requests.Session, confirm_url: str) -> requests.Response:
    """The big button: its confirmation page, then the page's "Ya" button (a real form post)."""
    page = http.get(confirm_url)
    assert page.status_code == 200, page.status_code
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert action, "no confirmation form"
    return http.post(action.group(1), data={"csrf_token": csrf_token(page.text)})


def flashes(html: str) -> list[str]:
    return [unescape(m) for m in re.findall(r'<div class="flash [^"]*">([^<]+)</div>', html)]


def fresh(session: Session, model: type, row_id: int) -> object:
    session.expire_all()
    return session.get(model, row_id)


def events_out_of(session: Session, ticket: Ticket, stage_key: str) -> int:
    return len(session.exec(select(StageEvent).where(StageEvent.ticket_id == ticket.id,
                                                     StageEvent.from_stage == stage_key,
                                                     StageEvent.to_stage != stage_key)).all())


def test_each_field_account_lands_on_its_phone_page(http: requests.Session, people: dict[str, StaffUser]) -> None:
    for who, path in (("courier", "/tugas/kurir"), ("upt", "/tugas/upt"), ("counter", "/tugas/pengambilan/")):
        landed = as_user(http, people[who])
        assert urlsplit(landed.url).path == path, who
        assert ">Tugas saya</a>" in landed.text  # and the top bar leads back to it
    assert urlsplit(as_user(http, people["kasi"]).url).path == "/antrian"  # the office keeps its queue


def test_the_courier_sees_signed_papers_and_hands_over_with_one_button(
        app: Flask, session: Session, http: requests.Session, people: dict[str, StaffUser]) -> None:
    draft, _ = signed_berita_acara(app, session, people, TALANG_PADANG, sign=False)
    made, tickets = signed_berita_acara(app, session, people, KOTA_AGUNG)

    as_user(http, people["courier"])
    page = unescape(http.get("/tugas/kurir").text)
    assert made.number in page and draft.number not in page  # a draft is not the courier's yet
    assert "Sudah diserahkan ke UPT" not in page  # not handed to this courier yet

    handover.dispatch(session, made, people["kasi"], people["courier"])
    page = unescape(http.get("/tugas/kurir").text)
    carrying = page[page.index("Dibawa ke UPT"):page.index("Siap diambil di kantor")]
    assert made.number in carrying and "Kota Agung" in carrying and "2</strong> berkas" in carrying
    as_user(http, people["other_courier"])
    other = unescape(http.get("/tugas/kurir").text)
    assert made.number not in other[other.index("Dibawa ke UPT"):other.index("Siap diambil di kantor")]

    as_user(http, people["courier"])
    confirm_url = f"/tugas/berita-acara/{made.id}/serahkan"
    asked = http.get(confirm_url)
    assert "tidak dapat dibatalkan" in asked.text
    assert fresh(session, BeritaAcara, made.id).status == BeritaAcaraStatus.IN_TRANSIT  # asking changed nothing
    done = tap(http, confirm_url)
    assert urlsplit(done.url).path == "/tugas/kurir"
    assert any("Penyerahan berkas ke UPT sudah dicatat" in f for f in flashes(done.text))
    paper = fresh(session, BeritaAcara, made.id)
    assert paper.status == BeritaAcaraStatus.DELIVERED and paper.courier_id == people["courier"].id
    assert [fresh(session, Ticket, t.id).stage for t in tickets] == [CHAIN.upt.key] * 2

    # A second tap (a stale page, a double press) records nothing more.
    again = http.post(confirm_url, data={"csrf_token": csrf_token(http.get("/tugas/kurir").text)})
    assert any("sudah dicatat sebelumnya" in f for f in flashes(again.text))
    assert all(events_out_of(session, t, CHAIN.courier.key) == 1 for t in tickets)
    assert fresh(session, BeritaAcara, made.id).delivered_at == paper.delivered_at


def test_the_upt_sees_only_its_kecamatan_and_receives_with_one_button(
        app: Flask, session: Session, http: requests.Session, people: dict[str, StaffUser]) -> None:
    made, tickets = signed_berita_acara(app, session, people, KOTA_AGUNG)
    handover.dispatch(session, made, people["kasi"], people["courier"])

    as_user(http, people["other_upt"])
    elsewhere = unescape(http.get("/tugas/upt").text)
    assert made.number not in elsewhere and "Tidak ada kiriman dalam perjalanan" in elsewhere
    assert http.get(f"/tugas/berita-acara/{made.id}/terima").status_code == 404

    as_user(http, people["upt"])
    coming = unescape(http.get("/tugas/upt").text)
    assert made.number in coming[coming.index("Dalam perjalanan"):]
    assert "Diterima, sesuai berita acara</a>" not in coming  # nothing to check before the courier hands over

    handover.record_delivery(session, fresh(session, BeritaAcara, made.id), people["courier"])
    arrived = unescape(http.get("/tugas/upt").text)
    assert made.number in arrived[arrived.index("Sudah tiba"):arrived.index("Dalam perjalanan")]
    done = tap(http, f"/tugas/berita-acara/{made.id}/terima")
    assert any("Penerimaan berkas sudah dicatat lengkap" in f for f in flashes(done.text))
    paper = fresh(session, BeritaAcara, made.id)
    assert paper.status == BeritaAcaraStatus.RECEIVED_COMPLETE and paper.received_by_id == people["upt"].id
    items = session.exec(select(BeritaAcaraItem).where(BeritaAcaraItem.berita_acara_id == made.id)).all()
    assert all(item.received is True for item in items)
    assert [fresh(session, Ticket, t.id).stage for t in tickets] == [CHAIN.after_upt.key] * 2

    again = http.post(f"/tugas/berita-acara/{made.id}/terima",
                      data={"csrf_token": csrf_token(http.get("/tugas/upt").text)})
    assert any("sudah dicatat sebelumnya" in f for f in flashes(again.text))
    assert all(events_out_of(session, t, CHAIN.upt.key) == 1 for t in tickets)
    # The courier's step cannot be taken by the UPT, nor a step that does not exist.
    assert http.get(f"/tugas/berita-acara/{made.id}/serahkan").status_code == 403
    assert http.get(f"/tugas/kurir").status_code == 403


def pickup_form(fields: dict[str, str], http: requests.Session, number: str) -> requests.Response:
    page = http.get(f"/tugas/pengambilan/{number}")
    assert page.status_code == 200
    return http.post(f"/tugas/pengambilan/{number}", data={"csrf_token": csrf_token(page.text), **fields})


def test_the_counter_finds_a_document_and_hands_it_over(
        session: Session, http: requests.Session, people: dict[str, StaffUser]) -> None:
    waiting = make_ticket(session, stage=PICKUP.key, name="Siti Aminah", phone="+6281234565678")
    other = make_ticket(session, stage=PICKUP.key, name="Ahmad Fauzi", phone="+6281298761111")
    earlier = make_ticket(session, stage=CHAIN.upt.key, name="Belum Tiba")
    as_user(http, people["counter"])

    listed = unescape(http.get("/tugas/pengambilan/").text)
    assert waiting.number in listed and other.number in listed and earlier.number not in listed
    assert "berakhiran <strong>5678</strong>" in listed and "6281234565678" not in listed  # four digits only
    assert "1806014505900001" not in listed
    for search in ("siti", "5678", waiting.number[-6:]):
        found = unescape(http.get("/tugas/pengambilan/", params={"q": search}).text)
        assert waiting.number in found and other.number not in found, search

    texts = [o for o in staff_outputs(PICKUP) if o.type is FieldType.TEXT]
    choices = [o for o in staff_outputs(PICKUP) if o.type is FieldType.CHOICE]
    checks = [o for o in staff_outputs(PICKUP) if o.type is FieldType.CHECK]
    form = unescape(http.get(f"/tugas/pengambilan/{waiting.number}").text)
    assert all(f'type="radio" name="isian-{c.key}" value="{option}"' in form for c in choices for option in c.options)
    assert f'value="Siti Aminah"' in form  # the applicant's own name offered for who takes it

    # The confirmation left unticked: said beside it, and everything chosen is still chosen.
    chosen = {f"isian-{t.key}": "Rudi Hartono" for t in texts}
    chosen.update({f"isian-{c.key}": c.options[1] for c in choices})
    refused = pickup_form(chosen, http, waiting.number)
    assert refused.status_code == 422
    page = unescape(refused.text)
    assert all(f'id="galat-{c.key}"' in page for c in checks)
    assert 'value="Rudi Hartono"' in page
    assert all(f'value="{c.options[1]}" checked' in page for c in choices)
    assert fresh(session, Ticket, waiting.id).stage == PICKUP.key

    chosen.update({f"isian-{c.key}": "on" for c in checks})
    done = pickup_form(chosen, http, waiting.number)
    assert urlsplit(done.url).path == "/tugas/pengambilan/"
    assert any(f"{waiting.number} tercatat diserahkan kepada Rudi Hartono" in f for f in flashes(done.text))
    after = fresh(session, Ticket, waiting.id)
    assert after.stage == PICKUP.next
    event = session.exec(select(StageEvent).where(StageEvent.ticket_id == waiting.id,
                                                  StageEvent.from_stage == PICKUP.key,
                                                  StageEvent.to_stage == PICKUP.next)).one()
    assert event.actor_id == people["counter"].id
    assert all(event.data[c.key] == c.options[1] for c in choices)
    assert waiting.number not in unescape(done.text)[unescape(done.text).index("Menunggu diambil"):]

    again = http.post(f"/tugas/pengambilan/{waiting.number}", data={"csrf_token": csrf_token(done.text), **chosen})
    assert any("tidak dicatat dua kali" in f for f in flashes(again.text))
    assert events_out_of(session, waiting, PICKUP.key) == 1


def test_a_counter_of_one_kecamatan_serves_only_its_documents(
        session: Session, http: requests.Session) -> None:
    counter = make_staff(session, str(PICKUP.role), username="loket-talang", kecamatan_code=TALANG_PADANG)
    here = make_ticket(session, stage=PICKUP.key, kecamatan_code=TALANG_PADANG)
    there = make_ticket(session, stage=PICKUP.key, kecamatan_code=KOTA_AGUNG)
    as_user(http, counter)
    listed = http.get("/tugas/pengambilan/").text
    assert here.number in listed and there.number not in listed
    assert http.get(f"/tugas/pengambilan/{there.number}").status_code == 404
