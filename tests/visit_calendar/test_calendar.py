"""The visits calendar through the pages with real logins: the month of all three kinds on their days, across
a month's edge, for section heads only; and the secret feed that calendar apps read, without residents' names."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import requests
from icalendar import Calendar
from sqlmodel import Session

from layanan.clock import to_wib, utcnow
from tests.campaigns.conftest import post
from tests.tickets.conftest import login
from tests.visit_calendar.visits import (
    SIAGA_REPORTER,
    SIAGA_RESIDENT,
    field_staff,
    outreach_visit,
    school_visit,
    siaga_visit,
)
from tickets.staff import StaffUser


@pytest.fixture
def staff(session: Session) -> dict[str, StaffUser]:
    return field_staff(session)


def cell(html: str, day: date) -> str:
    """The month grid's cell of a day."""
    found = re.search(rf'<td [^>]*data-day="{day.isoformat()}">(.*?)</td>', html, re.S)
    assert found, f"{day} is not in the grid"
    return found.group(1)


def kinds_in(cell_html: str) -> list[str]:
    return re.findall(r'data-kind="([^"]+)"', cell_html)


def test_the_month_shows_each_kind_on_its_day_across_the_months_edge(
        session: Session, http: requests.Session, staff: dict[str, StaffUser]) -> None:
    school_visit(session, staff, "SMA Negeri 1 Kota Agung", "180601", date(2026, 7, 30))
    siaga = siaga_visit(session, staff, "Sukamaju", "180620", date(2026, 8, 3))
    outreach = outreach_visit(session, staff, "Pekon Way Halom", "180620", "Way Halom", date(2026, 8, 31))
    school_visit(session, staff, "SMK Negeri 1 Gisting", "180620", date(2026, 9, 1))
    login(http, "kepala-bidang")

    august = http.get("/kalender/", params={"bulan": "2026-08"}).text
    assert "<h2 id=\"bulan\">Agustus 2026</h2>" in august
    assert all(name in august for name in ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"))
    assert "?bulan=2026-07" in august and "Juli 2026" in august and "?bulan=2026-09" in august
    # 1 August 2026 is a Saturday: the grid opens on Monday 27 July and closes on Sunday 6 September.
    assert kinds_in(cell(august, date(2026, 7, 30))) == ["sekolah"]
    assert kinds_in(cell(august, date(2026, 8, 3))) == ["siaga"]
    assert kinds_in(cell(august, date(2026, 8, 31))) == ["jemput-bola"]
    assert kinds_in(cell(august, date(2026, 9, 1))) == ["sekolah"]
    assert kinds_in(cell(august, date(2026, 8, 4))) == []
    assert 'class="outside' in august.split('data-day="2026-07-30"')[0].rsplit("<td", 1)[1]
    assert "Kunjungan Dukcapil Siaga" in cell(august, date(2026, 8, 3))
    assert f'href="/siaga/{_ticket_number(session, siaga.ticket_id)}"' in august
    assert f'href="/jemput-bola/{outreach.id}"' in august and "Pekon Way Halom" in august
    assert SIAGA_RESIDENT not in august and SIAGA_REPORTER not in august

    september = http.get("/kalender/", params={"bulan": "2026-09"}).text
    assert "September 2026" in september
    assert kinds_in(cell(september, date(2026, 8, 31))) == ["jemput-bola"]  # a Monday: the grid's first day
    assert kinds_in(cell(september, date(2026, 9, 1))) == ["sekolah"]
    assert 'data-day="2026-08-30"' not in september

    july = http.get("/kalender/", params={"bulan": "2026-07"}).text
    assert kinds_in(cell(july, date(2026, 7, 30))) == ["sekolah"]
    assert 'data-day="2026-08-03"' not in july  # the July grid ends on Sunday 2 August


def _ticket_number(session: Session, ticket_id: int) -> str:
    from tickets.models import Ticket

    ticket = session.get(Ticket, ticket_id)
    assert ticket is not None
    return ticket.number


def test_only_section_heads_open_the_calendar(
        session: Session, http: requests.Session, staff: dict[str, StaffUser]) -> None:
    login(http, "perekam")
    assert http.get("/kalender/").status_code == 403
    assert "Kalender kunjungan" not in http.get("/").text
    http.cookies.clear()
    login(http, "kepala-bidang")
    assert 'href="/kalender/"' in http.get("/kalender/").text  # the menu links it


def test_the_feed_has_every_visit_and_no_residents_name(
        session: Session, http: requests.Session, staff: dict[str, StaffUser]) -> None:
    today = to_wib(utcnow()).date()
    school_visit(session, staff, "SMA Negeri 2 Talang Padang", "180602", today + timedelta(days=10))
    siaga_visit(session, staff, "Sinar Semendo", "180620", today + timedelta(days=11))
    outreach_visit(session, staff, "Pekon Banjarmanis", "180620", "Banjarmanis", today + timedelta(days=12))
    login(http, "kepala-bidang")
    page = post(http, "/kalender/", "/kalender/langganan")
    url = re.search(r"(http://[^\s<]+/kalender/langganan/[^\s<]+\.ics)", page.text)
    assert url, page.text

    reader = requests.get(url.group(1), timeout=30)  # a calendar app: no login, no cookie
    assert reader.status_code == 200 and reader.headers["Content-Type"].startswith("text/calendar")
    events = {str(e["summary"]): e for e in Calendar.from_ical(reader.content).walk("VEVENT")}
    assert set(events) == {"Perekaman KTP-el SMA Negeri 2 Talang Padang", "Kunjungan Dukcapil Siaga",
                           "Jemput bola Pekon Banjarmanis"}
    siaga = events["Kunjungan Dukcapil Siaga"]
    assert siaga.decoded("dtstart") == today + timedelta(days=11)
    assert str(siaga["location"]) == "Pekon Sinar Semendo, Kec. Gisting"
    assert events["Perekaman KTP-el SMA Negeri 2 Talang Padang"].decoded("dtstart") == today + timedelta(days=10)
    assert events["Jemput bola Pekon Banjarmanis"].decoded("dtend") == today + timedelta(days=13)
    assert str(events["Jemput bola Pekon Banjarmanis"]["url"]).startswith(http.base + "/jemput-bola/")
    body = reader.content.decode()
    for private in (SIAGA_RESIDENT, SIAGA_REPORTER, "6281234567890"):
        assert private not in body

    base = url.group(1).rsplit("/", 1)[0]
    assert requests.get(f"{base}/salah-tebak-token.ics", timeout=30).status_code == 404
    post(http, "/kalender/", "/kalender/langganan")  # a new address ends the old one
    assert requests.get(url.group(1), timeout=30).status_code == 404
