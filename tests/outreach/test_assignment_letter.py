"""The Surat Tugas of an outreach visit through the pages with real logins: numbered per year without gaps,
rendered by the worker while the page says so, read only by those who may, and checked by its QR code's page."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests
from pypdf import PdfReader
from sqlmodel import Session, select

from layanan.clock import office_year, utcnow
from outreach import assignment_letter
from outreach.assignment_letter_models import AssignmentLetter
from outreach.models import OutreachRequest
from outreach.services import SERVICES, RequestForm, outreach_definition, schedule, submit_request
from routing.definition import RoleDuty, StageDuty
from tests.campaigns.conftest import post
from tests.tickets.conftest import login, make_staff
from tickets.staff import StaffUser

VISIT_DAY = date(2026, 8, 5)  # a Wednesday


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config["RENDER_RETRY_INTERVALS"] = [0]  # a failing rendering is tried twice, at once
    return app_config


def _roles() -> dict[str, str]:
    """The SOP's roles for each part, found by duty."""
    definition = outreach_definition()
    leader = str(definition.stage_for(StageDuty.FIELD_VISIT).role)
    planners = definition.roles_for(RoleDuty.PLAN_FIELD_VISITS)
    return {
        "leader": leader,
        "member": next(r for r in definition.roles_for(RoleDuty.FIELD_WORK) if r != leader),
        "planner": next(r for r in planners if r != leader),
        "signer": definition.role_for(RoleDuty.SIGN),
        "operator": next(r for r in definition.roles_for(RoleDuty.REQUEST_OUTREACH) if r not in planners),
    }


@pytest.fixture
def people(session: Session) -> dict[str, StaffUser]:
    roles = _roles()
    made = {
        "kabid": make_staff(session, roles["planner"], username="kabid", full_name="Ir. Yusuf Hidayat"),
        "leader": make_staff(session, roles["leader"], username="ketua-tim", full_name="Dedi Saputra, S.Kom"),
        "member": make_staff(session, roles["member"], username="anggota", full_name="Rina Marlina"),
        "outsider": make_staff(session, roles["member"], username="anggota-lain", full_name="Bambang Lain"),
        "operator": make_staff(session, roles["operator"], username="operator-pekon", kecamatan_code="180620"),
        "head": make_staff(session, roles["signer"], username="kadis", full_name="Drs. Hendra Wijaya, M.Si"),
    }
    nips = {"leader": "198805122010011003", "member": "199101012015032004", "head": "197002021995031001"}
    for key, nip in nips.items():
        made[key].nip = nip
        session.add(made[key])
    session.commit()
    return made


def planned_visit(session: Session, people: dict[str, StaffUser], requester: str = "Pekon Sukamaju",
                  day: date = VISIT_DAY, team: tuple[str, ...] = ("leader", "member")) -> OutreachRequest:
    """A request with its date and team, as the Kabid schedules it."""
    form = RequestForm(requester=requester, kecamatan_code="180620", pekon="Sukamaju", letter_number="470/12/2026",
                       expected_people=45, services=(SERVICES[0].value, SERVICES[1].value),
                       proposed_date=day, notes="")
    made = submit_request(session, form, people["kabid"])
    session.commit()
    schedule(session, made, day, [int(people[k].id or 0) for k in team], people["kabid"])
    return made


def issue(http: requests.Session, request_id: int) -> requests.Response:
    page = f"/jemput-bola/{request_id}/surat-tugas"
    return post(http, page, page)


def numbers(session: Session) -> list[str]:
    session.expire_all()
    return [letter.number for letter in session.exec(select(AssignmentLetter).order_by(AssignmentLetter.id))]


def test_letters_take_the_years_numbers_in_turn_and_the_worker_renders_them(
        session: Session, http: requests.Session, people: dict[str, StaffUser], run_jobs, artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    year = office_year(utcnow())
    first = planned_visit(session, people)
    login(http, "kabid")
    answer = issue(http, int(first.id or 0))
    assert answer.status_code == 200
    assert f"800.1.11.1/001/ST/Disdukcapil/{year} diterbitkan" in answer.text
    assert "Surat tugas sedang dibuat" in answer.text and 'http-equiv="refresh"' in answer.text

    again = issue(http, int(first.id or 0))  # same date and team: no second number
    assert "sudah diterbitkan" in again.text or "Terbitkan surat tugas" not in again.text
    assert numbers(session) == [f"800.1.11.1/001/ST/Disdukcapil/{year}"]

    run_jobs()
    page = http.get(f"/jemput-bola/{first.id}/surat-tugas")
    assert "sedang dibuat" not in page.text and 'http-equiv="refresh"' not in page.text
    link = re.search(r'href="(/jemput-bola/\d+/surat-tugas/\d+\.pdf)"', page.text)
    assert link, page.text
    pdf = http.get(link.group(1))
    assert pdf.headers["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    for expected in ("SURAT TUGAS", f"800.1.11.1/001/ST/Disdukcapil/{year}", "Dedi Saputra, S.Kom",
                     "198805122010011003", "Ketua Tim SIJARLA", "Rina Marlina", "199101012015032004",
                     "Rabu, 5 Agustus 2026", "Sukamaju, Kecamatan Gisting", "Pekon Sukamaju",
                     "Drs. Hendra Wijaya, M.Si", "NIP 197002021995031001", "/surat-tugas/verifikasi/"):
        assert expected in text, expected
    assert "Bambang Lain" not in text
    assert text.index("Dedi Saputra") < text.index("Rina Marlina")  # the team leader first
    _picture(pdf.content, artifacts)

    # The team changes: a new letter with the next number; another visit takes the one after.
    schedule(session, first, VISIT_DAY, [int(people["leader"].id or 0)], people["kabid"])
    assert "diterbitkan" in issue(http, int(first.id or 0)).text
    second = planned_visit(session, people, requester="SLB Negeri Tanggamus", day=date(2026, 8, 31))
    issue(http, int(second.id or 0))
    assert numbers(session) == [f"800.1.11.1/{n:03d}/ST/Disdukcapil/{year}" for n in (1, 2, 3)]


def _picture(pdf: bytes, artifacts: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed: the PDF was checked but not rendered to PNG")
    path = artifacts / "surat-tugas.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(artifacts / "surat-tugas")], check=True, timeout=120)
    assert (artifacts / "surat-tugas-1.png").exists()


def test_only_the_team_the_planners_and_the_heads_read_it(
        session: Session, http: requests.Session, people: dict[str, StaffUser], run_jobs) -> None:  # type: ignore[no-untyped-def]
    visit = planned_visit(session, people)
    login(http, "kabid")
    issue(http, int(visit.id or 0))
    run_jobs()
    letter = session.exec(select(AssignmentLetter)).one()
    pdf_url = f"/jemput-bola/{visit.id}/surat-tugas/{letter.id}.pdf"
    page = f"/jemput-bola/{visit.id}/surat-tugas"
    for username, status in (("anggota", 200), ("kadis", 200), ("anggota-lain", 403), ("operator-pekon", 403)):
        http.cookies.clear()
        login(http, username)
        assert http.get(page).status_code == status, username
        assert http.get(pdf_url).status_code == status, username
        visit_page = http.get(f"/jemput-bola/{visit.id}")
        if visit_page.status_code == 200:  # the visit's page links the letters only for those who may read them
            assert (f'href="{page}"' in visit_page.text) == (status == 200), username
    http.cookies.clear()
    login(http, "anggota")  # a team member reads the letter but does not issue one
    assert issue(http, int(visit.id or 0)).status_code == 403


def test_the_qr_codes_page_tells_the_letter_without_logging_in(
        session: Session, http: requests.Session, people: dict[str, StaffUser]) -> None:
    visit = planned_visit(session, people)
    login(http, "kabid")
    issue(http, int(visit.id or 0))
    letter = session.exec(select(AssignmentLetter)).one()
    http.cookies.clear()
    page = http.get(f"/surat-tugas/verifikasi/{letter.code}")
    assert page.status_code == 200
    for expected in (letter.number, "05/08/2026", "Dedi Saputra, S.Kom (Ketua Tim SIJARLA)", "Sukamaju"):
        assert expected in page.text, expected
    assert http.get("/surat-tugas/verifikasi/bukan-kode-yang-ada").status_code == 404


def test_no_letter_before_the_visit_has_a_date_and_team(
        session: Session, http: requests.Session, people: dict[str, StaffUser]) -> None:
    form = RequestForm(requester="Pekon Sukamaju", kecamatan_code="180620", pekon="Sukamaju", letter_number="",
                       expected_people=10, services=(SERVICES[0].value,), proposed_date=VISIT_DAY, notes="")
    made = submit_request(session, form, people["kabid"])
    session.commit()
    login(http, "kabid")
    page = http.get(f"/jemput-bola/{made.id}/surat-tugas")
    assert "Jadwalkan tanggal dan tim terlebih dahulu" in page.text and "Terbitkan surat tugas" not in page.text
    assert "Jadwalkan tanggal dan tim terlebih dahulu" in issue(http, int(made.id or 0)).text
    assert numbers(session) == []


def test_the_letter_page_while_rendering_and_when_ready_in_chromium(  # type: ignore[no-untyped-def]
        session: Session, live_server, browser, people: dict[str, StaffUser], run_jobs, artifacts: Path) -> None:
    from playwright.sync_api import expect

    from tests.support.browser import click_and_wait, logged_in_page

    visit = planned_visit(session, people)
    page = logged_in_page(browser, live_server.url, "kabid")
    page.goto(f"{live_server.url}/jemput-bola/{visit.id}")
    click_and_wait(page, "text=Surat tugas tim")
    click_and_wait(page, "text=Terbitkan surat tugas")
    # The page reloads itself every 2 seconds while the letter is made: the assertion retries across reloads.
    expect(page.locator("main")).to_contain_text("Surat tugas sedang dibuat")
    page.screenshot(path=str(artifacts / "surat-tugas-dibuat-1280.png"), full_page=True)
    run_jobs()
    expect(page.locator("text=Unduh PDF").first).to_be_visible()  # the page reloads itself
    page.wait_for_load_state()  # that reload's stylesheets applied before the width is measured
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(artifacts / "surat-tugas-siap-360.png"), full_page=True)
    page.context.close()


def printer_out_of_order(letter_id: int) -> str:
    raise RuntimeError("the PDF library crashed")


def test_a_letter_whose_pdf_cannot_be_made_says_so_and_is_made_again_when_asked(
        session: Session, http: requests.Session, live_server, browser, artifacts: Path,  # type: ignore[no-untyped-def]
        people: dict[str, StaffUser], run_jobs, monkeypatch: pytest.MonkeyPatch) -> None:
    visit = planned_visit(session, people)
    page = f"/jemput-bola/{visit.id}/surat-tugas"
    login(http, "kabid")
    assert "Surat tugas sedang dibuat" in issue(http, int(visit.id or 0)).text
    with monkeypatch.context() as broken:
        broken.setattr(assignment_letter, "render_letter", printer_out_of_order)  # what the worker runs, by name
        run_jobs()  # the try and its retry both fail

    failed = http.get(page).text
    assert "gagal dibuat" in failed and "Coba buat lagi" in failed
    assert 'http-equiv="refresh"' not in failed, "the page no longer waits for what will not come"
    assert "Unduh PDF" not in failed
    from playwright.sync_api import expect

    from tests.support.browser import PHONE, logged_in_page

    phone = logged_in_page(browser, live_server.url, "kabid", width=PHONE)
    phone.goto(f"{live_server.url}{page}")
    expect(phone.locator(".render-failed")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE
    phone.screenshot(path=str(artifacts / "surat-tugas-gagal-360.png"), full_page=True)
    phone.context.close()

    again = post(http, page, f"{page}/{numbered_letter(session).id}/buat-lagi")
    assert "sedang dibuat lagi" in again.text and 'http-equiv="refresh"' in again.text
    run_jobs()
    made = http.get(page).text
    assert "Unduh PDF" in made and "gagal dibuat" not in made

    nothing = post(http, page, f"{page}/{numbered_letter(session).id}/buat-lagi")
    assert "tidak ada yang diulang" in nothing.text, "a letter made already is not made twice"


def numbered_letter(session: Session) -> AssignmentLetter:
    session.expire_all()
    return session.exec(select(AssignmentLetter)).one()
