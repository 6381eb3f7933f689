"""The outreach charts the features register on the dashboard: each shown for its own SOP only, its numbers
(through the chart's CSV) against a direct count in the database."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import bindparam, text
from sqlmodel import Session

from campaigns.models import Student, StudentStatus
from campaigns.services import campaign_definition
from layanan.clock import utcnow
from outreach.models import OutreachPerson
from outreach.services import SERVICES, outreach_definition
from routing.definition import RoleDuty
from siaga.models import SiagaReport
from siaga.services import siaga_definition
from tests.tickets.conftest import login, make_staff, make_ticket
from tests.visit_calendar.visits import field_staff, outreach_visit, school_visit
from tickets.constants import Channel, Service
from tickets.models import Ticket
from tickets.staff import StaffUser

AUGUST = {"dari": "2026-08-01", "sampai": "2026-08-31"}
KOTA_AGUNG, GISTING, PUGUNG = "180601", "180620", "180611"


@pytest.fixture
def staff(session: Session) -> dict[str, StaffUser]:
    return field_staff(session)


@pytest.fixture
def head(session: Session, http: requests.Session) -> requests.Session:
    """Logged in as a role that supervises all three SOPs."""
    heads = (set(campaign_definition().roles_for(RoleDuty.SUPERVISE)) & set(siaga_definition().roles_for(
        RoleDuty.SUPERVISE)) & set(outreach_definition().roles_for(RoleDuty.SUPERVISE)))
    make_staff(session, sorted(heads)[0], username="pimpinan")
    login(http, "pimpinan")
    return http


def rows(http: requests.Session, key: str, alur: str, **period: str) -> list[list[str]]:
    answer = http.get(f"/dasbor/{key}.csv", params={**(period or AUGUST), "alur": alur})
    assert answer.status_code == 200, answer.text
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))


def direct(session: Session, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """A count written straight in SQL, beside the panel's own code."""
    query = text(sql)
    if "closed" in params:
        query = query.bindparams(bindparam("closed", expanding=True))
    return [tuple(r) for r in session.execute(query, params).all()]


def students(session: Session, visit_id: int, *statuses: StudentStatus, duplicate_of: int | None = None) -> None:
    for i, status in enumerate(statuses):
        session.add(Student(visit_id=visit_id, row_number=i + 2, name=f"Siswa {visit_id}-{i}", birth_date=date(2009, 1, 1),
                            class_name="XII", status=status, duplicate_of_id=duplicate_of))
    session.commit()


def test_campaigns_done_and_students_recorded_per_kecamatan(
        session: Session, head: requests.Session, staff: dict[str, StaffUser]) -> None:
    definition = campaign_definition()
    one = school_visit(session, staff, "SMA Negeri 1 Kota Agung", KOTA_AGUNG, date(2026, 8, 4))
    two = school_visit(session, staff, "SMK Negeri 1 Kota Agung", KOTA_AGUNG, date(2026, 8, 20))
    three = school_visit(session, staff, "SMA Negeri 1 Gisting", GISTING, date(2026, 8, 31))
    later = school_visit(session, staff, "SMA Negeri 2 Gisting", GISTING, date(2026, 9, 1))
    students(session, int(one.id or 0), StudentStatus.RECORDED, StudentStatus.RECORDED, StudentStatus.RECORDED,
             StudentStatus.ALREADY_RECORDED, StudentStatus.PROBLEM)
    first_student = direct(session, "SELECT min(id) FROM school_student")[0][0]
    students(session, int(one.id or 0), StudentStatus.RECORDED, duplicate_of=first_student)  # listed twice
    students(session, int(two.id or 0), StudentStatus.RECORDED, StudentStatus.RECORDED)
    students(session, int(three.id or 0), StudentStatus.RECORDED, StudentStatus.PENDING)
    students(session, int(later.id or 0), StudentStatus.RECORDED)
    ticket = session.get(Ticket, one.ticket_id)
    assert ticket is not None
    ticket.stage = definition.done_stage.key
    session.add(ticket)
    session.commit()

    table = rows(head, "sekolah-per-kecamatan", definition.key)
    assert table[0] == ["kode_kecamatan", "kecamatan", "kunjungan", "kunjungan_selesai", "siswa_direkam"]
    assert table[1:] == [[GISTING, "Gisting", "1", "0", "1"], [KOTA_AGUNG, "Kota Agung", "2", "1", "5"]]
    counted = direct(session, """
        SELECT s.kecamatan_code, count(DISTINCT v.id),
               count(DISTINCT CASE WHEN t.stage = :done THEN v.id END),
               (SELECT count(*) FROM school_student st JOIN school_visit v2 ON v2.id = st.visit_id
                  JOIN school s2 ON s2.id = v2.school_id
                 WHERE s2.kecamatan_code = s.kecamatan_code AND st.status = :recorded AND st.duplicate_of_id IS NULL
                   AND v2.visit_date BETWEEN :first AND :last)
          FROM school_visit v JOIN school s ON s.id = v.school_id JOIN ticket t ON t.id = v.ticket_id
         WHERE v.visit_date BETWEEN :first AND :last GROUP BY s.kecamatan_code ORDER BY s.kecamatan_code""",
        done=definition.done_stage.key, recorded=StudentStatus.RECORDED.value,
        first=date(2026, 8, 1), last=date(2026, 8, 31))
    assert sorted((r[0], *r[2:]) for r in table[1:]) == sorted(tuple(str(x) for x in r) for r in counted)

    page = head.get("/dasbor/", params={**AUGUST, "alur": definition.key}).text
    assert 'id="panel-sekolah-per-kecamatan"' in page and "5 siswa · 1/2 kunjungan selesai" in page
    assert 'id="panel-siaga-menunggu"' not in page and 'id="panel-jemput-bola-per-kecamatan"' not in page


def test_people_reached_per_kecamatan_by_outreach(
        session: Session, head: requests.Session, staff: dict[str, StaffUser]) -> None:
    definition = outreach_definition()
    by_name = outreach_visit(session, staff, "Pekon Sukamaju", GISTING, "Sukamaju", date(2026, 8, 5))
    for name, kecamatan in (("Ani", GISTING), ("Budi", GISTING), ("Citra", KOTA_AGUNG)):  # a neighbour came too
        session.add(OutreachPerson(request_id=int(by_name.id or 0), name=name, kecamatan_code=kecamatan,
                                   pekon="Sukamaju", category=SERVICES[0].value,
                                   recorded_by_id=int(staff["outreach_officer"].id or 0)))
    by_name.results_at = utcnow()
    session.add(by_name)
    session.commit()
    outreach_visit(session, staff, "Panti Werdha Kota Agung", KOTA_AGUNG, "Pasar Madang", date(2026, 8, 12),
                   results={SERVICES[0].value: 4, SERVICES[1].value: 2})
    outreach_visit(session, staff, "Pekon Pugung Raharjo", PUGUNG, "Pugung Raharjo", date(2026, 8, 25))
    cancelled = outreach_visit(session, staff, "Pekon Batal", GISTING, "Batal", date(2026, 8, 26),
                               results={SERVICES[0].value: 10})
    ticket = session.get(Ticket, cancelled.ticket_id)
    assert ticket is not None and definition.rejected_stage is not None
    ticket.stage = definition.rejected_stage.key
    session.add(ticket)
    session.commit()
    outreach_visit(session, staff, "Pekon September", GISTING, "Sukamaju", date(2026, 9, 2),
                   results={SERVICES[0].value: 50})

    table = rows(head, "jemput-bola-per-kecamatan", definition.key)
    assert table[0] == ["kode_kecamatan", "kecamatan", "kunjungan", "kunjungan_dilaporkan", "warga_dilayani"]
    # The most served first; the neighbour by name counts in Kota Agung, beside that kecamatan's own visit.
    assert table[1:] == [[KOTA_AGUNG, "Kota Agung", "1", "1", "7"], [GISTING, "Gisting", "1", "1", "2"],
                         [PUGUNG, "Pugung", "1", "0", "0"]]
    served = sum(int(r[4]) for r in table[1:])
    named = direct(session, """SELECT count(*) FROM outreach_person p JOIN outreach_request r ON r.id = p.request_id
                                WHERE r.scheduled_date BETWEEN :first AND :last""",
                   first=date(2026, 8, 1), last=date(2026, 8, 31))[0][0]
    assert served == named + 4 + 2  # the residents by name, and the counts of the visit recorded before that
    assert [r[2] for r in table[1:]] == ["1", "1", "1"]  # the cancelled visit is not counted

    page = head.get("/dasbor/", params={**AUGUST, "alur": definition.key}).text
    assert 'id="panel-jemput-bola-per-kecamatan"' in page and "7 warga · 1 kunjungan" in page
    assert 'id="panel-sekolah-per-kecamatan"' not in page


def test_open_siaga_reports_by_how_long_they_wait_oldest_first(session: Session, head: requests.Session) -> None:
    definition = siaga_definition()
    now = utcnow()
    for days in (0.5, 2, 5, 10, 20, 30, 40):
        ticket = make_ticket(session, service=Service.SIAGA, channel=Channel.WHATSAPP, kecamatan_code=GISTING,
                             now=now - timedelta(days=days))
        session.add(SiagaReport(ticket_id=int(ticket.id or 0), reporter_name="Pelapor", relation="Anak",
                                subject_name="Warga Rentan", pekon="Sukamaju", contact_phone="+6281234567890"))
        if days == 40:  # finished: no longer waiting
            ticket.stage = definition.done_stage.key
            session.add(ticket)
    session.commit()

    table = rows(head, "siaga-menunggu", definition.key)
    assert table[0] == ["lama_menunggu", "laporan_terbuka", "terlama_hari"]
    assert table[1:] == [["Lebih dari 14 hari", "2", "30"], ["8–14 hari", "1", "10"], ["4–7 hari", "1", "5"],
                         ["1–3 hari", "1", "2"], ["Kurang dari 1 hari", "1", "0"]]
    closed = tuple(s.key for s in definition.stages if s.is_terminal)
    open_now = direct(session, "SELECT count(*) FROM ticket WHERE workflow = :key AND stage NOT IN :closed",
                      key=definition.key, closed=closed)[0][0]
    assert sum(int(r[1]) for r in table[1:]) == open_now == 6

    page = head.get("/dasbor/", params={**AUGUST, "alur": definition.key}).text
    assert 'id="panel-siaga-menunggu"' in page and "Terlama: 30 hari." in page
    assert "Warga Rentan" not in page
