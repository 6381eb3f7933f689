"""The LAPOR! export: one row per complaint of the month with what a LAPOR! entry records, and nothing of
who filed it."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import Session

from complaints.recap import NO_CATEGORY, ComplaintStatus
from tests.support.complaint_months import HIDDEN, Expected, build_complaints, received_in_may
from tests.tickets.conftest import NIK, PHONE, login, make_staff

HEADER = ["Nomor Pelacakan LAPOR!", "Nomor Pengaduan", "Tanggal Diterima (WIB)", "Kategori", "Unit / Instansi Tujuan",
          "Status", "Tanggal Tanggapan Pertama (WIB)", "Tanggal Jawaban (WIB)"]


@pytest.fixture
def complaints(session: Session) -> dict[str, Expected]:
    return build_complaints(session)


def test_one_row_per_complaint_of_the_month_and_nothing_of_the_filer(http, session: Session,  # type: ignore[no-untyped-def]
                                                                     complaints: dict[str, Expected]) -> None:
    make_staff(session, "kepala_dinas")  # who may see a confidential filer on the ticket page, not in an export
    login(http, "kepala-dinas")

    response = http.get("/pengaduan/lapor.csv", params={"bulan": "2026-05"})

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # the charset said once
    assert 'filename="lapor-pengaduan-2026-05.csv"' in response.headers["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == HEADER
    by_number = {row[1]: dict(zip(HEADER, row, strict=True)) for row in rows[1:]}
    may = received_in_may(complaints)
    assert set(by_number) == {x.ticket.number for x in may} and len(rows) == 1 + len(may)

    slow = by_number[complaints["slow"].ticket.number]
    assert slow == {"Nomor Pelacakan LAPOR!": "LPR-2605-0042", "Nomor Pengaduan": complaints["slow"].ticket.number,
                    "Tanggal Diterima (WIB)": "2026-05-04 09:00", "Kategori": "Pelayanan lambat",
                    "Unit / Instansi Tujuan": "Sekretariat", "Status": ComplaintStatus.CLOSED.label,
                    "Tanggal Tanggapan Pertama (WIB)": "2026-05-04 11:00", "Tanggal Jawaban (WIB)": "2026-05-08 15:00"}
    referred = by_number[complaints["referred"].ticket.number]
    assert referred["Unit / Instansi Tujuan"] == "Dinas Sosial Kabupaten Tanggamus"
    assert referred["Status"] == ComplaintStatus.REFERRED.label and referred["Nomor Pelacakan LAPOR!"] == ""
    spam = by_number[complaints["spam"].ticket.number]
    assert (spam["Kategori"], spam["Status"], spam["Tanggal Tanggapan Pertama (WIB)"], spam["Tanggal Jawaban (WIB)"]) == \
        ("", ComplaintStatus.DISMISSED.label, "2026-05-18 11:00", "")
    # Received at 23:30 WIB on 31 May: dated as the office's calendar has it.
    assert by_number[complaints["late_night"].ticket.number]["Tanggal Diterima (WIB)"] == "2026-05-31 23:30"
    assert NO_CATEGORY not in response.text
    # The confidential pungli report is there with its LAPOR! number; its filer (nor anyone's) is not.
    pungli = by_number[complaints["pungli"].ticket.number]
    assert pungli["Nomor Pelacakan LAPOR!"] == "3107254" and pungli["Kategori"] == "Pungutan liar"
    text = response.content.decode("utf-8-sig")
    for value in (*HIDDEN.values(), HIDDEN["phone"].removeprefix("+62"), NIK, PHONE, PHONE.removeprefix("+62")):
        assert value not in text


def test_a_bad_month_is_refused(http, session: Session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "admin")
    login(http, "admin")
    refused = http.get("/pengaduan/lapor.csv", params={"bulan": "2026-5-1"})
    assert refused.status_code == 400 and "Bulan tidak dikenali" in refused.text
    empty = http.get("/pengaduan/lapor.csv", params={"bulan": "2020-01"})
    assert empty.content.decode("utf-8-sig").splitlines() == [",".join(HEADER)]
