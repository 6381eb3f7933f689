"""Outreach on request (SIJARLA) through the pages with real logins: the request with its letter, the schedule,
the visit that waits for its results, and the monthly recap against a direct count."""

from __future__ import annotations

import csv
import io
import re
from functools import cache
from typing import Any

import pytest
import requests
from sqlmodel import Session, select

from outreach.models import OutreachRequest
from outreach.services import SERVICES, outreach_definition
from routing import all_roles
from routing.definition import RoleDuty, StageDuty
from tests.campaigns.conftest import post
from tests.support.documents import document_pdf
from tests.tickets.conftest import act_via_form, login, make_staff, valid_outputs
from tickets.messages import Attachment
from tickets.models import Ticket
from tickets.staff import StaffUser

LETTER_LIMIT = 40_000  # MEDIA_MAX_BYTES here: a too-big letter needs no 10 MB file
FIRST, SECOND = SERVICES[0].value, SERVICES[1].value


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "MEDIA_MAX_BYTES": LETTER_LIMIT}


@cache
def letter() -> bytes:
    """The pekon's request letter, a real PDF (rendered once)."""
    return document_pdf("Surat Permohonan Pelayanan Jemput Bola")


@pytest.fixture
def people(session: Session) -> dict[str, StaffUser]:
    """The village operator, the Kabid and the team leader, found by the SOP's duties."""
    definition = outreach_definition()
    operator = definition.roles_for(RoleDuty.REQUEST_OUTREACH)[0]
    leader = str(definition.stage_for(StageDuty.FIELD_VISIT).role)  # the visit stage's role leads the team
    planner = next(r for r in definition.roles_for(RoleDuty.PLAN_FIELD_VISITS) if r != leader)
    return {
        "operator": make_staff(session, operator, username="operator-pekon", kecamatan_code="180620",
                               full_name="Operator Pekon Sukamaju"),
        "kabid": make_staff(session, planner, username="kabid", full_name="Ir. Yusuf Kabid"),
        "leader": make_staff(session, leader, username="ketua-tim", full_name="Dedi Ketua Tim"),
    }


def fields(**overrides: str | list[str]) -> dict[str, str | list[str]]:
    """The request as the operator types it."""
    values: dict[str, str | list[str]] = {
        "pemohon": "Pekon Sukamaju", "kecamatan": "180620", "pekon": "Gisting Atas", "nomor_surat": "470/12/SKM/2026",
        "jumlah": "45", "layanan": [FIRST, SECOND], "tanggal": "2026-08-03", "catatan": "Banyak lansia dan difabel"}
    values.update(overrides)
    return values


def ask(http: requests.Session, content: bytes | None = None, name: str = "surat.pdf",
        mimetype: str = "application/pdf", **overrides: str | list[str]) -> requests.Response:
    """Send the request form as the browser does."""
    return post(http, "/jemput-bola/permintaan/baru", "/jemput-bola/permintaan/baru",
                files={"surat": (name, letter() if content is None else content, mimetype)}, **fields(**overrides))


def enter(http: requests.Session, rid: int, **fields: str) -> requests.Response:
    """Record one resident on the phone page, as the team does after each one."""
    return post(http, f"/jemput-bola/{rid}/warga", f"/jemput-bola/{rid}/warga", **fields)


def request_id(answer: requests.Response) -> int:
    found = re.search(r"/jemput-bola/(\d+)$", answer.url)
    assert found, answer.url
    return int(found.group(1))


def test_the_village_operator_files_a_request_with_its_letter(session: Session, http: requests.Session,
                                                               people: dict[str, StaffUser]) -> None:
    login(http, "operator-pekon")
    answer = ask(http)
    assert answer.status_code == 200 and "Permintaan jemput bola dikirim" in answer.text, answer.text
    made = session.exec(select(OutreachRequest)).one()
    ticket = session.get(Ticket, made.ticket_id)
    definition = outreach_definition()
    assert ticket is not None and ticket.workflow == definition.key and ticket.stage == definition.first_stage.key
    assert (made.requester, made.expected_people, made.services) == ("Pekon Sukamaju", 45, [FIRST, SECOND])
    assert made.created_by_id == people["operator"].id
    kept = session.exec(select(Attachment).where(Attachment.ticket_id == ticket.id)).one()
    assert kept.content_type == "application/pdf" and kept.size == len(letter())


@pytest.mark.parametrize(("content", "name", "mimetype", "reason"), [
    (b"PK\x03\x04 bukan surat", "surat.docx", "application/msword", "bukan PDF, JPG atau PNG"),
    (b"%PDF-1.4\n" + b"0" * LETTER_LIMIT, "surat.pdf", "application/pdf", "ukuran file melebihi"),
])
def test_a_bad_letter_is_refused_and_the_typed_entries_are_kept(
        session: Session, http: requests.Session, people: dict[str, StaffUser], content: bytes, name: str,
        mimetype: str, reason: str) -> None:
    login(http, "operator-pekon")
    answer = ask(http, content, name, mimetype)
    assert answer.status_code == 422
    assert "Surat permohonan ditolak" in answer.text and reason in answer.text
    for kept in ('value="Pekon Sukamaju"', 'value="470/12/SKM/2026"', 'value="45"', 'value="2026-08-03"',
                 "Banyak lansia dan difabel", f'value="{FIRST}" checked', 'value="180620" selected'):
        assert kept in answer.text, kept
    assert session.exec(select(OutreachRequest)).first() is None


def test_the_kabid_schedules_it_and_the_visit_waits_for_its_results(
        session: Session, http: requests.Session, people: dict[str, StaffUser]) -> None:
    definition = outreach_definition()
    login(http, "operator-pekon")
    rid = request_id(ask(http))
    made = session.get(OutreachRequest, rid)
    assert made is not None
    ticket = session.get(Ticket, made.ticket_id)
    assert ticket is not None
    http.cookies.clear()

    login(http, "kabid")
    page = f"/jemput-bola/{rid}"
    done = post(http, page, f"{page}/jadwal", tanggal="2026-08-05", petugas=[str(people["leader"].id)])
    assert "Pelaksanaan dijadwalkan" in done.text and "05/08/2026" in done.text and "Dedi Ketua Tim" in done.text
    first = definition.first_stage
    act_via_form(http, ticket.number, "claim")
    assert act_via_form(http, ticket.number, "advance", **valid_outputs(first)).status_code in (200, 303)
    http.cookies.clear()

    login(http, "ketua-tim")
    visit = definition.stage_for(StageDuty.FIELD_VISIT)
    for stage in definition.chain[definition.chain.index(first) + 1:]:
        session.refresh(ticket)
        assert ticket.stage == stage.key
        act_via_form(http, ticket.number, "claim")
        if stage == visit:
            refused = act_via_form(http, ticket.number, "advance", **valid_outputs(stage))
            assert "Catat dulu warga yang dilayani" in refused.text
            session.refresh(ticket)
            assert ticket.stage == visit.key
            done = enter(http, rid, nama="Sumarni", pekon="180620:Gisting Atas", kategori=FIRST)
            assert "Sumarni dicatat" in done.text
            act_via_form(http, ticket.number, "advance", **valid_outputs(stage))
            session.refresh(ticket)
            assert ticket.stage == str(visit.next)
            break
        assert act_via_form(http, ticket.number, "advance", **valid_outputs(stage)).status_code in (200, 303)
    session.refresh(made)
    assert made.results_by_id == people["leader"].id and made.results_at is not None


def test_the_monthly_recap_counts_the_residents_and_keeps_the_old_counts(
        session: Session, http: requests.Session, people: dict[str, StaffUser]) -> None:
    login(http, "operator-pekon")
    plans = [("Pekon Sukamaju", "45", "2026-08-05"), ("SLB Negeri Tanggamus", "20", "2026-08-28"),
             ("Panti Werdha Kasih", "15", "2026-09-02")]
    ids = [request_id(ask(http, pemohon=who, jumlah=count)) for who, count, _ in plans]
    http.cookies.clear()
    login(http, "kabid")
    for rid, (_, _, day) in zip(ids, plans):
        page = f"/jemput-bola/{rid}"
        post(http, page, f"{page}/jadwal", tanggal=day, petugas=[str(people["leader"].id)])
    served = [(ids[0], "Sumarni", FIRST), (ids[0], "Sumarni", SECOND), (ids[0], "Paijo", FIRST),
              (ids[2], "Wagiyem", SECOND)]
    for rid, name, category in served:
        assert f"{name} dicatat" in enter(http, rid, nama=name, pekon="180620:Gisting Atas", kategori=category).text
    # A visit whose results were typed as counts per service before residents were recorded by name.
    legacy = session.get(OutreachRequest, ids[1])
    assert legacy is not None
    legacy.results = {FIRST: 18}
    session.add(legacy)
    session.commit()

    page = http.get("/jemput-bola/laporan", params={"bulan": "2026-08"}).text
    assert re.search(r'data-total="visits">\s*2<', page)
    assert re.search(r'data-total="expected">\s*65<', page)
    assert re.search(r'data-total="served">\s*21<', page)  # 3 by name + 18 counted
    for value, count in {FIRST: 2 + 18, SECOND: 1}.items():
        assert re.search(rf'data-service="{value}"><td>[^<]*</td><td>{count}</td>', page), value
    assert "Panti Werdha Kasih" not in page

    answer = http.get("/jemput-bola/laporan.csv", params={"bulan": "2026-08"})
    assert answer.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.text)))
    heading, lines, total = rows[0], rows[1:-1], rows[-1]
    assert [(line[2], line[6]) for line in lines] == [("Pekon Sukamaju", "3"), ("SLB Negeri Tanggamus", "18")]
    assert total[0] == "Jumlah" and int(total[5]) == 65 and int(total[6]) == 21
    assert int(total[heading.index(SERVICES[0].label)]) == 20 and int(total[heading.index(SERVICES[1].label)]) == 1


def test_a_role_without_outreach_duties_is_refused(session: Session, http: requests.Session) -> None:
    definition = outreach_definition()
    duties = {r for duty in (RoleDuty.REQUEST_OUTREACH, RoleDuty.PLAN_FIELD_VISITS, RoleDuty.FIELD_WORK,
                             RoleDuty.SUPERVISE) for r in definition.roles_for(duty)}
    outsider = next(r for r in all_roles() if r not in duties)
    make_staff(session, outsider, username="orang-luar")
    login(http, "orang-luar")
    for path in ("/jemput-bola/", "/jemput-bola/permintaan/baru", "/jemput-bola/laporan",
                 "/jemput-bola/laporan.csv", "/jemput-bola/1/warga", "/jemput-bola/1/laporan-hasil",
                 "/jemput-bola/1/laporan-hasil.xlsx"):
        assert http.get(path).status_code == 403, path
