"""A school recording campaign through the pages: plan, import, the day, printing, the handover, the report."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import requests
from flask import Flask
from pypdf import PdfReader
from sqlmodel import Session, select

from campaigns.models import SchoolVisit, Student, StudentStatus
from campaigns.services import campaign_definition
from campaigns.students import is_eligible
from pdf_delivery.certificates import create_demo_certificate
from pdf_delivery.signing import verify_pdf
from tests.campaigns.conftest import (
    VISIT_DAY,
    csv_file,
    logout_and_login,
    plan_visit,
    post,
    rendered,
    upload,
    xlsx_file,
)
from routing.definition import StageDuty
from tests.berita_acara.conftest import save_artifact
from tests.tickets.conftest import act_via_form, login, make_staff, valid_outputs
from tickets.models import StageEvent, Ticket
from tickets.staff import StaffUser

PASSPHRASE = "tte-rahasia-uji"
NIK_A = "1806010508090001"
NIK_B = "1806014807090002"


def born_turning_17(day: date) -> str:
    return day.replace(year=day.year - 17).strftime("%d/%m/%Y")


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def students(session: Session, visit: SchoolVisit) -> list[Student]:
    session.expire_all()
    return list(session.exec(select(Student).where(Student.visit_id == visit.id).order_by(Student.id)))


def test_a_visit_is_planned_with_its_team_and_opens_a_ticket_on_the_campaign_sop(
        session: Session, http: requests.Session, people: dict[str, StaffUser]) -> None:
    login(http, "koordinator")
    visit = plan_visit(http, session, people)
    ticket = session.get(Ticket, visit.ticket_id)
    definition = campaign_definition()
    assert ticket is not None and ticket.workflow == definition.key and ticket.stage == definition.first_stage.key
    assert ticket.kecamatan_code == "180601" and visit.equipment == ["komputer", "blangko"]
    page = http.get(f"/sekolah/kunjungan/{visit.id}").text
    assert "SMA Negeri 1 Kota Agung" in page and "Ani Perekam" in page and "Budi Pencetak" in page
    assert "17/08/2026" in page and ticket.number in page


def test_a_bad_row_refuses_the_whole_file_and_duplicates_are_flagged(
        session: Session, http: requests.Session, people: dict[str, StaffUser]) -> None:
    login(http, "koordinator")
    visit = plan_visit(http, session, people)
    bad = csv_file([["Ahmad Fauzi", NIK_A, "05/08/2009", "XII IPA 1"],
                    ["Bunga Lestari", "", "31/02/2009", "XII IPA 1"],
                    ["Citra Dewi", "12345", "01/01/2009", "XII IPS 2"]])
    refused = upload(http, visit, "siswa.csv", bad)
    assert refused.status_code == 422
    assert "Baris 3: tanggal lahir &#39;31/02/2009&#39; tidak dikenali" in refused.text
    assert "Baris 4: NIK harus 16 angka" in refused.text and "12345" not in refused.text
    assert students(session, visit) == []  # nothing half-imported

    good = csv_file([["Ahmad Fauzi", NIK_A, "05/08/2009", "XII IPA 1"],
                     ["Bunga Lestari", "", "08/07/2009", "XII IPA 1"],
                     ["AHMAD  FAUZI", "", "05/08/2009", "XII IPA 2"],  # same name and birth date
                     ["Dewi Sartika", NIK_A, "01/01/2009", "XII IPS 1"]])  # same NIK
    done = upload(http, visit, "siswa.csv", good)
    assert "4 siswa diimpor" in done.text
    assert "Baris 4: nama dan tanggal lahir sama dengan baris 2" in done.text
    assert "Baris 5: NIK sama dengan baris 2" in done.text
    listed = students(session, visit)
    assert [s.duplicate_of_id is not None for s in listed] == [False, False, True, True]

    # The XLSX of a second visit: a date cell, a NIK as a number, and one student already listed.
    other = plan_visit(http, session, people, school="SMK Negeri 1 Talang Padang", kecamatan="180602")
    workbook = xlsx_file([["Eko Prasetyo", int(NIK_B), date(2009, 7, 8), "XII TKJ"],
                          ["Bunga Lestari", None, "08/07/2009", "XII TKJ"]])
    imported = upload(http, other, "siswa.xlsx", workbook)
    assert "2 siswa diimpor" in imported.text and "daftar kunjungan lain" in imported.text
    second = students(session, other)
    assert second[0].nik == NIK_B and second[0].birth_date == date(2009, 7, 8)
    assert second[1].duplicate_of_id == listed[1].id
    broken = upload(http, other, "siswa.xlsx", xlsx_file([["Fajar", None, "kemarin", "XII"]]))
    assert broken.status_code == 422 and "Baris 2: tanggal lahir" in broken.text
    assert len(students(session, other)) == 2


def test_eligibility_on_the_visit_date_and_within_the_window(
        session: Session, http: requests.Session, people: dict[str, StaffUser]) -> None:
    day_after = VISIT_DAY + timedelta(days=1)
    assert is_eligible(VISIT_DAY.replace(year=2009), VISIT_DAY, 0)
    assert not is_eligible(day_after.replace(year=2009), VISIT_DAY, 0)
    assert is_eligible(day_after.replace(year=2009), VISIT_DAY, 1)
    assert is_eligible(date(2008, 2, 29), date(2025, 3, 1), 0) and not is_eligible(date(2008, 2, 29),
                                                                                    date(2025, 2, 28), 0)
    login(http, "koordinator")
    for window, expected in ((0, ["Ya", "Belum", "Belum"]), (1, ["Ya", "Ya", "Belum"])):
        visit = plan_visit(http, session, people, window=window, school=f"SMA Jendela {window}")
        rows = [[f"Ani Tepat {window}", "", born_turning_17(VISIT_DAY), "XII"],
                [f"Budi Besok {window}", "", born_turning_17(day_after), "XII"],
                [f"Cici Lusa {window}", "", born_turning_17(day_after + timedelta(days=1)), "XII"]]
        upload(http, visit, "siswa.csv", csv_file(rows))
        page = http.get(f"/sekolah/kunjungan/{visit.id}").text
        cells = re.findall(r'<td class="nik">[^<]*</td>\s*<td>(Ya|Belum)</td>', page)
        assert cells == expected, (window, cells)


def test_the_day_page_records_each_students_status(
        session: Session, http: requests.Session, people: dict[str, StaffUser]) -> None:
    login(http, "koordinator")
    visit = plan_visit(http, session, people)
    upload(http, visit, "siswa.csv", csv_file([["Ahmad Fauzi", NIK_A, "05/08/2009", "XII"],
                                              ["Bunga Lestari", "", "08/07/2009", "XII"],
                                              ["Citra Dewi", "", "01/01/2009", "XII"]]))
    logout_and_login(http, "perekam")
    day = f"/sekolah/kunjungan/{visit.id}/hari-h"
    a, b, c = students(session, visit)
    assert all(f'id="siswa-{s.id}"' in http.get(day).text for s in (a, b, c))

    def tap(student: Student, status: StudentStatus, reason: str = "") -> requests.Response:
        return post(http, day, f"/sekolah/kunjungan/{visit.id}/siswa/{student.id}/status", status=status.value,
                    alasan=reason)

    tap(a, StudentStatus.DATA_CHECKED)
    tap(a, StudentStatus.RECORDED)
    tap(b, StudentStatus.ALREADY_RECORDED)
    refused = tap(c, StudentStatus.PROBLEM)
    assert "Tulis alasan masalah untuk Citra Dewi" in refused.text
    page = tap(c, StudentStatus.PROBLEM, "Data SIAK belum sesuai akta, perlu pemutakhiran")
    assert f'data-student="{c.id}" data-status="problem"' in page.text
    assert "Data SIAK belum sesuai akta, perlu pemutakhiran" in page.text
    assert [(s.status, s.problem) for s in students(session, visit)] == [
        ("recorded", None), ("already_recorded", None), ("problem", "Data SIAK belum sesuai akta, perlu pemutakhiran")]
    assert students(session, visit)[0].status_by_id == people["recorder"].id


def _visit_through_the_day(http: requests.Session, session: Session, people: dict[str, StaffUser],
                           school: str, kecamatan: str, rows: list[list[str]], recorded: int, printed: int,
                           ) -> SchoolVisit:
    """As the coordinator: plan, import, record the first `recorded` students and print the first `printed`."""
    visit = plan_visit(http, session, people, school=school, kecamatan=kecamatan)
    upload(http, visit, "siswa.csv", csv_file(rows))
    page = f"/sekolah/kunjungan/{visit.id}"
    listed = students(session, visit)
    for student in listed[:recorded]:
        post(http, page, f"{page}/siswa/{student.id}/status", status=StudentStatus.RECORDED.value)
    post(http, page, f"{page}/cetak", tercetak=[str(s.id) for s in listed[:printed]])
    return visit


def test_handover_berita_acara_names_the_school_is_signed_and_the_report_counts_match(
        app: Flask, session: Session, http: requests.Session, people: dict[str, StaffUser],
        run_jobs) -> None:  # type: ignore[no-untyped-def]
    login(http, "koordinator")
    first = _visit_through_the_day(http, session, people, "SMA Negeri 1 Kota Agung", "180601", [
        ["Ahmad Fauzi", NIK_A, "05/08/2009", "XII IPA 1"], ["Bunga Lestari", "", "08/07/2009", "XII IPA 1"],
        ["Citra Dewi", "", "01/01/2010", "XI IPA 1"], ["Ahmad Fauzi", "", "05/08/2009", "XII IPA 1"]],
        recorded=2, printed=2)
    second = _visit_through_the_day(http, session, people, "SMA Negeri 2 Kota Agung", "180601", [
        ["Dimas Saputra", NIK_B, "01/02/2009", "XII"], ["Eka Putri", "", "03/03/2009", "XII"]],
        recorded=2, printed=1)
    third = _visit_through_the_day(http, session, people, "SMK Negeri 1 Gisting", "180620", [
        ["Fajar Nugraha", "", "04/04/2009", "XII"]], recorded=1, printed=0)
    page = f"/sekolah/kunjungan/{first.id}"
    post(http, page, f"{page}/cetak", tercetak=[str(s.id) for s in students(session, first)[2:3]])
    assert [s.printed for s in students(session, first)][:3] == [True, True, False]  # not recorded: refused

    drawn = post(http, page, f"{page}/berita-acara")
    assert "Berita acara serah terima dibuat" in drawn.text
    draft = rendered(http, f"{page}/berita-acara.pdf", run_jobs)
    save_artifact("sekolah-berita-acara-konsep", draft.content)
    text = pdf_text(draft.content)
    assert "SMA Negeri 1 Kota Agung" in text and "KONSEP" in text and "Bunga Lestari" in text
    assert "Citra Dewi" not in text and NIK_A not in text and "1806********0001" in text

    logout_and_login(http, "kadis")
    create_demo_certificate(app.config, PASSPHRASE)
    assert "Passphrase TTE salah" in post(http, page, f"{page}/berita-acara/tandatangani", passphrase="salah").text
    signed = post(http, page, f"{page}/berita-acara/tandatangani", passphrase=PASSPHRASE)
    assert "Berita acara ditandatangani" in signed.text
    signed_pdf = http.get(f"{page}/berita-acara.pdf").content
    check = verify_pdf(signed_pdf)
    assert check.intact, check.problem
    text = pdf_text(signed_pdf)
    assert "SMA Negeri 1 Kota Agung" in text and "Drs. Hendra Kadis" in text and "KONSEP" not in text
    session.expire_all()
    code = session.get(SchoolVisit, first.id).handover_code  # type: ignore[union-attr]
    assert "Berita acara SAH" in requests.get(f"{http.base}/sekolah/verifikasi/{code}").text  # type: ignore[attr-defined]

    # The report against a direct count of what the pages recorded.
    report = http.get("/sekolah/laporan", params={"tahun": VISIT_DAY.year}).text
    all_students = [s for v in (first, second, third) for s in students(session, v) if s.duplicate_of_id is None]
    visits = {v.id: session.get(SchoolVisit, v.id) for v in (first, second, third)}
    expected = (3, len(all_students),
                sum(is_eligible(s.birth_date, VISIT_DAY, 0) for s in all_students),
                sum(StudentStatus(s.status).has_recording for s in all_students),
                sum(s.printed for s in all_students),
                sum(s.in_handover and visits[s.visit_id].handover_signed_at is not None for s in all_students))
    assert expected == (3, 6, 5, 5, 3, 2)
    total = re.search(r'data-row="Jumlah">(.*?)</tr>', report, re.S)
    assert total and [int(n) for n in re.findall(r"<strong>(\d+)</strong>", total.group(1))] == list(expected)
    kota_agung = re.search(r'data-row="Kota Agung"><td>Kota Agung</td>(.*?)</tr>', report)
    assert kota_agung and [int(n) for n in re.findall(r"<td>(\d+)</td>", kota_agung.group(1))] == [2, 5, 4, 4, 3, 2]
    pdf = rendered(http, "/sekolah/laporan.pdf", run_jobs, tahun=VISIT_DAY.year)
    save_artifact("sekolah-laporan", pdf.content)
    assert "LAPORAN PEREKAMAN KTP-EL DI SEKOLAH" in pdf_text(pdf.content) and "SMK Negeri 1 Gisting" in pdf_text(pdf.content)
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(http.get("/sekolah/laporan.xlsx", params={"tahun": VISIT_DAY.year}).content))
    last = list(book["Per kecamatan"].iter_rows(values_only=True))[-1]
    assert tuple(last) == ("Jumlah", *expected)


def test_access_and_nik_masking(session: Session, http: requests.Session, people: dict[str, StaffUser]) -> None:
    login(http, "koordinator")
    visit = plan_visit(http, session, people)
    upload(http, visit, "siswa.csv", csv_file([["Ahmad Fauzi", NIK_A, "05/08/2009", "XII"]]))
    assert NIK_A in http.get(f"/sekolah/kunjungan/{visit.id}").text  # the coordinator's role sees it in full

    logout_and_login(http, "kadis")  # signs and reads reports, never keys NIKs in
    page = http.get(f"/sekolah/kunjungan/{visit.id}")
    assert page.status_code == 200 and NIK_A not in page.text and "1806********0001" in page.text
    assert http.get(f"/sekolah/kunjungan/{visit.id}/hari-h").status_code == 403  # not on the field team

    make_staff(session, "call_center_agent", username="cc")
    logout_and_login(http, "cc")
    assert http.get("/sekolah/").status_code == 403
    assert http.get(f"/sekolah/kunjungan/{visit.id}").status_code == 403
    assert http.get("/sekolah/laporan").status_code == 403
    assert "Perekaman sekolah" not in http.get("/").text


def test_the_signature_moves_the_visit_ticket_on_once(app: Flask, session: Session, http: requests.Session,
                                                      people: dict[str, StaffUser]) -> None:
    definition = campaign_definition()
    handover_stage = definition.stage_for(StageDuty.SCHOOL_HANDOVER)
    login(http, "koordinator")
    visit = _visit_through_the_day(http, session, people, "SMA Negeri 1 Kota Agung", "180601", [
        ["Ahmad Fauzi", NIK_A, "05/08/2009", "XII IPA 1"]], recorded=1, printed=1)
    page = f"/sekolah/kunjungan/{visit.id}"
    post(http, page, f"{page}/berita-acara")
    ticket = session.get(Ticket, visit.ticket_id)
    assert ticket is not None
    accounts = {people[k].roles[0]: k for k in ("planner", "recorder", "printer")}
    usernames = {"planner": "koordinator", "recorder": "perekam", "printer": "pencetak"}
    for stage in definition.chain[:definition.chain.index(handover_stage)]:
        logout_and_login(http, usernames[accounts[str(stage.role)]])
        act_via_form(http, ticket.number, "claim")
        assert act_via_form(http, ticket.number, "advance", **valid_outputs(stage)).status_code in (200, 303)
    session.refresh(ticket)
    assert ticket.stage == handover_stage.key

    # Unsigned, the coordinator cannot move it by hand; the ticket page points to the visit's berita acara.
    logout_and_login(http, "koordinator")
    act_via_form(http, ticket.number, "claim")
    assert f"/sekolah/kunjungan/{visit.id}#serah-terima" in http.get(f"/tiket/{ticket.number}").text
    refused = act_via_form(http, ticket.number, "advance", **valid_outputs(handover_stage))
    assert "belum ditandatangani Kepala Dinas" in refused.text
    session.refresh(ticket)
    assert ticket.stage == handover_stage.key

    logout_and_login(http, "kadis")
    create_demo_certificate(app.config, PASSPHRASE)
    signed = post(http, page, f"{page}/berita-acara/tandatangani", passphrase=PASSPHRASE)
    assert "Berita acara ditandatangani" in signed.text and "belum berpindah tahap" not in signed.text
    session.refresh(ticket)
    assert ticket.stage == str(handover_stage.next)
    again = post(http, page, f"{page}/berita-acara/tandatangani", passphrase=PASSPHRASE)
    assert "sudah ditandatangani" in again.text
    with app.app_context():  # a retry of the move after the signature finds the ticket moved on
        from campaigns.handover import move_on_after_signing

        session.expire_all()
        stored = session.get(SchoolVisit, visit.id)
        assert stored is not None and move_on_after_signing(session, stored, people["head"], stored.handover_signed_at) is None
    moves = session.exec(select(StageEvent).where(StageEvent.ticket_id == ticket.id,
                                                  StageEvent.from_stage == handover_stage.key,
                                                  StageEvent.action == "advance")).all()
    assert [(m.actor_id, m.to_stage) for m in moves] == [(people["head"].id, str(handover_stage.next))]
