"""A document PDF carrying a script, an automatic action, a program to launch or a hidden file is refused
at upload (and at signing, for one stored before), saying what was found; PDFs reach staff and citizens
only as downloads, never shown inside the browser."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from html import unescape
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from pyhanko.pdf_utils import embed, generic
from pyhanko.pdf_utils.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import BasePdfFileWriter, copy_into_new_writer
from sqlmodel import Session, select

from pdf_delivery.documents import DocumentRefused, check_pdf, store_document
from pdf_delivery.models import DocumentStatus, IssuedDocument
from pdf_delivery.signing_batch import sign_tickets
from tests.support.documents import DEMO_PASSPHRASE, document_pdf, install_demo_certificate, signer_config
from tests.tickets.conftest import csrf_token, login, make_attachment, make_staff, make_ticket
from tickets.models import Ticket


def _name(value: str) -> NameObject:
    return NameObject(value)


def _crafted(change: Callable[[BasePdfFileWriter], None]) -> bytes:
    """A real document PDF with one thing added by a PDF writer."""
    writer = copy_into_new_writer(PdfFileReader(BytesIO(document_pdf())))
    change(writer)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _javascript_name_tree(writer: BasePdfFileWriter) -> None:
    """Document-level JavaScript: the catalogue's /Names /JavaScript tree, run when the file opens."""
    action = writer.add_object(DictionaryObject({_name("/S"): _name("/JavaScript"),
                                                 _name("/JS"): TextStringObject("app.alert('hai');")}))
    writer.root[_name("/Names")] = DictionaryObject({_name("/JavaScript"): DictionaryObject(
        {_name("/Names"): ArrayObject([TextStringObject("hai"), action])})})


def _open_action_script(writer: BasePdfFileWriter) -> None:
    writer.root[_name("/OpenAction")] = DictionaryObject({
        _name("/S"): _name("/JavaScript"), _name("/JS"): TextStringObject("this.submitForm('https://contoh.test/')")})


def _launch_link(writer: BasePdfFileWriter) -> None:
    """A link on the first page that starts a program."""
    page = writer.root["/Pages"]["/Kids"][0]
    link = writer.add_object(DictionaryObject({
        _name("/Type"): _name("/Annot"), _name("/Subtype"): _name("/Link"),
        _name("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(100), NumberObject(20)]),
        _name("/A"): DictionaryObject({_name("/S"): _name("/Launch"), _name("/F"): TextStringObject("cmd.exe")}),
    }))
    page[_name("/Annots")] = ArrayObject([link])
    writer.update_container(page)


def _embedded_file(writer: BasePdfFileWriter) -> None:
    data = embed.EmbeddedFileObject.from_file_data(writer, b"MZ\x90\x00 bukan dokumen")
    embed.embed_file(writer, embed.FileSpec(file_spec_string="surat.exe", embedded_data=data))


def _open_at_first_page(writer: BasePdfFileWriter) -> None:
    """A harmless OpenAction: open at the first page, fitted to the window."""
    first = writer.root["/Pages"].raw_get("/Kids")[0]
    writer.root[_name("/OpenAction")] = ArrayObject([first, _name("/Fit")])


def _web_link(writer: BasePdfFileWriter) -> None:
    """A link to a web page, like the verification link the signature stamp adds."""
    page = writer.root["/Pages"]["/Kids"][0]
    link = writer.add_object(DictionaryObject({
        _name("/Type"): _name("/Annot"), _name("/Subtype"): _name("/Link"),
        _name("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(100), NumberObject(20)]),
        _name("/A"): DictionaryObject({_name("/S"): _name("/URI"),
                                       _name("/URI"): generic.TextStringObject("https://contoh.test/")}),
    }))
    page[_name("/Annots")] = ArrayObject([link])
    writer.update_container(page)


ACTIVE = [
    (_javascript_name_tree, ["JavaScript"]),
    (_open_action_script, ["JavaScript", "tindakan otomatis saat dibuka (OpenAction)"]),
    (_launch_link, ["perintah menjalankan program (Launch)"]),
    (_embedded_file, ["file tersemat (embedded file)"]),
]


@pytest.mark.parametrize(("change", "named"), ACTIVE, ids=[c.__name__.strip("_") for c, _ in ACTIVE])
def test_active_content_is_refused_naming_what_was_found(change: Callable[[BasePdfFileWriter], None],
                                                         named: list[str]) -> None:
    with pytest.raises(DocumentRefused) as refused:
        check_pdf(_crafted(change), 10 * 1024 * 1024)
    message = str(refused.value)
    assert message.startswith(f"File PDF memuat {', '.join(named)}.")
    assert "Ekspor ulang dokumen dari SIAK sebagai PDF biasa" in message


@pytest.mark.parametrize("change", [_open_at_first_page, _web_link], ids=["open_at_first_page", "web_link"])
def test_a_view_opening_or_a_web_link_is_no_active_content(change: Callable[[BasePdfFileWriter], None]) -> None:
    assert check_pdf(_crafted(change), 10 * 1024 * 1024).pages == 1


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, **signer_config()}


def test_the_operator_is_told_why_and_nothing_is_kept(http: requests.Session, session: Session, app: Flask) -> None:
    make_staff(session, "data_entry_operator")
    ticket = make_ticket(session, stage="data_entry")
    login(http, "data-entry-operator")
    page = http.get(f"/tiket/{ticket.number}")

    response = http.post(f"/tiket/{ticket.number}/dokumen", data={"csrf_token": csrf_token(page.text)},
                         files={"dokumen": ("dokumen.pdf", _crafted(_javascript_name_tree), "application/pdf")})

    assert "File PDF memuat JavaScript." in unescape(response.text)
    assert session.exec(select(IssuedDocument)).all() == []
    root = Path(app.config["DOCUMENTS_PATH"])
    assert not root.exists() or not [p for p in root.rglob("*") if p.is_file()]


def test_a_document_stored_before_the_check_is_not_signed(session: Session, app: Flask) -> None:
    install_demo_certificate(app)
    kepala = make_staff(session, "kepala_dinas")
    ticket = make_ticket(session, stage="e_signature")
    content = _crafted(_launch_link)
    digest = hashlib.sha256(content).hexdigest()
    session.add(IssuedDocument(ticket_id=ticket.id, document_type="KTP", verification_code="kode-uji-0123456789ab",
                               original_path=store_document(app.config, content, digest), original_sha256=digest,
                               original_size=len(content)))
    session.commit()

    [outcome] = sign_tickets(session, app.config, kepala, DEMO_PASSPHRASE, [int(ticket.id or 0)])

    assert not outcome.signed
    assert "perintah menjalankan program (Launch)" in outcome.message
    session.expire_all()
    assert session.exec(select(IssuedDocument)).one().status == DocumentStatus.AWAITING_SIGNATURE
    assert session.get(Ticket, ticket.id).stage == "e_signature"


def test_a_citizens_pdf_reaches_staff_as_a_download(http: requests.Session, session: Session, app: Flask) -> None:
    make_staff(session, "kasi_identitas")
    ticket = make_ticket(session)
    pdf = make_attachment(session, app.config["MEDIA_PATH"], ticket, document_pdf(), "application/pdf")
    image = make_attachment(session, app.config["MEDIA_PATH"], ticket)
    login(http, "kasi-identitas")

    as_file = http.get(f"/tiket/{ticket.number}/lampiran/{pdf.id}")
    shown = http.get(f"/tiket/{ticket.number}/lampiran/{image.id}")

    assert as_file.status_code == 200 and as_file.headers["Content-Type"] == "application/pdf"
    assert as_file.headers["Content-Disposition"].startswith("attachment;")
    assert shown.headers["Content-Disposition"].startswith("inline;"), "an image is still shown in the page"
