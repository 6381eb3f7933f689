"""The sorting report as CSV and XLSX, with the same rows and totals as the printed report."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from berita_acara.sorting import SortingReport
from layanan.clock import format_wib

TITLE = "Laporan Pemilahan Berkas per Kecamatan"


def report_table(report: SortingReport) -> list[list[str | int]]:
    """Header, one row per kecamatan and the totals row, as cells."""
    header: list[str | int] = ["Kode Kecamatan", "Kecamatan", *[report.service_label(s) for s in report.services],
                               "Jumlah"]
    table: list[list[str | int]] = [header]
    for row in report.rows:
        table.append([row.code or "", row.name, *[row.counts[s] for s in report.services], row.total])
    table.append(["", "Jumlah", *[report.column_total(s) for s in report.services], report.grand_total])
    return table


def report_csv(report: SortingReport) -> bytes:
    """UTF-8 with a BOM and semicolons: Excel with Indonesian regional settings opens it in columns."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([TITLE])
    writer.writerow([report.scope_label])
    writer.writerows(report_table(report))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def report_xlsx(report: SortingReport) -> bytes:
    """One worksheet: title, scope, the table with a bold header and totals row."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Pemilahan"
    sheet.append([TITLE])
    sheet.append([report.scope_label])
    sheet.append([f"Dibuat {format_wib(report.generated_at)} WIB"])
    sheet.append([])
    table = report_table(report)
    first_row = sheet.max_row + 1
    for cells in table:
        sheet.append(cells)
    bold = Font(bold=True)
    sheet["A1"].font = Font(bold=True, size=13)
    for row_index in (first_row, first_row + len(table) - 1):
        for cell in sheet[row_index]:
            cell.font = bold
    widths = [16, 26] + [15] * (len(table[0]) - 2)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = sheet.cell(row=first_row + 1, column=3)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
