"""The public status page: the right number and digits show the stage, the date and the pick-up place; a wrong
pair and an unknown number get the very same answer; lookups are rate-limited; no identity is ever shown."""

from __future__ import annotations

from html import unescape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from berita_acara.stages import handover_stages
from bot.status_page import in_words
from bot.upt_directory import UptOffice
from routing import workflow
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import NIK, PHONE, make_ticket
from tickets.constants import Service

DIGITS = PHONE[-4:]
NAME = "Siti Aminah"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "STATUS_PAGE_LIMIT_PER_IP": "8 per minute", "STATUS_PAGE_MISSES_PER_NUMBER": "4 per day"}


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def look_up(client: FlaskClient, nomor: str, hp: str) -> tuple[int, str]:
    response = client.get("/cek-status", query_string={"nomor": nomor, "hp": hp})
    return response.status_code, response.get_data(as_text=True)


def shows_no_identity(body: str) -> bool:
    digits_only = "".join(ch for ch in body if ch.isdigit())
    return NAME not in body and NIK not in digits_only and PHONE[3:] not in digits_only


def test_the_right_pair_shows_the_stage_and_the_date_the_office_works_to(client: FlaskClient, session: Session) -> None:
    ticket = make_ticket(session)
    assert ticket.due_at is not None  # the intake stages share a one-working-day deadline
    status, body = look_up(client, ticket.number, DIGITS)
    text = unescape(body)
    stage = workflow(ticket.workflow).stage(ticket.stage)
    assert status == 200 and f"Tiket {ticket.number}" in text
    assert stage.citizen_label[1:] in text and Service.KTP_EL.label in text
    assert in_words(ticket.due_at) in text and " WIB" in text
    assert in_words(ticket.due_at).split(",")[0] in ("Senin", "Selasa", "Rabu", "Kamis", "Jumat")
    assert "Tempat pengambilan" not in text and shows_no_identity(body)


def test_messy_numbers_are_read_like_the_bot_reads_them(client: FlaskClient, session: Session) -> None:
    ticket = make_ticket(session)
    year, seq = ticket.number.split("-")[1:]
    for typed in (ticket.number.lower(), f"PGD {year} {int(seq)}", f" pgd/{year}/{seq} ", f"{year}-{int(seq)}"):
        assert f"Tiket {ticket.number}" in look_up(client, typed, f" {DIGITS} ")[1], typed


def test_a_wrong_pair_and_an_unknown_number_get_the_same_answer(client: FlaskClient, session: Session) -> None:
    ticket = make_ticket(session)
    wrong_digits = client.get("/cek-status", query_string={"nomor": ticket.number, "hp": "0000"})
    unknown = client.get("/cek-status", query_string={"nomor": "PGD-2026-999999", "hp": DIGITS})
    also_unknown = client.get("/cek-status", query_string={"nomor": "PGD-2031-000042", "hp": "0000"})
    assert wrong_digits.status_code == unknown.status_code == also_unknown.status_code == 200
    assert wrong_digits.data == unknown.data == also_unknown.data
    assert dict(wrong_digits.headers) == dict(unknown.headers)
    assert "tidak cocok" in wrong_digits.get_data(as_text=True) and ticket.number not in wrong_digits.get_data(as_text=True)


def test_the_query_string_fills_the_form(client: FlaskClient, session: Session) -> None:
    ticket = make_ticket(session)
    link = client.get("/cek-status", query_string={"nomor": ticket.number})  # as the milestone messages link it
    body = link.get_data(as_text=True)
    assert link.status_code == 200 and f'value="{ticket.number}"' in body and 'id="hp"' in body
    assert "Tiket " + ticket.number not in body and "tidak cocok" not in body  # nothing looked up without digits
    assert link.headers["Cache-Control"] == "no-store" and link.headers["Referrer-Policy"] == "no-referrer"
    assert 'method="get"' in body and 'name="nomor"' in body and 'name="hp"' in body
    refused = client.get("/cek-status", query_string={"nomor": "bukan nomor", "hp": "12"})
    assert refused.status_code == 400
    assert "Nomor tiket tidak dikenali" in refused.get_data(as_text=True)
    assert "tepat 4 angka" in refused.get_data(as_text=True)


def test_a_ready_document_shows_where_to_pick_it_up(client: FlaskClient, session: Session) -> None:
    pickup = handover_stages(workflow(TANGGAMUS)).after_upt
    ticket = make_ticket(session, kecamatan_code="180620", stage=pickup.key, due_at=None)
    session.merge(UptOffice(kecamatan_code="180620", name="UPT Disdukcapil Gisting", address="Jl. Ahmad Yani No. 5",
                            opening_hours="Senin-Jumat pukul 08.00-15.00 WIB", contact="", bring="KTP-el asli"))
    session.commit()
    text = unescape(look_up(client, ticket.number, DIGITS)[1])
    assert "Tempat pengambilan: UPT Disdukcapil Gisting" in text and "Jl. Ahmad Yani No. 5" in text
    assert "08.00-15.00" in text and "KTP-el asli" in text and "Kontak:" not in text
    assert "tidak memiliki batas waktu" in text  # no deadline at this stage: said plainly


def test_a_confidential_complaint_shows_only_its_stage(client: FlaskClient, session: Session) -> None:
    complaint = make_ticket(session, service=Service.PENGADUAN, description="Pungutan di loket oleh petugas X",
                            confidential=True)
    status, body = look_up(client, complaint.number, DIGITS)
    stage = workflow(complaint.workflow).stage(complaint.stage)
    assert status == 200 and stage.citizen_label[1:] in unescape(body)
    assert "<dt>Layanan" not in body and "Perkiraan" not in body and "Pungutan" not in body
    assert shows_no_identity(body)


def test_too_many_lookups_from_one_address_are_refused_in_indonesian(client: FlaskClient, session: Session) -> None:
    ticket = make_ticket(session)
    for _ in range(8):
        assert look_up(client, ticket.number, DIGITS)[0] == 200
    refused = client.get("/cek-status", query_string={"nomor": ticket.number, "hp": DIGITS})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Terlalu banyak pengecekan" in refused.get_data(as_text=True)
    assert client.get("/cek-status").status_code == 200  # the empty form is never limited


def test_wrong_digits_for_one_number_stop_its_lookups_from_anywhere(client: FlaskClient, session: Session) -> None:
    ticket = make_ticket(session)
    for guess in ("0001", "0002", "0003", "0004"):
        assert look_up(client, ticket.number, guess)[0] == 200
    other_address = {"REMOTE_ADDR": "10.0.0.9"}
    refused = client.get("/cek-status", query_string={"nomor": ticket.number, "hp": DIGITS}, environ_base=other_address)
    assert refused.status_code == 429  # even the right digits, from elsewhere: guessing the four digits stops here
    for guess in ("0001", "0002", "0003", "0004"):  # an unknown number is held alike, so a refusal tells nothing
        assert look_up(client, "PGD-2026-999999", guess)[0] == 200
    assert client.get("/cek-status", query_string={"nomor": "PGD-2026-999999", "hp": DIGITS},
                      environ_base=other_address).status_code == 429
