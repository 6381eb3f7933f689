"""The two stamps of the Kepala Dinas: the berita acara's and the document's print WIB, name him the same
way from his staff profile (NIP when known), and their QR codes open public verification pages."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlmodel import Session, select

from berita_acara import handover
from berita_acara.models import BeritaAcara
from berita_acara.stages import handover_stages
from layanan.clock import format_wib
from pdf_delivery.documents import upload_document
from pdf_delivery.models import IssuedDocument
from routing import workflow
from tests.support.documents import DEMO_PASSPHRASE, document_pdf, install_demo_certificate, stream_texts
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import csrf_token, login, make_staff, make_ticket
from tickets.staff import StaffUser

DEFINITION = workflow(TANGGAMUS)
CHAIN = handover_stages(DEFINITION)
TITLE = "Kepala Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tanggamus"
SIGNING_STAGE = next(s for s in DEFINITION.chain if any(o.source == "signed_document" for o in s.outputs))
UPLOAD_STAGE = next(s for s in DEFINITION.chain if s.next == SIGNING_STAGE.key)


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "SIGNER_TITLE": TITLE, "SIGNER_NIP": "-"}


def kadis(session: Session, nip: str | None) -> StaffUser:
    account = make_staff(session, CHAIN.signer_role, full_name="Drs. Hendra Kadis")
    account.nip = nip
    session.add(account)
    session.commit()
    return account


def stamp_of(pdf: bytes) -> tuple[str, str]:
    """The stamp's text (as drawn) and the link its QR code carries."""
    reader = PdfFileReader(BytesIO(pdf))
    last = reader.root["/Pages"]["/Kids"][-1].get_object()
    links = [a.get_object()["/A"]["/URI"] for a in last["/Annots"] if a.get_object()["/Subtype"] == "/Link"]
    assert len(links) == 1
    text = stream_texts(pdf).decode("latin-1")
    start = text.index("Ditandatangani secara elektronik oleh")
    return text[start:start + 600], str(links[0])


def stamp_lines(stamp: str) -> list[str]:
    """The lines of the stamp from the signer's name to its date."""
    shown = re.findall(r"\((.*?)\) Tj", stamp)  # the stamp starts inside its first line's string
    return shown[:shown.index(next(s for s in shown if s.startswith("Tanggal:"))) + 1]


def sign_both(app: Flask, session: Session, http: requests.Session) -> tuple[bytes, BeritaAcara, bytes, IssuedDocument]:
    """The Kepala Dinas signs a berita acara on its page and a document on the TTE page."""
    install_demo_certificate(app)
    kasi = make_staff(session, CHAIN.creator_role)
    make_ticket(session, kecamatan_code="180601", stage=CHAIN.handover.key)
    made = handover.create_berita_acara(session, kasi, "180601", app.config["BERITA_ACARA_NUMBER_FORMAT"])
    operator = make_staff(session, str(UPLOAD_STAGE.role))
    ticket = make_ticket(session, stage=UPLOAD_STAGE.key)
    upload_document(session, app.config, ticket, operator, document_pdf())
    ticket.stage = SIGNING_STAGE.key
    session.add(ticket)
    session.commit()

    login(http, CHAIN.signer_role.replace("_", "-"))
    page = f"/berita-acara/{made.id}"
    http.post(f"{page}/tandatangani", data={"csrf_token": csrf_token(http.get(page).text),
                                            "passphrase": DEMO_PASSPHRASE})
    queue = http.get("/tte").text
    http.post("/tte/tandatangani", data={"csrf_token": csrf_token(queue), "passphrase": DEMO_PASSPHRASE,
                                         "ticket_id": str(ticket.id)})
    session.expire_all()
    berita_acara = session.get(BeritaAcara, made.id)
    document = session.exec(select(IssuedDocument).where(IssuedDocument.ticket_id == ticket.id)).one()
    assert berita_acara is not None and berita_acara.signed_pdf and document.signed_path
    signed_document = (Path(app.config["DOCUMENTS_PATH"]) / document.signed_path).read_bytes()
    return berita_acara.signed_pdf, berita_acara, signed_document, document


def test_both_stamps_print_wib_and_name_the_signer_alike_with_his_nip(
        app: Flask, session: Session, http: requests.Session, live_server) -> None:  # type: ignore[no-untyped-def]
    kadis(session, "197001011990031001")
    ba_pdf, berita_acara, doc_pdf, document = sign_both(app, session, http)
    ba_stamp, ba_link = stamp_of(ba_pdf)
    doc_stamp, doc_link = stamp_of(doc_pdf)

    assert stamp_lines(ba_stamp)[:3] == stamp_lines(doc_stamp)[:3] == [
        "Drs. Hendra Kadis", "NIP. 197001011990031001", TITLE]
    assert stamp_lines(ba_stamp)[-1] == f"Tanggal: {format_wib(berita_acara.signed_at)} WIB"
    assert stamp_lines(doc_stamp)[-1] == f"Tanggal: {format_wib(document.signed_at)} WIB"
    assert "UTC" not in ba_stamp + doc_stamp

    # Both QR codes open a public page (no login) that finds the paper genuine.
    public = requests.Session()
    assert ba_link == f"{live_server.url}/berita-acara/verifikasi/{berita_acara.verification_code}"
    page = public.get(ba_link, timeout=30)
    assert page.status_code == 200 and "Berita acara SAH" in page.text and berita_acara.number in page.text
    assert "Siti Aminah" not in page.text  # the citizens it lists are not shown
    assert "Dokumen SAH" in public.get(doc_link, timeout=30).text
    assert public.get(f"{live_server.url}/berita-acara/verifikasi/tidak-ada", timeout=30).status_code == 404


def test_no_nip_line_when_none_is_known(app: Flask, session: Session, http: requests.Session) -> None:
    kadis(session, None)
    ba_pdf, _, doc_pdf, _ = sign_both(app, session, http)
    for pdf in (ba_pdf, doc_pdf):
        stamp, _ = stamp_of(pdf)
        assert stamp_lines(stamp)[:2] == ["Drs. Hendra Kadis", TITLE] and "NIP." not in stamp
