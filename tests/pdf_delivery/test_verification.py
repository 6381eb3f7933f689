"""The public verification page behind the stamp's QR code, over real HTTP and without logging in."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from sqlmodel import Session

from layanan.clock import format_wib
from pdf_delivery.models import IssuedDocument
from pdf_delivery.signing_batch import sign_tickets
from pdf_delivery.verification import mask_name
from tests.pdf_delivery.test_signing_queue import document_of, waiting_for_signature
from tests.support.documents import DEMO_PASSPHRASE, install_demo_certificate, signer_config
from tests.tickets.conftest import make_staff
from tickets.staff import StaffUser


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, **signer_config()}


@pytest.fixture
def signed(session: Session, app: Flask) -> IssuedDocument:
    """A document signed by the Kepala Dinas for Siti Aminah's KTP-el request."""
    install_demo_certificate(app)
    kepala = make_staff(session, "kepala_dinas")
    operator: StaffUser = make_staff(session, "data_entry_operator")
    ticket = waiting_for_signature(session, app, operator, name="Siti Aminah")
    [outcome] = sign_tickets(session, app.config, kepala, DEMO_PASSPHRASE, [int(ticket.id or 0)])
    assert outcome.signed, outcome.message
    return document_of(session, ticket)


def _verdict(page: str) -> str:
    found = re.search(r'<p class="verdict[^"]*"[^>]*>(.*?)</p>', page, flags=re.S)
    assert found, "no verdict on the page"
    return found.group(1)


def test_a_signed_document_is_confirmed_with_masked_applicant(http: requests.Session, session: Session,
                                                              signed: IssuedDocument) -> None:
    response = http.get(f"/verifikasi/{signed.verification_code}")

    page = unescape(response.text)
    assert response.status_code == 200
    assert "Dokumen SAH" in _verdict(page)
    ticket_number = re.search(r"PGD-\d{4}-\d{6}", page)
    assert ticket_number and ticket_number.group(0) in page
    assert "KTP Elektronik (KTP-el)" in page
    assert "Si*** Am***" in page
    assert "Siti" not in page and "Aminah" not in page
    assert format_wib(signed.signed_at) in page
    assert "sesuai dengan catatan kantor" in page


def test_a_stored_file_with_one_byte_changed_shows_as_invalid(http: requests.Session, app: Flask,
                                                              signed: IssuedDocument) -> None:
    path = Path(app.config["DOCUMENTS_PATH"]) / str(signed.signed_path)
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0x20
    path.write_bytes(bytes(data))

    page = unescape(http.get(f"/verifikasi/{signed.verification_code}").text)

    assert "Dokumen TIDAK SAH" in _verdict(page)
    assert "TIDAK sesuai" in page


def test_a_signature_from_an_untrusted_certificate_shows_as_invalid(
        http: requests.Session, app: Flask, signed: IssuedDocument) -> None:
    # The office replaces its trust roots (e.g. moves to BSrE): the demo signature is no longer vouched for.
    Path(app.config["SIGNING_TRUST_ROOTS_PATH"]).unlink()

    page = unescape(http.get(f"/verifikasi/{signed.verification_code}").text)

    assert "Dokumen TIDAK SAH: Sertifikat penanda tangan tidak dikenal oleh kantor ini." in _verdict(page)


def test_an_unsigned_document_is_not_confirmed(http: requests.Session, session: Session, app: Flask) -> None:
    operator = make_staff(session, "data_entry_operator")
    ticket = waiting_for_signature(session, app, operator)

    page = unescape(http.get(f"/verifikasi/{document_of(session, ticket).verification_code}").text)

    assert "Dokumen TIDAK SAH: Dokumen ini belum ditandatangani." in _verdict(page)


def test_an_unknown_code_is_a_404_page_in_indonesian(http: requests.Session, signed: IssuedDocument) -> None:
    response = http.get(f"/verifikasi/{signed.verification_code[:-1]}x")

    assert response.status_code == 404
    assert "Kode verifikasi ini tidak terdaftar" in response.text


@pytest.mark.parametrize(("name", "masked"), [
    ("Budi Santoso", "Bu*** Sa***"),
    ("Siti  Nur Aminah", "Si*** Nu*** Am***"),
    ("A", "A***"),
    (None, "-"),
])
def test_names_are_masked_word_by_word(name: str | None, masked: str) -> None:
    assert mask_name(name) == masked
