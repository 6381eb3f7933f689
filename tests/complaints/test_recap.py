"""The monthly complaint recap: its numbers against a direct count of complaints built with known dates
(April to June 2026, across weekends and the May holidays), and the page, PDF and workbook that carry them."""

from __future__ import annotations

import io
import statistics
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import Session

from complaints.recap import NO_KECAMATAN, Month, Recap, build_recap, received_in
from layanan.clock import utcnow
from routing import workflow
from routing.definition import Definition
from tests.complaints.conftest import COMPLAINT_SOP
from tests.support.complaint_months import HIDDEN, MAY, Expected, build_complaints, received_in_may, wib
from tests.support.documents import SIGNER
from tests.tickets.conftest import login, make_staff


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return app_config | SIGNER


@pytest.fixture
def complaints(session: Session) -> dict[str, Expected]:
    return build_complaints(session)


def rows_of(recap: Recap, key: str) -> dict[str, tuple[int, int, int]]:
    """A table's non-empty rows: label -> (received, answered, on time)."""
    table = next(t for t in recap.tables if t.key == key)
    return {r.label: (r.received, r.answered, r.on_time) for r in table.rows if r.received}


def direct(expected: list[Expected], attribute: str) -> dict[str, tuple[int, int, int]]:
    """The same table counted straight from the complaints built above."""
    counts: dict[str, list[int]] = {}
    for x in expected:
        row = counts.setdefault(str(getattr(x, attribute)), [0, 0, 0])
        row[0] += 1
        row[1] += x.answered is not None
        row[2] += bool(x.on_time)
    return {label: tuple(row) for label, row in counts.items()}  # type: ignore[misc]


def test_the_recap_matches_a_direct_count_in_both_months(session: Session, complaints: dict[str, Expected]) -> None:
    definition: Definition = workflow(COMPLAINT_SOP)
    recap = build_recap(session, definition, MAY, datetime(2026, 6, 2, 3, tzinfo=UTC))
    may = received_in_may(complaints)
    answered = [x for x in may if x.answered is not None]

    assert {x.ticket.number for x in may} == {c.number for c in recap.complaints}
    assert len(may) == recap.total.received == 8  # neither April's, nor the one received after midnight WIB
    assert rows_of(recap, "kategori") == direct(may, "category")
    assert rows_of(recap, "unit") == direct(may, "unit")
    assert {label: n for label, (n, _, _) in rows_of(recap, "kecamatan").items()} == \
        Counter(x.kecamatan for x in may)
    assert {label: n for label, (n, _, _) in rows_of(recap, "status").items()} == \
        Counter(x.status.label for x in may)
    assert recap.total.answered == len(answered) == 4
    assert recap.total.on_time == sum(bool(x.on_time) for x in answered) == 3
    assert recap.on_time_share == pytest.approx(0.75)
    assert recap.median_days == pytest.approx(statistics.median(x.working_days for x in answered))  # type: ignore[type-var]
    assert recap.median_days == pytest.approx((38 / 8 + 44 / 8) / 2)
    # Every table adds up to the month's complaints; every kecamatan is listed, with "tidak disebut" last.
    assert all(t.total.received == 8 for t in recap.tables)
    kecamatan = next(t for t in recap.tables if t.key == "kecamatan")
    assert len(kecamatan.rows) == 21 and kecamatan.rows[0].label == "Kota Agung" and \
        kecamatan.rows[-1].label == NO_KECAMATAN

    # April has its own complaint, answered late in May.
    april = build_recap(session, definition, Month(2026, 4), datetime(2026, 6, 2, tzinfo=UTC))
    assert (april.total.received, april.total.answered, april.total.on_time) == (1, 1, 0)
    assert april.on_time_share == 0 and april.median_days == pytest.approx(complaints["april"].working_days)
    assert rows_of(april, "unit") == {"Sekretariat": (1, 1, 0)}


def test_each_answer_is_measured_against_the_deadline_its_class_set(session: Session,
                                                                    complaints: dict[str, Expected]) -> None:
    found = {c.number: c for c in received_in(session, workflow(COMPLAINT_SOP), Month(2026, 4).period)}
    found |= {c.number: c for c in received_in(session, workflow(COMPLAINT_SOP), MAY.period)}

    for name, x in complaints.items():
        if x.answered is None:
            continue
        c = found[x.ticket.number]
        # The hand-worked deadline over weekends and holidays is the one the ticket itself carried.
        assert c.answer_due_at == x.deadline == x.recorded_due, name
        assert c.answered_at == x.answered and c.on_time is x.on_time, name
        assert c.working_days_to_answer == pytest.approx(x.working_days), name
    assert found[complaints["referred"].ticket.number].destination == "Dinas Sosial Kabupaten Tanggamus"
    spam = found[complaints["spam"].ticket.number]
    assert spam.first_response_at == wib(5, 18, 11) and spam.answered_at is None and spam.on_time is None
    assert found[complaints["slow"].ticket.number].first_response_at == wib(5, 4, 11)  # the disposition
    assert found[complaints["reopened"].ticket.number].tracking_number is None


def test_month_parsing_and_the_last_full_month() -> None:
    assert Month.parse("2026-11") == Month(2026, 11) and Month(2026, 11).label == "November 2026"
    for bad in ("2026-13", "11-2026", "kemarin", "2026-1-1"):
        with pytest.raises(ValueError, match="TTTT-BB"):
            Month.parse(bad)
    # 00:30 WIB on 1 December is still 30 November in UTC: November is the month that has just ended.
    assert Month.last_full(datetime(2026, 11, 30, 17, 30, tzinfo=UTC)) == Month(2026, 11)
    assert Month.last_full(datetime(2026, 1, 15, tzinfo=UTC)) == Month(2025, 12)


def test_page_pdf_and_workbook_carry_the_numbers(http, session: Session, complaints: dict[str, Expected]) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "kepala_dinas")
    login(http, "kepala-dinas")

    page = http.get("/pengaduan/rekap", params={"bulan": "2026-05"})
    assert page.status_code == 200
    text = page.text
    assert "Rekapitulasi Pengaduan Masyarakat Bulan Mei 2026" in text
    assert "75,0%" in text and "5,1 hari kerja" in text and "Dirujuk ke instansi lain" in text
    assert HIDDEN["name"] not in text and HIDDEN["phone"] not in text

    pdf = http.get("/pengaduan/rekap.pdf", params={"bulan": "2026-05"})
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert 'filename="rekap-pengaduan-2026-05.pdf"' in pdf.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(pdf.content))
    printed = " ".join(p.extract_text() for p in reader.pages).replace("\n", " ")
    assert len(reader.pages) <= 3
    for words in ("PEMERINTAH KABUPATEN TANGGAMUS", "REKAPITULASI PENGADUAN MASYARAKAT BULAN MEI 2026",
                  "Per kategori pengaduan", "Per unit yang menangani", "Per kecamatan", "Per status",
                  "Pungutan liar", "75,0%", "5,1 hari kerja", "WIB", SIGNER["SIGNER_NAME"], SIGNER["SIGNER_NIP"]):
        assert words in printed, words
    assert HIDDEN["name"] not in printed and HIDDEN["nik"] not in printed

    workbook = http.get("/pengaduan/rekap.xlsx", params={"bulan": "2026-05"})
    assert workbook.status_code == 200
    book = load_workbook(io.BytesIO(workbook.content))
    assert book.sheetnames == ["Ringkasan", "Kategori", "Unit", "Kecamatan", "Status", "Daftar Pengaduan"]
    summary = {row[0]: row[1] for row in book["Ringkasan"].iter_rows(min_row=6, values_only=True)}
    assert summary["Pengaduan diterima"] == 8 and summary["Sudah dijawab"] == 4
    assert summary["Persentase dijawab tepat waktu (dari yang sudah dijawab)"] == pytest.approx(0.75)
    categories = {row[0]: row[1:] for row in book["Kategori"].iter_rows(min_row=6, values_only=True)}
    assert categories["Pelayanan lambat"] == (2, 1, 1) and categories["Pungutan liar"] == (1, 1, 0)
    assert categories["Jumlah"] == (8, 4, 3) and categories["Lainnya"] == (0, 0, 0)
    assert book["Kategori"]["A5"].value == "Kategori" and book["Kategori"]["B5"].value == "Diterima"
    listing = list(book["Daftar Pengaduan"].iter_rows(min_row=6, values_only=True))
    assert len(listing) == 8 and ("LPR-2605-0042", complaints["slow"].ticket.number) == listing[0][:2]
    assert listing[0][2] == datetime(2026, 5, 4, 9, 0)  # a real date, in WIB


def test_a_bad_month_says_so_and_shows_the_last_full_month(http, session: Session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "penyetuju_jawaban")
    login(http, "penyetuju-jawaban")
    default = Month.last_full(utcnow())
    assert f"Bulan {default.label}" in http.get("/pengaduan/rekap").text
    bad = http.get("/pengaduan/rekap", params={"bulan": "2026-13"})
    assert bad.status_code == 200 and "Bulan tidak dikenali" in bad.text and default.label in bad.text
    assert http.get("/pengaduan/rekap.pdf", params={"bulan": "kemarin"}).status_code == 400
    assert http.get("/pengaduan/rekap.doc").status_code == 404
    assert http.get("/pengaduan/rekap", params={"alur": "pengaduan_online_tanggamus"}).status_code == 404


# A complaint role without the duty, and a role that supervises the document chain only.
@pytest.mark.parametrize("role", ["unit_pengaduan", "kasi_identitas"])
def test_roles_that_do_not_supervise_complaints_get_403(http, session: Session, role: str) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, role, username="petugas")
    login(http, "petugas")
    for path in ("/pengaduan/rekap", "/pengaduan/rekap.pdf", "/pengaduan/rekap.xlsx", "/pengaduan/lapor.csv"):
        assert http.get(path, params={"bulan": "2026-05"}).status_code == 403, path


def test_admin_may_open_it_and_visitors_are_sent_to_log_in(http, session: Session) -> None:  # type: ignore[no-untyped-def]
    assert http.get("/pengaduan/rekap", allow_redirects=False).status_code == 302
    make_staff(session, "admin")
    login(http, "admin")
    assert http.get("/pengaduan/rekap").status_code == 200
