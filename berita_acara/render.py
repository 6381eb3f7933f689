"""Printing the sorting report and the berita acara: Jinja templates to A4 PDF with WeasyPrint.

The berita acara's item list is set by berita_acara.item_table: a ruled table at one text line per item,
which keeps a 1000-item berita acara within a second or two (see bench/bench_reports.py).

WeasyPrint is imported by render_pdf when it first renders, not with this module: it takes most of a second
and tens of MB (it parses its own stylesheets on import), and web processes, which import this module for the
dataclasses and office(), rarely render. The RQ worker imports it once before forking jobs (layanan/worker.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from flask import current_app, render_template

from berita_acara import item_table
from berita_acara.register_book import HEADINGS, Entry
from berita_acara.sorting import SortingReport
from layanan.clock import WIB, utcnow
from layanan.indonesian_words import long_date, opening_phrase


@dataclass(frozen=True)
class ItemLine:
    position: int
    ticket_number: str
    applicant_name: str
    document_type: str
    nik_masked: str
    document_number: str = ""  # given at data entry

    @property
    def cells(self) -> tuple[str, ...]:
        """The item's cells in the order of item_table.COLUMNS."""
        return (f"{self.position}.", self.ticket_number, self.applicant_name, self.document_type,
                self.document_number or "-", self.nik_masked)


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
    # The paraf on the printed documents: "Nama (Kepala Bidang) pada 23 November 2026 (12 berkas)", one per
    # officer and day; and how many items have none recorded.
    initialled: Sequence[str] = field(default_factory=tuple)
    not_initialled: int = 0


def render_pdf(html: str) -> bytes:
    """The one WeasyPrint call of this package: HTML to an A4 PDF (its <title> becomes the metadata)."""
    from weasyprint import HTML

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


def register_book_pdf(year: int, entries: Sequence[Entry]) -> bytes:
    """The year's buku registrasi as an A4 landscape PDF."""
    html = render_template("berita_acara/pdf/register_book.html", year=year, entries=entries, office=office(),
                           headings=HEADINGS, printed_on=long_date(utcnow().astimezone(WIB).date()))
    return render_pdf(html)


def _status_page_url() -> str | None:
    """Where a citizen checks their document's status, when the app has the public status page."""
    path = current_app.config.get("STATUS_PAGE_PATH")
    return f"{current_app.config['PUBLIC_BASE_URL']}{path}" if path else None


def berita_acara_pdf(document: BeritaAcaraDocument) -> bytes:
    """The berita acara as an A4 PDF: opening, the ruled item list in page blocks, totals and signatures."""
    blocks = item_table.blocks(item.cells for item in document.items)
    html = render_template(
        "berita_acara/pdf/berita_acara.html", ba=document, office=office(),
        opening=opening_phrase(document.document_date), signed_on=long_date(document.document_date),
        blocks=blocks, heading=item_table.heading(), columns=item_table.COLUMNS,
        table_width=item_table.TABLE_WIDTH, column_rules=item_table.column_rules_css(),
        row_rules=item_table.row_rules_css(),
        status_url=_status_page_url(),
    )
    return render_pdf(html)
