"""Real PDFs for the document and signature tests: rendered by WeasyPrint, encrypted by pyHanko."""

from __future__ import annotations

import re
import zlib
from io import BytesIO
from typing import Any

from flask import Flask
from pyhanko.pdf_utils.writer import copy_into_new_writer
from pyhanko.pdf_utils.reader import PdfFileReader

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


def signer_config(**overrides: Any) -> dict[str, Any]:
    """The signer settings the tests sign with."""
    return {**SIGNER, **overrides}

