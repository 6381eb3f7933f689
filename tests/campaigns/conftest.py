"""Builders for the school campaign tests: the SOP's people, a school and a visit planned through the pages."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
import requests
from openpyxl import Workbook
from sqlmodel import Session, select

from campaigns.models import SchoolVisit
from campaigns.services import campaign_definition
from routing.definition import RoleDuty
from tests.tickets.conftest import csrf_token, login, make_staff
from tickets.staff import StaffUser

VISIT_DAY = date(2026, 8, 17)
HEADING = ["Nama", "NIK", "Tanggal Lahir", "Kelas"]


@pytest.fixture
def people(session: Session) -> dict[str, StaffUser]:
    """One account per role of the campaign SOP, by duty."""
    definition = campaign_definition()
    planner = definition.role_for(RoleDuty.PLAN_SCHOOL_VISITS)
    recorder, printer = definition.roles_for(RoleDuty.FIELD_WORK)
    return {
        "planner": make_staff(session, planner, username="koordinator", full_name="Rudi Koordinator"),
        "recorder": make_staff(session, recorder, username="perekam", full_name="Ani Perekam"),
        "printer": make_staff(session, printer, username="pencetak", full_name="Budi Pencetak"),
        "head": make_staff(session, definition.role_for(RoleDuty.SIGN), username="kadis",
                           full_name="Drs. Hendra Kadis"),
    }


def post(http: requests.Session, page: str, action: str, files: dict | None = None,
         **data: str | list[str]) -> requests.Response:
    """Send a form of `page` the way the browser does, with its CSRF token."""
    return http.post(action, data={"csrf_token": csrf_token(http.get(page).text), **data}, files=files)


def plan_visit(http: requests.Session, session: Session, people: dict[str, StaffUser], window: int = 0,
               school: str = "SMA Negeri 1 Kota Agung", kecamatan: str = "180601") -> SchoolVisit:
    """As the coordinator (logged in): add the school and plan its visit on VISIT_DAY."""
    post(http, "/sekolah/daftar-sekolah", "/sekolah/daftar-sekolah", nama=school, kecamatan=kecamatan,
         alamat="Jl. Samudera", kepala_sekolah="Dra. Sri Wahyuni")
    form = http.get("/sekolah/kunjungan/baru").text
    school_id = re.search(r'<option value="(\d+)"[^>]*>[^<]*' + re.escape(school), form)
    assert school_id, form
    done = post(http, "/sekolah/kunjungan/baru", "/sekolah/kunjungan/baru", sekolah=school_id.group(1),
                tanggal=VISIT_DAY.isoformat(), rentang_hari=str(window),
                petugas=[str(people["recorder"].id), str(people["printer"].id)], peralatan=["komputer", "blangko"])
    assert done.status_code == 200 and "Kunjungan direncanakan" in done.text, done.text
    return session.exec(select(SchoolVisit).order_by(SchoolVisit.id.desc())).first()  # type: ignore[union-attr]


def csv_file(rows: list[list[str]], heading: list[str] = HEADING) -> bytes:
    lines = [",".join(heading)] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def xlsx_file(rows: list[list[object]], heading: list[str] = HEADING) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(heading)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(http: requests.Session, visit: SchoolVisit, name: str, content: bytes) -> requests.Response:
    page = f"/sekolah/kunjungan/{visit.id}"
    return post(http, page, f"{page}/siswa", files={"berkas": (name, content)})


def logout_and_login(http: requests.Session, username: str) -> None:
    http.post("/keluar", data={"csrf_token": csrf_token(http.get("/sekolah/").text)})
    login(http, username)


def rendered(http: requests.Session, path: str, run_jobs, **params: object) -> requests.Response:  # type: ignore[no-untyped-def]
    """Ask for a PDF the worker renders: the request only queues it (the waiting page reloads itself), and
    after the worker ran the same page serves the file."""
    asked = http.get(path, params=params)
    assert asked.status_code == 202 and "Dokumen sedang disiapkan" in asked.text, asked.text
    assert '<meta http-equiv="refresh" content="2">' in asked.text
    run_jobs()
    made = http.get(asked.url)
    assert made.status_code == 200 and made.headers["Content-Type"] == "application/pdf"
    return made
