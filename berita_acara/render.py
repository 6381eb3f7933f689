"""Printing the sorting report and the berita acara: Jinja templates to A4 PDF with WeasyPrint.

WeasyPrint's cost grows with the number of text lines it lays out, and a table spends one line per
cell: a 1000-item berita acara as one table is 5000 lines and takes several seconds. The item list is
therefore set as monospaced lines, one line per item with ruled columns, in page-sized blocks, which
keeps it readable as a table at a fifth of the layout work (see bench/bench_reports.py).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from flask import current_app, render_template
from weasyprint import HTML

from berita_acara.sorting import SortingReport
from layanan.clock import WIB
from berita_acara.words import long_date, opening_phrase

# Character widths of the item columns: no., ticket number, applicant name, document type, masked NIK.
COLUMN_WIDTHS = (5, 15, 37, 15, 16)
COLUMN_HEADINGS = ("No.", "Nomor Tiket", "Nama Pemohon", "Jenis Dokumen", "NIK")
SEPARATOR = " │ "
FIRST_BLOCK_LINES = 40  # fits under the kop surat and the opening paragraph on page 1
BLOCK_LINES = 64  # fits a whole A4 page at the item font size


@dataclass(frozen=True)
class ItemLine:
    position: int
    ticket_number: str
    applicant_name: str
    document_type: str
    nik_masked: str


@dataclass(frozen=True)
class Person:
    """A signatory as printed: name and NIP (blank lines to sign by hand when unknown)."""

    role_label: str
    name: str | None = None
    nip: str | None = None


@dataclass(frozen=True)
class BeritaAcaraDocument:
    number: str
    document_date: date
    kecamatan_name: str
    items: Sequence[ItemLine]
    totals: Sequence[tuple[str, int]]  # per document type, in print order
    handing_over: Person
    receiving: Person
    courier: Person
    head: Person  # Kepala Dinas, "Mengetahui"
    is_draft: bool  # printed with a "KONSEP" mark until the Kepala Dinas signs


def render_pdf(html: str) -> bytes:
    """The one WeasyPrint call of this package: HTML to an A4 PDF (its <title> becomes the metadata)."""
    return HTML(string=html, base_url=str(current_app.root_path)).write_pdf()


def office() -> dict[str, str]:
    """The letterhead lines, from the settings."""
    cfg = current_app.config
    return {"government": cfg["OFFICE_GOVERNMENT"], "name": cfg["OFFICE_NAME"], "address": cfg["OFFICE_ADDRESS"],
            "city": cfg["OFFICE_CITY"]}


def sorting_report_pdf(report: SortingReport, signatory: Person, number: str | None = None) -> bytes:
    """The "Laporan Pemilahan Berkas per Kecamatan" as an A4 PDF, numbered and signed by the sorter."""
    html = render_template("berita_acara/pdf/sorting_report.html", report=report, office=office(), number=number,
                           printed_on=long_date(report.generated_at.astimezone(WIB).date()), signatory=signatory)
    return render_pdf(html)


def berita_acara_pdf(document: BeritaAcaraDocument) -> bytes:
    """The berita acara as an A4 PDF: opening, item list in blocks, totals and signature blocks."""
    html = render_template(
        "berita_acara/pdf/berita_acara.html", ba=document, office=office(),
        opening=opening_phrase(document.document_date), signed_on=long_date(document.document_date),
        heading=_line(COLUMN_HEADINGS), blocks=item_blocks(document.items),
    )
    return render_pdf(html)


def item_blocks(items: Iterable[ItemLine]) -> list[str]:
    """The item lines split into page-sized blocks; an item's wrapped lines stay together."""
    blocks: list[list[str]] = [[]]
    limit = FIRST_BLOCK_LINES
    for item in items:
        lines = item_lines(item)
        if blocks[-1] and len(blocks[-1]) + len(lines) > limit:
            blocks.append([])
            limit = BLOCK_LINES
        blocks[-1].extend(lines)
    return ["\n".join(block) for block in blocks if block]


def item_lines(item: ItemLine) -> list[str]:
    """One item as ruled text lines; a long name wraps onto continuation lines of its own column."""
    name_width = COLUMN_WIDTHS[2]
    names = textwrap.wrap(item.applicant_name, name_width, break_long_words=True) or [""]
    lines = [_line((f"{item.position}.", item.ticket_number, names[0], item.document_type, item.nik_masked))]
    lines.extend(_line(("", "", more, "", "")) for more in names[1:])
    return lines


def _line(cells: Sequence[str]) -> str:
    padded = []
    for index, (cell, width) in enumerate(zip(cells, COLUMN_WIDTHS)):
        text = cell[:width]
        padded.append(text.rjust(width) if index == 0 else text.ljust(width))
    return SEPARATOR.join(padded).rstrip()

