"""Outreach results by name and by address: the team's phone page, the list import (all or nothing), the visit's
report against the rows, its PDF made by the worker, and NIK masking for the roles that must not read it."""

from __future__ import annotations

import io
import re
from urllib.parse import urlparse

import pytest
import requests
from openpyxl import load_workbook
from sqlmodel import Session, select

from outreach.models import OutreachPerson
from outreach.people import CATEGORIES
from outreach.services import outreach_definition
from routing.definition import RoleDuty
from tests.berita_acara.conftest import pdf_text, save_artifact
from tests.campaigns.conftest import csv_file, post, xlsx_file
from tests.outreach.test_outreach import ask, enter, people, request_id  # noqa: F401 - the fixture
from tests.tickets.conftest import login, make_staff
from tickets.audit import AuditRecord
from tickets.constants import Service
from tickets.staff import StaffUser

NIK_A = "1806204107620001"
NIK_B = "1806201508550003"
HEADING = ["Nama", "NIK", "Pekon", "Dusun", "Layanan", "Catatan"]
KTP, KK, AKTA = Service.KTP_EL.value, Service.KK.value, Service.AKTA_KELAHIRAN.value


@pytest.fixture
def visit(session: Session, http: requests.Session, people: dict[str, StaffUser]) -> int:  # noqa: F811
    """A request scheduled by the Kabid, who stays logged in."""
    login(http, "operator-pekon")
    rid = request_id(ask(http))
    http.cookies.clear()
    login(http, "kabid")
    page = f"/jemput-bola/{rid}"
    post(http, page, f"{page}/jadwal", tanggal="2026-08-05", petugas=[str(people["leader"].id)])
    return rid


def chosen(html: str) -> str | None:
    """The result button pressed on the entry page."""
    found = re.search(r'name="kategori" id="[^"]*" value="([^"]*)"[^>]*checked', html)
    return found.group(1) if found else None


def rows(session: Session, rid: int) -> list[OutreachPerson]:
    session.expire_all()
    return list(session.exec(select(OutreachPerson).where(OutreachPerson.request_id == rid)
                             .order_by(OutreachPerson.id)))


def test_residents_are_entered_one_after_another_and_a_mistake_loses_nothing(
        session: Session, http: requests.Session, visit: int) -> None:
    first = enter(http, visit, nama="Sumarni", nik=NIK_A, pekon="180620:Gisting Atas", dusun="Dusun II RT 03",
                  kategori=KTP, catatan="lansia, direkam di rumah")
    assert first.status_code == 200 and "Sumarni dicatat: Perekaman KTP-el" in first.text
    # The next resident's form keeps the pekon, dusun and result chosen last; the name and NIK start empty.
    assert 'value="180620:Gisting Atas" selected' in first.text and 'value="Dusun II RT 03"' in first.text
    assert chosen(first.text) == KTP
    assert 'id="nama" name="nama" value=""' in first.text

    refused = enter(http, visit, nama="Paijo", nik="1806 2015 0855", pekon="180620:Gisting Atas", dusun="Dusun I",
                    kategori=KK, catatan="KK baru")
    assert refused.status_code == 422 and 'id="nik-error"' in refused.text and "NIK harus 16 angka" in refused.text
    for kept in ('value="Paijo"', 'value="1806 2015 0855"', 'value="Dusun I"', 'value="KK baru"',
                 'value="180620:Gisting Atas" selected'):
        assert kept in refused.text, kept
    assert chosen(refused.text) == KK

    nowhere = enter(http, visit, nama="Paijo", pekon="180620:Pekon Khayalan", kategori=KK)
    assert nowhere.status_code == 422 and "Pilih pekon/kelurahan dari daftar Kecamatan Gisting" in nowhere.text
    no_result = enter(http, visit, nama="Paijo", pekon="180620:Campang")
    assert no_result.status_code == 422 and 'id="kategori-error"' in no_result.text

    again = enter(http, visit, nama="Sumarni", nik=NIK_A, pekon="180620:Gisting Atas", kategori=KTP)
    assert again.status_code == 422 and "Sumarni sudah tercatat dengan hasil Perekaman KTP-el" in again.text
    other_result = enter(http, visit, nama="Sumarni", nik=NIK_A, pekon="180620:Gisting Atas", kategori=KK)
    assert "Sumarni dicatat: KK diperbarui" in other_result.text  # a second service for the same resident

    found = rows(session, visit)
    assert [(p.name, p.nik, p.pekon, p.dusun, p.category) for p in found] == [
        ("Sumarni", NIK_A, "Gisting Atas", "Dusun II RT 03", KTP), ("Sumarni", NIK_A, "Gisting Atas", "", KK)]

    removed = post(http, f"/jemput-bola/{visit}/warga", f"/jemput-bola/{visit}/warga/{found[1].id}/hapus")
    assert "Data warga dihapus" in removed.text and len(rows(session, visit)) == 1


def test_an_imported_list_is_taken_whole_or_not_at_all(session: Session, http: requests.Session,
                                                       visit: int) -> None:
    enter(http, visit, nama="Sumarni", nik=NIK_A, pekon="180620:Gisting Atas", kategori=KTP)
    page, action = f"/jemput-bola/{visit}/warga", f"/jemput-bola/{visit}/warga/impor"

    bad = csv_file([["Paijo", NIK_B, "Campang", "Dusun I", "KK", ""],
                    ["", "", "Campang", "", "KTP-el", ""],  # no name
                    ["Wagiyem", "12345", "Campang", "", "KIA", ""],  # a short NIK
                    ["Tukiman", "", "Ngawi", "", "KTP-el", ""],  # not a pekon of Gisting
                    ["Sarinah", "", "Campang", "", "Paspor", ""],  # not a result the team gives
                    ["Sumarni", NIK_A, "Gisting Atas", "", "KTP-el", ""],  # already entered on the page
                    ["Paijo", NIK_B, "campang", "", "kk", ""]], HEADING)  # the first row again
    refused = post(http, page, action, files={"berkas": ("warga.csv", bad)})
    assert refused.status_code == 422 and "Berkas tidak diimpor" in refused.text
    listed = re.findall(r"<li>(Baris \d+:[^<]*)</li>", refused.text)
    assert [line.split(":")[0] for line in listed] == ["Baris 3", "Baris 4", "Baris 5", "Baris 6", "Baris 7", "Baris 8"]
    assert "nama warga" in listed[0] and "NIK harus 16 angka" in listed[1] and "12345" not in refused.text
    assert "Gisting" in listed[2] and "Hasil layanan tidak dikenal" in listed[3]
    assert "duplikat, NIK sama dengan Sumarni" in listed[4] and "duplikat, NIK sama dengan baris 2" in listed[5]
    assert len(rows(session, visit)) == 1  # nothing of the file, not even its good first row

    good = xlsx_file([["Paijo", NIK_B, "Campang", "Dusun I", "KK", "pindah datang"],
                      ["Wagiyem", None, "Purwodadi", "RT 02", "Akta Kelahiran", None],
                      ["Tukiman", None, "Sidokaton", None, "KTP-el", None]], HEADING)
    taken = post(http, page, action, files={"berkas": ("warga.xlsx", good)})
    assert taken.status_code == 200 and "3 warga diimpor" in taken.text
    assert [(p.name, p.pekon, p.category, p.row_number) for p in rows(session, visit)][1:] == [
        ("Paijo", "Campang", KK, 2), ("Wagiyem", "Purwodadi", AKTA, 3), ("Tukiman", "Sidokaton", KTP, 4)]
    assert "Berkas XLSX tidak dapat dibaca" in post(http, page, action, files={
        "berkas": ("warga.xlsx", b"PK\x03\x04 rusak")}).text


def test_the_visit_report_counts_the_rows_by_pekon_and_result(
        session: Session, http: requests.Session, visit: int, run_jobs) -> None:  # type: ignore[no-untyped-def]
    entries = [("Sumarni", NIK_A, "Gisting Atas", KTP), ("Sumarni", NIK_A, "Gisting Atas", KK),
               ("Paijo", NIK_B, "Campang", KTP), ("Wagiyem", "", "Campang", AKTA), ("Tukiman", "", "Campang", KTP)]
    for name, nik, pekon, category in entries:
        enter(http, visit, nama=name, nik=nik, pekon=f"180620:{pekon}", kategori=category)
    stored = rows(session, visit)
    by_category = {c.value: sum(p.category == c.value for p in stored) for c in CATEGORIES}
    assert (len(stored), by_category[KTP], by_category[KK], by_category[AKTA]) == (5, 3, 1, 1)

    index = http.get("/jemput-bola/").text
    assert re.search(rf'data-request="{visit}">(?:(?!</tr>).)*data-label="Dilayani">5<', index, re.S)
    page = http.get(f"/jemput-bola/{visit}/laporan-hasil").text
    assert re.search(r'data-total="served">5<', page)
    for category, count in by_category.items():
        assert re.search(rf'data-category="{category}"><td>[^<]*</td><td>{count}</td>', page), category
    assert re.search(r'data-pekon="Campang">Campang, Kec. Gisting \(3\)', page)
    assert re.search(r'data-pekon="Gisting Atas">Gisting Atas, Kec. Gisting \(2\)', page)
    assert NIK_A in page  # the Kabid's role reads NIKs in full

    book = load_workbook(io.BytesIO(http.get(f"/jemput-bola/{visit}/laporan-hasil.xlsx").content))
    lines = list(book.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert [line[1] for line in lines[2:7]] == ["Paijo", "Tukiman", "Wagiyem", "Sumarni", "Sumarni"]
    assert lines[-1][1:] == ("Jumlah warga dilayani", 5, None, None, None, None, None)

    # The PDF is made by the worker: the request only queues it and the page waits.
    asked = http.get(f"/jemput-bola/{visit}/laporan-hasil.pdf")
    assert asked.status_code == 202 and "Dokumen sedang disiapkan" in asked.text
    assert '<meta http-equiv="refresh" content="2">' in asked.text and "/jemput-bola/dokumen/" in asked.url
    run_jobs()
    made = http.get(asked.url)
    assert made.status_code == 200 and made.headers["Content-Type"] == "application/pdf"
    text = pdf_text(made.content)
    assert "LAPORAN PELAKSANAAN JEMPUT BOLA" in text and "Campang, Kec. Gisting: 3 warga" in text
    assert "Tukiman" in text and NIK_A not in text and "1806********0001" in text  # masked on paper
    save_artifact("jemput-bola-hasil", made.content)
    session.expire_all()
    seen = session.exec(select(AuditRecord.detail).where(AuditRecord.action == "view_document")).all()
    assert f"/jemput-bola/{visit}/laporan-hasil.xlsx" in seen and urlparse(asked.url).path in seen


def test_roles_that_must_not_read_niks_see_them_masked(session: Session, http: requests.Session,
                                                        visit: int) -> None:
    enter(http, visit, nama="Sumarni", nik=NIK_A, pekon="180620:Gisting Atas", kategori=KTP)
    definition = outreach_definition()
    masked_role = next(r for r in definition.roles_for(RoleDuty.SUPERVISE) if r not in definition.roles_seeing_full_nik)
    make_staff(session, masked_role, username="pelaksana-harian")
    http.cookies.clear()
    login(http, "pelaksana-harian")
    page = http.get(f"/jemput-bola/{visit}/laporan-hasil").text
    assert "Sumarni" in page and NIK_A not in page and "1806********0001" in page
    book = load_workbook(io.BytesIO(http.get(f"/jemput-bola/{visit}/laporan-hasil.xlsx").content))
    assert NIK_A not in str(list(book.active.iter_rows(values_only=True)))  # type: ignore[union-attr]
    assert http.get(f"/jemput-bola/{visit}/warga").status_code == 403  # reads the report, does not enter
