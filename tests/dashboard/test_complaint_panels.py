"""The complaint charts a feature registers on the dashboard: shown for the complaint SOP only, with the
numbers of complaints built with known dates, and links to the month's recap and LAPOR! export."""

from __future__ import annotations

import csv
import io
import re
from typing import Any
from xml.etree import ElementTree

import pytest
from flask import Flask
from sqlmodel import Session

from tests.complaints.conftest import COMPLAINT_SOP
from tests.support.complaint_months import Expected, build_complaints
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import login, make_staff
from tickets.dashboard_views import PANELS, register_panel

MAY = {"dari": "2026-05-01", "sampai": "2026-05-31"}
COMPLAINT_PANELS = ("pengaduan-per-unit", "pengaduan-tepat-waktu", "pengaduan-kategori")


@pytest.fixture
def complaints(session: Session) -> dict[str, Expected]:
    return build_complaints(session)


def chart_titles(html: str) -> list[str]:
    titles = []
    for svg in re.findall(r"<svg[^>]*role=\"img\".*?</svg>", html, flags=re.S):
        title = ElementTree.fromstring(svg).find("{http://www.w3.org/2000/svg}title")
        assert title is not None and title.text
        titles.append(title.text)
    return titles


def csv_rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.text
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_complaint_sop_shows_its_three_charts_with_their_numbers(http, session: Session, complaints: dict[str, Expected]) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "kepala_dinas")
    login(http, "kepala-dinas")

    page = http.get("/dasbor/", params={**MAY, "alur": COMPLAINT_SOP})

    assert page.status_code == 200
    titles = chart_titles(page.text)
    assert len(titles) == len(PANELS) + 3
    assert titles[-3:] == ["Pengaduan terbuka per unit", "Pengaduan dijawab tepat waktu", "Kategori pengaduan terbanyak"]
    for key in COMPLAINT_PANELS:
        assert f'id="panel-{key}"' in page.text
    # The links to the month's recap and LAPOR! export, for the month the period starts in.
    links = dict(re.findall(r'href="(/pengaduan/[^"]+)">([^<]+)</a>', page.text))
    assert links == {"/pengaduan/rekap?bulan=2026-05&amp;alur=" + COMPLAINT_SOP: "Rekap bulanan Mei 2026 (PDF, XLSX)",
                     "/pengaduan/lapor.csv?bulan=2026-05&amp;alur=" + COMPLAINT_SOP: "Ekspor LAPOR! Mei 2026 (CSV)"}
    assert http.get("/pengaduan/rekap", params={"bulan": "2026-05", "alur": COMPLAINT_SOP}).status_code == 200

    # Their numbers, as their CSV exports give them.
    period = {**MAY, "alur": COMPLAINT_SOP}

    units = {row[0]: row[1:] for row in csv_rows(http.get("/dasbor/pengaduan-per-unit.csv", params=period))[1:]}
    # Open now: the one disposed to the UPT (its answer due 26 May), the answered one waiting for its verdict
    # (a stage the citizen decides is never late), and three not yet disposed (all past their first deadline).
    assert units["UPT kecamatan"] == ["1", "1"] and units["Bidang PIAK"] == ["1", "0"]
    assert units["Belum didisposisi"] == ["3", "3"] and units["Sekretariat"] == ["0", "0"]

    on_time = csv_rows(http.get("/dasbor/pengaduan-tepat-waktu.csv", params=period))
    assert on_time[0] == ["kelas_pengaduan", "dijawab", "tepat_waktu", "persen"]
    # Answered in May: April's complaint (late) and four of May's, one of them late; the reopened one's second
    # answer is not counted again.
    assert on_time[1:] == [["Semua kelas", "5", "3", "60.0"], ["Informasi/pengaduan sederhana", "3", "2", "66.7"],
                           ["Perlu koordinasi", "2", "1", "50.0"], ["Perlu pemeriksaan lapangan", "0", "0", ""]]

    categories = csv_rows(http.get("/dasbor/pengaduan-kategori.csv", params=period))
    assert categories[1:] == [["Pelayanan lambat", "2"], ["Sikap petugas", "1"], ["Pungutan liar", "1"],
                              ["Persyaratan", "1"], ["Kesalahan data", "1"], ["Belum ditentukan", "2"]]


def test_the_document_sop_has_none_of_them(http, session: Session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "kepala_dinas")
    login(http, "kepala-dinas")

    page = http.get("/dasbor/", params={**MAY, "alur": TANGGAMUS})

    assert page.status_code == 200
    assert len(chart_titles(page.text)) == len(PANELS)
    assert "/pengaduan/rekap" not in page.text and "/pengaduan/lapor.csv" not in page.text
    for key in COMPLAINT_PANELS:
        assert f'id="panel-{key}"' not in page.text
        assert http.get(f"/dasbor/{key}.csv", params={**MAY, "alur": TANGGAMUS}).status_code == 404


def test_a_feature_cannot_take_a_core_panel_key(app: Flask) -> None:
    with pytest.raises(ValueError, match="core panel"):
        register_panel(app, "tahap", lambda b: None)
