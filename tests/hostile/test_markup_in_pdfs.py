"""Markup in a citizen's name reaches the printed berita acara as the characters typed: never as
HTML that hides rows, fetches files or runs anything while WeasyPrint renders it."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from pypdf import PdfReader

from berita_acara.render import BeritaAcaraDocument, ItemLine, Person, berita_acara_pdf

HOSTILE_NAMES = [
    "<b>Siti</b> <script>alert(1)</script>",
    '<img src="file:///etc/passwd">Budi',
    '</td></tr></table><h1>PALSU</h1>',
    "Andi &amp; <i>Ani</i>",
]


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(BytesIO(pdf)).pages)


def test_names_with_markup_are_printed_as_typed(app) -> None:  # type: ignore[no-untyped-def]
    items = [ItemLine(i + 1, f"PGD-2026-00000{i + 1}", name, "KTP-el", "1806********0001")
             for i, name in enumerate(HOSTILE_NAMES)]
    document = BeritaAcaraDocument(
        number="470/001/BA/2026", document_date=date(2026, 3, 2), kecamatan_name="Kota Agung", items=items,
        totals=[("KTP-el", len(items))], handing_over=Person("Kasi Inovasi", "<u>Rina</u>", "1980"),
        receiving=Person("Petugas UPT"), courier=Person("Kurir"), head=Person("Kepala Dinas"), is_draft=True)
    with app.app_context(), app.test_request_context():
        text = " ".join(_text(berita_acara_pdf(document)).split())

    for fragment in ("<script>alert(1)</script>", '<img src="file:///etc/passwd">', "<h1>PALSU</h1>",
                     "&amp;", "<u>Rina</u>"):
        assert fragment in text, f"{fragment!r} was not printed as typed"
    for number in ("PGD-2026-000001", "PGD-2026-000004"):
        assert number in text, "no row was swallowed by injected markup"
