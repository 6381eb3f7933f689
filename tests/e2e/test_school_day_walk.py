"""A school recording day in a real Chromium at 360 px: the field officer taps each student's state on the
day page as at the school, sees it after every tap and finds it stored; the page never scrolls sideways, every
button is big enough for a thumb, and it is photographed for a person to look at."""

from __future__ import annotations

from pathlib import Path

import requests
from playwright.sync_api import expect
from sqlmodel import Session, select

from campaigns.models import Student, StudentStatus
from tests.campaigns.conftest import csv_file, people, plan_visit, upload  # people: the fixture
from tests.conftest import LiveServer
from tests.support.browser import PHONE, click_and_wait, logged_in_page
from tests.tickets.conftest import login
from tickets.staff import StaffUser

ROWS = [["Ahmad Fauzi", "1806010508090001", "05/08/2009", "XII IPA 1"],
        ["Bunga Lestari", "1806014807090002", "08/07/2009", "XII IPA 1"],
        ["Raden Ayu Citra Dewi Kusumawardhani", "", "01/01/2009", "XII IPS 2"],
        ["Dimas Saputra", "", "03/03/2009", "XII IPS 2"]]
TARGETS = ".taps button, .problem button, .problem input[name=alasan]"
REASON = "Data SIAK belum sesuai akta, perlu pemutakhiran"


def _stored(session: Session, student: Student) -> tuple[str, str | None]:
    session.expire_all()
    row = session.get(Student, student.id)
    assert row is not None
    return row.status, row.problem


def _fits_a_thumb(page, shot: Path) -> None:  # type: ignore[no-untyped-def]
    """No sideways scroll at 360 px, no touch target under 44 px high or past the edge; photographed whole."""
    page.screenshot(path=str(shot), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, shot.name
    targets = page.locator(TARGETS)
    assert targets.count() == 5 * len(ROWS)
    for i in range(targets.count()):
        box = targets.nth(i).bounding_box()
        assert box is not None
        what = targets.nth(i).inner_text() or targets.nth(i).get_attribute("aria-label")
        assert box["height"] >= 44, f"{shot.name}: {what!r} is {box['height']} px high"
        assert box["x"] + box["width"] <= 360, f"{shot.name}: {what!r} past the edge"


def test_field_officer_taps_the_students_through_the_day_on_a_phone(
        session: Session, http: requests.Session, live_server: LiveServer, browser, artifacts: Path,
        people: dict[str, StaffUser]) -> None:  # type: ignore[no-untyped-def]
    login(http, "koordinator")
    visit = plan_visit(http, session, people)
    assert "4 siswa" in upload(http, visit, "siswa.csv", csv_file(ROWS)).text
    ahmad, bunga, citra, dimas = session.exec(
        select(Student).where(Student.visit_id == visit.id).order_by(Student.id)).all()

    page = logged_in_page(browser, live_server.url, people["recorder"].username, width=PHONE)
    page.goto(f"{live_server.url}/sekolah/kunjungan/{visit.id}/hari-h")
    assert "SMA Negeri 1 Kota Agung" in page.inner_text("h1")
    assert page.locator(".day-list li[data-student]").count() == 4
    assert page.inner_text(f"#siswa-{dimas.id} .now") == StudentStatus.PENDING.label
    _fits_a_thumb(page, artifacts / "sekolah-hari-h-360.png")

    def tap(student: Student, label: str) -> None:
        click_and_wait(page, page.locator(f"#siswa-{student.id} button", has_text=label))

    def shows(student: Student, status: StudentStatus) -> None:
        item = page.locator(f"#siswa-{student.id}")
        assert item.get_attribute("data-status") == status.value
        assert item.locator(".now").inner_text().startswith(status.label)
        if status is not StudentStatus.PROBLEM:
            assert item.locator("button.on").inner_text() == status.label, "the pressed state is not marked"
            colours = item.locator(".taps button").evaluate_all("bs => bs.map(b => getComputedStyle(b).backgroundColor)")
            assert len(set(colours)) == 2, f"the state tapped looks like the others: {colours}"

    # Bunga was recorded before: straight to the print list.
    tap(bunga, StudentStatus.ALREADY_RECORDED.label)
    shows(bunga, StudentStatus.ALREADY_RECORDED)
    assert page.url.endswith(f"/hari-h#siswa-{bunga.id}"), "the page comes back to the student tapped"
    assert _stored(session, bunga) == ("already_recorded", None)

    # Ahmad: data checked against the KK and akta, then recorded.
    tap(ahmad, StudentStatus.DATA_CHECKED.label)
    shows(ahmad, StudentStatus.DATA_CHECKED)
    assert _stored(session, ahmad) == ("data_checked", None)
    tap(ahmad, StudentStatus.RECORDED.label)
    shows(ahmad, StudentStatus.RECORDED)
    assert _stored(session, ahmad) == ("recorded", None)
    assert page.locator(f"#siswa-{ahmad.id} button.on").count() == 1

    # Citra has a problem: without a reason it is refused and said why; with one it is kept.
    tap(citra, "Bermasalah")
    expect(page.locator("body")).to_contain_text("Tulis alasan masalah untuk Raden Ayu Citra Dewi Kusumawardhani")
    assert _stored(session, citra) == ("pending", None)
    page.fill(f"#siswa-{citra.id} input[name=alasan]", REASON)
    tap(citra, "Bermasalah")
    shows(citra, StudentStatus.PROBLEM)
    assert page.inner_text(f"#siswa-{citra.id} .now") == f"Bermasalah: {REASON}"
    assert page.input_value(f"#siswa-{citra.id} input[name=alasan]") == REASON
    assert _stored(session, citra) == ("problem", REASON)
    assert _stored(session, dimas) == ("pending", None)

    problem = page.locator(f"#siswa-{citra.id} .problem button")
    assert problem.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(179, 38, 30)", "not red"

    counts = page.inner_text(".counts")
    for status, count in ((StudentStatus.PENDING, 1), (StudentStatus.ALREADY_RECORDED, 1),
                          (StudentStatus.DATA_CHECKED, 0), (StudentStatus.RECORDED, 1), (StudentStatus.PROBLEM, 1)):
        assert f"{status.label}: {count}" in counts, counts
    _fits_a_thumb(page, artifacts / "sekolah-hari-h-selesai-360.png")
    page.locator(f"#siswa-{citra.id}").screenshot(path=str(artifacts / "sekolah-hari-h-bermasalah-360.png"))
    page.context.close()
