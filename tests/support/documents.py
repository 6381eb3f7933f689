"""Real PDFs for the document and signature tests: rendered by WeasyPrint, encrypted by pyHanko."""

from __future__ import annotations

import re
import zlib
from io import BytesIO
from typing import Any

from flask import Flask
from pyhanko.pdf_utils.writer import copy_into_new_writer
from pyhanko.pdf_utils.reader import PdfFileReader
from tests.support.workflows import TANGGAMUS

DEMO_PASSPHRASE = "demo12345"
SIGNER = {"SIGNER_NAME": "Drs. Budi Santoso, M.Si.", "SIGNER_NIP": "197001011990031001",
          "SIGNER_TITLE": "Kepala Dinas Kependudukan dan Pencatatan Sipil"}


def document_pdf(title: str = "Kartu Keluarga", pages: int = 1) -> bytes:
    """A real document PDF, as the population system would export it."""
    from weasyprint import HTML

    body = "".join(
        f'<section style="page-break-after: always"><h1>{title}</h1><p>Halaman {n + 1}</p></section>'
        for n in range(pages)
    )
    return HTML(string=f"<html><body>{body}</body></html>").write_pdf()


def encrypted_pdf(password: str = "rahasia") -> bytes:
    """The same kind of PDF, locked with a user password (RC4/AES as a PDF editor would do)."""
    writer = copy_into_new_writer(PdfFileReader(BytesIO(document_pdf())))
    writer.encrypt(password, password)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def install_demo_certificate(app: Flask, passphrase: str = DEMO_PASSPHRASE) -> None:
    """Create the self-signed certificate the way `flask create-demo-certificate` does."""
    from pdf_delivery.certificates import create_demo_certificate

    create_demo_certificate(app.config, passphrase)


def stream_texts(pdf: bytes) -> bytes:
    """Every content stream of the file, inflated, joined and unescaped: where a stamp's text is searched."""
    chunks = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.S):
        try:
            chunks.append(zlib.decompress(raw))
        except zlib.error:
            chunks.append(raw)
    joined = b"\n".join(chunks)
    # PDF literal strings escape punctuation as octal (\\056 is "."); undo that so text reads as shown.
    joined = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), joined)
    return re.sub(rb"\\([()\\])", rb"\1", joined)


def pyhanko_validate(embedded: Any, context: Any) -> Any:
    """pyHanko's validate_pdf_signature, on its own thread: it calls asyncio.run, which refuses to run
    where an event loop is already running (the browser tests' Playwright session lives in this thread)."""
    from concurrent.futures import ThreadPoolExecutor

    from pyhanko.sign.validation import validate_pdf_signature

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(validate_pdf_signature, embedded, context).result()


def signer_config(**overrides: Any) -> dict[str, Any]:
    """The signer settings the tests sign with."""
    return {**SIGNER, **overrides}



def document_step(http: Any, stage: Any, number: str) -> Any:
    """Do what a stage's document outputs ask, through the pages: upload the PDF at data entry (the
    caller then advances as usual), or sign on the TTE page, which advances; returns that page then."""
    from flask import current_app

    from pdf_delivery.signing import pkcs12_path
    from routing.definition import OutputSource
    from tests.support.browser import click_and_wait
    from tests.tickets.conftest import csrf_token

    sources = {o.source for o in stage.outputs}
    if OutputSource.DOCUMENT in sources:
        page = http.get(f"/tiket/{number}")
        http.post(f"/tiket/{number}/dokumen", data={"csrf_token": csrf_token(page.text)},
                  files={"dokumen": ("dokumen.pdf", document_pdf(), "application/pdf")})
    if OutputSource.SIGNED_DOCUMENT in sources:
        if not pkcs12_path(current_app.config).exists():
            install_demo_certificate(current_app._get_current_object())  # type: ignore[attr-defined]
        queue = http.get("/tte")
        ticket_id = re.search(rf'value="(\d+)" id="t\d+" aria-label="Pilih {number}"', queue.text)
        assert ticket_id, f"{number} is not in the signing queue"
        return http.post("/tte/tandatangani", data={"csrf_token": csrf_token(queue.text),
                                                    "passphrase": DEMO_PASSPHRASE, "ticket_id": ticket_id.group(1)})
    return None


def browser_document_step(page: Any, base: str, stage: Any, number: str, artifacts: Any) -> bool:
    """The same in a real browser (Playwright page on the ticket): True when the step advanced the ticket."""
    from flask import current_app
    from playwright.sync_api import expect

    from pdf_delivery.signing import pkcs12_path
    from routing import workflow
    from routing.definition import OutputSource
    from tests.support.browser import click_and_wait

    sources = {o.source for o in stage.outputs}
    if OutputSource.DOCUMENT in sources:
        # One form uploads the PDF and advances with the stage's fields.
        page.set_input_files("#dokumen-file", files=[{"name": "dokumen.pdf", "mimeType": "application/pdf",
                                                      "buffer": document_pdf("Kartu Tanda Penduduk Elektronik")}])
        for out in stage.outputs:
            if not out.system_assigned:
                field = f"form.document-upload #isian-{out.key}"
                page.check(field) if out.type == "check" else page.fill(field, "474.4/0001/2026")
        click_and_wait(page, "form.document-upload button[value=teruskan]")
        next_name = workflow(TANGGAMUS).stage(str(stage.next)).name
        expect(page.locator("body")).to_contain_text(f'Tiket {number} diteruskan ke tahap "{next_name}".')
        return True
    if OutputSource.SIGNED_DOCUMENT not in sources:
        return False
    if not pkcs12_path(current_app.config).exists():
        install_demo_certificate(current_app._get_current_object())  # type: ignore[attr-defined]
    page.goto(f"{base}/tte")
    page.check(f'input[aria-label="Pilih {number}"]')
    page.fill("#passphrase", DEMO_PASSPHRASE)
    click_and_wait(page, "form.sign-batch button[type=submit]")
    next_name = workflow(TANGGAMUS).stage(str(stage.next)).name
    expect(page.locator("body")).to_contain_text(f'Tiket {number} diteruskan ke tahap "{next_name}".')
    page.screenshot(path=str(artifacts / "tte-kepala-dinas.png"), full_page=True)
    return True
