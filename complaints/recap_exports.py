"""The complaint recap as a printed A4 report and a workbook, and the month's complaints as a LAPOR! CSV.

None of them carries who filed a complaint: the rows are built from `recap.Complaint`, which holds no
name, NIK or phone number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from flask import render_template
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from berita_acara.render import Person, office, render_pdf
from complaints.recap import Complaint, Month, Recap, Table
from layanan.clock import WIB
from tickets.dashboard_queries import indonesian_date

TITLE = "Rekapitulasi Pengaduan Masyarakat"
LAPOR_HEADER = ("Nomor Pelacakan LAPOR!", "Nomor Pengaduan", "Tanggal Diterima (WIB)", "Kategori",
                "Unit / Instansi Tujuan", "Status", "Tanggal Tanggapan Pertama (WIB)", "Tanggal Jawaban (WIB)")
DATE_FORMAT = "%Y-%m-%d %H:%M"


def title(month: Month) -> str:
    """The report's title: Rekapitulasi Pengaduan Masyarakat Bulan November 2026."""
    return f"{TITLE} Bulan {month.label}"


def made_at(recap: Recap) -> str:
    """When the recap was made, as printed: 3 Desember 2026 pukul 10.15 WIB."""
    local = recap.made_at.astimezone(WIB)
    return f"{indonesian_date(local.date())} pukul {local:%H.%M} WIB"


def lapor_rows(complaints: Sequence[Complaint]) -> list[tuple[Any, ...]]:
    """One row per complaint with what a LAPOR! entry records; times as WIB without a zone (spreadsheets
    take no zones), empty where there is none yet."""
    return [(c.tracking_number or "", c.number, _wib(c.received_at), c.category or "", c.destination or "",
             c.status.label, _wib(c.first_response_at), _wib(c.answered_at)) for c in complaints]


def lapor_csv(complaints: Sequence[Complaint]) -> bytes:
    """UTF-8 with a BOM, so spreadsheet programs read the accents right; times written as WIB."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(LAPOR_HEADER)
    for row in lapor_rows(complaints):
        writer.writerow([f"{cell:{DATE_FORMAT}}" if isinstance(cell, datetime) else cell for cell in row])
    return out.getvalue().encode("utf-8")


def recap_pdf(recap: Recap, config: Mapping[str, Any]) -> bytes:
    """The recap on A4 under the office letterhead, signed off by the Kepala Dinas (the configured signer)."""
    nip = str(config.get("SIGNER_NIP") or "").strip()
    head = Person(str(config["SIGNER_TITLE"]), str(config["SIGNER_NAME"]), nip if nip not in ("", "-") else None)
    html = render_template("complaints/recap_pdf.html", recap=recap, title=title(recap.month), office=office(),
                           table_header=table_header, made_at=made_at(recap), signatory=head,
                           printed_on=indonesian_date(recap.made_at.astimezone(WIB).date()))
    return render_pdf(html)


def recap_xlsx(recap: Recap) -> bytes:
    """A sheet for the summary, one per table, and the month's complaints as the LAPOR! export lists them."""
    book = Workbook()
    summary = book.active
    summary.title = "Ringkasan"
    _heading(summary, recap, "Ringkasan")
    summary.append(["Uraian", "Nilai"])
    _bold(summary, summary.max_row)
    for figure in recap.figures:
        summary.append([figure.label, figure.value])
        summary.cell(row=summary.max_row, column=2).number_format = figure.number_format
    _widths(summary, [70, 14])
    for table in recap.tables:
        _table_sheet(book.create_sheet(table.heading), recap, table)
    listing = book.create_sheet("Daftar Pengaduan")
    _heading(listing, recap, "Daftar pengaduan (waktu dalam WIB)")
    listing.append(list(LAPOR_HEADER))
    _bold(listing, listing.max_row)
    for row in lapor_rows(recap.complaints):
        listing.append(list(row))
        for cell in listing[listing.max_row]:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
    _widths(listing, [22, 18, 18, 22, 34, 30, 18, 18])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def table_header(table: Table) -> list[str]:
    """The column headings of a recap table."""
    return [table.heading, "Diterima", *(["Dijawab", "Tepat waktu"] if table.answers else [])]


def _table_sheet(sheet: Worksheet, recap: Recap, table: Table) -> None:
    _heading(sheet, recap, table.title)
    sheet.append(table_header(table))
    _bold(sheet, sheet.max_row)
    for row in (*table.rows, table.total):
        sheet.append([row.label, row.received, *([row.answered, row.on_time] if table.answers else [])])
    _bold(sheet, sheet.max_row)
    _widths(sheet, [48, 12, 12, 12])


def _heading(sheet: Worksheet, recap: Recap, what: str) -> None:
    sheet.append([title(recap.month)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([f"{recap.sop_name}: {what}"])
    sheet.append([f"Dibuat {made_at(recap)}"])
    sheet.append([])


def _bold(sheet: Worksheet, row: int) -> None:
    for cell in sheet[row]:
        cell.font = Font(bold=True)


def _widths(sheet: Worksheet, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _wib(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(WIB).replace(tzinfo=None)

