"""The operator uploads the document PDF on the ticket page; advancing data entry needs it."""

from __future__ import annotations

import hashlib
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from sqlmodel import Session, select

from pdf_delivery.models import DocumentStatus, IssuedDocument
from tests.support.documents import document_pdf, encrypted_pdf
from tests.support.media_server import png_bytes
from tests.tickets.conftest import act_via_form, csrf_token, login, make_staff, make_ticket, valid_outputs
from routing import workflow
from tickets.models import Ticket
from tests.support.workflows import TANGGAMUS

DATA_ENTRY = "data_entry"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """A small size limit, so the too-big case needs no 16 MB file."""
    return {**app_config, "DOCUMENT_MAX_BYTES": 20_000}


@pytest.fixture
def ticket(session: Session) -> Ticket:
    make_staff(session, "data_entry_operator")
    return make_ticket(session, stage=DATA_ENTRY)


def _upload(http: requests.Session, number: str, content: bytes, filename: str = "dokumen.pdf") -> str:
    page = http.get(f"/tiket/{number}")
    response = http.post(f"/tiket/{number}/dokumen", data={"csrf_token": csrf_token(page.text)},
                         files={"dokumen": (filename, content, "application/pdf")})
    assert response.status_code == 200, response.status_code  # back on the ticket page after the redirect
    return unescape(response.text)


def _documents(session: Session) -> list[IssuedDocument]:
    session.expire_all()
    return list(session.exec(select(IssuedDocument)).all())


def _stored_files(app: Flask) -> list[Path]:
    root = Path(app.config["DOCUMENTS_PATH"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_operator_uploads_a_pdf_which_is_stored_by_its_hash(http: requests.Session, session: Session,
                                                             app: Flask, ticket: Ticket) -> None:
    pdf = document_pdf("Kartu Tanda Penduduk Elektronik")
    login(http, "data-entry-operator")

    page = _upload(http, ticket.number, pdf)

    assert f"Dokumen PDF untuk tiket {ticket.number} tersimpan." in page
    assert "Menunggu TTE" in page
    [document] = _documents(session)
    digest = hashlib.sha256(pdf).hexdigest()
    assert document.ticket_id == ticket.id
    assert document.status == DocumentStatus.AWAITING_SIGNATURE
    assert (document.original_sha256, document.original_size) == (digest, len(pdf))
    assert document.document_type == "KTP Elektronik (KTP-el)"
    assert len(document.verification_code) >= 22
    stored = Path(app.config["DOCUMENTS_PATH"]) / document.original_path
    assert stored.name == digest and stored.read_bytes() == pdf


def test_a_second_upload_replaces_the_unsigned_document(http: requests.Session, session: Session,
                                                        ticket: Ticket) -> None:
    login(http, "data-entry-operator")
    _upload(http, ticket.number, document_pdf("Salah"))
    code = _documents(session)[0].verification_code
    second = document_pdf("Benar", pages=2)

    _upload(http, ticket.number, second)

    [document] = _documents(session)
    assert document.original_sha256 == hashlib.sha256(second).hexdigest()
    assert document.verification_code == code


@pytest.mark.parametrize(("content", "message"), [
    (png_bytes(), "File ini bukan PDF."),
    (b"%PDF-1.7\nbukan isi pdf yang sah\n%%EOF", "File PDF rusak atau tidak dapat dibaca."),
    ("encrypted", "File PDF terkunci kata sandi (terenkripsi)"),
    (b"", "File kosong."),
])
def test_bad_files_are_refused_with_a_clear_message_and_nothing_kept(
        http: requests.Session, session: Session, app: Flask, ticket: Ticket, content: Any, message: str) -> None:
    login(http, "data-entry-operator")
    body = encrypted_pdf() if content == "encrypted" else content

    page = _upload(http, ticket.number, body)

    assert message in page
    assert _documents(session) == []
    assert _stored_files(app) == []


def test_a_file_over_the_size_limit_is_refused(http: requests.Session, session: Session, app: Flask,
                                               ticket: Ticket) -> None:
    login(http, "data-entry-operator")
    big = document_pdf(pages=1) + b"%" + b"x" * 20_000 + b"\n"

    page = _upload(http, ticket.number, big)

    assert "Ukuran file melebihi batas" in page
    assert _documents(session) == [] and _stored_files(app) == []


def test_only_the_operator_of_the_data_entry_stage_may_upload(http: requests.Session, session: Session,
                                                              app: Flask, ticket: Ticket) -> None:
    make_staff(session, "kabid")
    login(http, "kabid")
    page = http.get(f"/tiket/{ticket.number}").text
    assert 'class="document-upload"' not in page

    refused = _upload(http, ticket.number, document_pdf())

    assert "Dokumen hanya dapat diunggah oleh petugas tahap ini" in refused
    assert _documents(session) == [] and _stored_files(app) == []


def test_no_upload_at_a_stage_that_asks_for_no_document(http: requests.Session, session: Session) -> None:
    make_staff(session, "data_entry_operator")
    earlier = make_ticket(session, stage="kasi_verification")
    login(http, "data-entry-operator")

    refused = _upload(http, earlier.number, document_pdf())

    assert "Dokumen hanya dapat diunggah" in refused
    assert _documents(session) == []


def test_data_entry_cannot_be_advanced_without_the_document(http: requests.Session, session: Session,
                                                            ticket: Ticket) -> None:
    stage = workflow(TANGGAMUS).stage(DATA_ENTRY)
    login(http, "data-entry-operator")
    act_via_form(http, ticket.number, "claim")

    refused = unescape(act_via_form(http, ticket.number, "advance", **valid_outputs(stage)).text)
    session.expire_all()
    assert 'Dokumen PDF yang diterbitkan belum diunggah. Unggah file PDF-nya di bagian "Dokumen terbit"' in refused
    assert session.get(Ticket, ticket.id).stage == DATA_ENTRY

    _upload(http, ticket.number, document_pdf())
    moved = unescape(act_via_form(http, ticket.number, "advance", **valid_outputs(stage)).text)
    session.expire_all()
    assert f'Tiket {ticket.number} diteruskan ke tahap "{workflow(TANGGAMUS).stage(str(stage.next)).name}".' in moved
    advanced = session.get(Ticket, ticket.id)
    assert advanced.stage == "e_signature"
    assert advanced.outputs["dokumen_pdf"].startswith("PDF ")
