"""The sorting report from a generated month: PDF text, CSV and XLSX agree with a direct count."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import requests
from flask import Flask
from openpyxl import load_workbook
from sqlmodel import Session

from berita_acara.exports import report_csv, report_xlsx
from berita_acara.render import Person, sorting_report_pdf
from berita_acara.sorting import Period, PeriodError, batch_report, period_report
from tests.berita_acara.conftest import WIB, Sorted, direct_counts, insert_sorted_tickets, pdf_text, save_artifact
from tests.tickets.conftest import login, make_staff
from tickets.constants import DOCUMENT_SERVICES
from tickets.kecamatan import KECAMATAN

import pytest

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))
START = datetime(2026, 11, 1, tzinfo=WIB).astimezone(UTC)
END = datetime(2026, 12, 1, tzinfo=WIB).astimezone(UTC)


def test_period_counts_match_a_direct_count(session: Session, november: list[Sorted]) -> None:
    expected = direct_counts(november, START, END)
    report = period_report(session, NOVEMBER)
    assert 0 < report.grand_total == sum(expected.values()) < len(november)  # days either side left out
    for row in report.rows:
        for service in report.services:
            assert row.counts[service] == expected[(row.code, service)], (row.name, service)
    assert len(report.rows) == len(KECAMATAN)


def test_period_bounds_are_whole_days_in_wib(session: Session) -> None:
    # 00:10 WIB on 1 December is still 30 November in UTC: it belongs to December's report.
    moments = [datetime(2026, 11, 1, 0, 5, tzinfo=WIB), datetime(2026, 11, 30, 23, 55, tzinfo=WIB),
               datetime(2026, 12, 1, 0, 10, tzinfo=WIB), datetime(2026, 10, 31, 23, 59, tzinfo=WIB)]
    insert_sorted_tickets(session, len(moments), moments[0], 1, moments=moments)
    assert period_report(session, NOVEMBER).grand_total == 2
    assert period_report(session, Period(date(2026, 12, 1), date(2026, 12, 1))).grand_total == 1
    assert period_report(session, Period(date(2026, 10, 31), date(2026, 12, 1))).grand_total == 4


def test_period_the_wrong_way_round_is_refused() -> None:
    with pytest.raises(PeriodError, match="tidak boleh sebelum"):
        Period(date(2026, 11, 30), date(2026, 11, 1))


def test_pdf_text_shows_the_counted_numbers(app: Flask, session: Session, november: list[Sorted]) -> None:
    expected = direct_counts(november, START, END)
    report = period_report(session, NOVEMBER)
    pdf = sorting_report_pdf(report, Person("Petugas Pemilah Berkas", "Petugas Pemilah Uji"))
    text = pdf_text(pdf)
    assert "PEMERINTAH KABUPATEN TANGGAMUS" in text
    assert "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL" in text
    assert "1 November 2026 s.d. 30 November 2026" in text
    services = [s.value for s in DOCUMENT_SERVICES]
    for kecamatan in KECAMATAN:
        line = next(line for line in text.splitlines() if re.search(rf"\d+\s*{kecamatan.name}\s+\d", line))
        numbers = [int(n) for n in re.findall(r"\d+", line.split(kecamatan.name, 1)[1])]
        row = [expected[(kecamatan.code, s)] for s in services]
        assert numbers == row + [sum(row)], kecamatan.name
    total_line = next(line for line in text.splitlines() if line.strip().startswith("Jumlah"))
    assert [int(n) for n in re.findall(r"\d+", total_line)][-1] == sum(expected.values())
    save_artifact("laporan-pemilahan-november", pdf)


def test_csv_and_xlsx_match_the_direct_count(session: Session, november: list[Sorted]) -> None:
    expected = direct_counts(november, START, END)
    report = period_report(session, NOVEMBER)
    services = [s.value for s in DOCUMENT_SERVICES]
    data = report_csv(report)
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    by_code = {r[0]: r for r in rows if re.fullmatch(r"1806\d\d", r[0] or "")}
    book = load_workbook(io.BytesIO(report_xlsx(report)))
    sheet_rows = {r[0]: r for r in book.active.iter_rows(values_only=True) if r and isinstance(r[0], str)
                  and re.fullmatch(r"1806\d\d", r[0])}
    for kecamatan in KECAMATAN:
        row = [expected[(kecamatan.code, s)] for s in services]
        assert [int(n) for n in by_code[kecamatan.code][2:]] == row + [sum(row)]
        assert list(sheet_rows[kecamatan.code][2:]) == row + [sum(row)]
    assert rows[-1][1] == "Jumlah" and int(rows[-1][-1]) == sum(expected.values())


def test_current_batch_counts_tickets_not_yet_in_a_berita_acara(session: Session) -> None:
    made = insert_sorted_tickets(session, 60, datetime(2026, 11, 20, tzinfo=WIB), 3, seed=3)
    report = batch_report(session)
    assert report.grand_total == len(made)
    assert report.scope_label.startswith("Batch berjalan")


def test_downloads_over_http(app: Flask, session: Session, http: requests.Session, november: list[Sorted],
                             run_jobs) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")
    landing = login(http, "sorter")
    assert "Laporan pemilahan" in landing.text  # the navigation leads to the report
    form = http.get("/berita-acara/pemilahan")
    assert form.status_code == 200 and 'name="dari"' in form.text
    expected = sum(direct_counts(november, START, END).values())
    args = {"dari": "2026-11-01", "sampai": "2026-11-30"}
    csv_response = http.get("/berita-acara/pemilahan/laporan.csv", params=args)
    assert csv_response.status_code == 200
    assert "attachment" in csv_response.headers["Content-Disposition"]
    last = csv_response.content.decode("utf-8-sig").strip().splitlines()[-1].split(";")
    assert int(last[-1]) == expected
    waiting = http.get("/berita-acara/pemilahan/laporan.pdf", params=args)
    assert waiting.status_code == 202 and "PDF sedang disiapkan" in waiting.text  # the worker prints it
    run_jobs()
    pdf = http.get(waiting.url)
    assert pdf.headers["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    total_line = next(line for line in pdf_text(pdf.content).splitlines() if line.strip().startswith("Jumlah"))
    assert int(re.findall(r"\d+", total_line)[-1]) == expected
    xlsx = http.get("/berita-acara/pemilahan/laporan.xlsx", params={"batch": "1"})
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    bad = http.get("/berita-acara/pemilahan/laporan.csv", params={"dari": "2026-11-30", "sampai": "2026-11-01"})
    assert bad.status_code == 400 and "tidak boleh sebelum" in bad.text
    save_artifact("laporan-pemilahan-unduhan", pdf.content)


def test_report_is_for_the_office_roles_only(session: Session, http: requests.Session) -> None:
    make_staff(session, "courier_officer")
    login(http, "courier-officer")
    assert http.get("/berita-acara/pemilahan/laporan.csv", params={"batch": "1"}).status_code == 403
