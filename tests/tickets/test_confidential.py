"""A confidential complaint: who filed it reaches only the roles of `see_protected_identity`, each view
recorded; everyone else (admin and API clients included) sees the pseudonym, on every page, in every
search, list, API answer and log line. And each ticket page shows the tickets related to it."""

from __future__ import annotations

import logging
from datetime import timedelta
from html import unescape

import pytest
import requests
from sqlmodel import Session, func, select

from bot.call_center.models import CallLog, Outcome
from layanan.clock import utcnow
from tests.tickets.conftest import act_via_form, login, make_message, make_staff, make_ticket, queue_numbers
from tickets.audit import AuditAction, AuditRecord
from tickets.constants import Channel, Service
from tickets.messages import Conversation
from tickets.models import Ticket
from tickets.privacy import identity_withheld, pseudonym
from tickets.tokens import create_token

NAME = "Bambang Sulistyo"
PHONE = "+6281399998888"
NIK = "1806011203850002"
# The ways the filer's number, NIK and name may be written on a page.
IDENTITY = [PHONE, "081399998888", "0813-9999-8888", "0813 9999 8888", "99998888", NIK, "1806 0112 0385 0002",
            "1806********0002",
            "Bambang", "Sulistyo"]
HIDDEN = "Identitas dirahasiakan atas permintaan pelapor"


@pytest.fixture
def filed(session: Session, caplog: pytest.LogCaptureFixture) -> dict[str, Ticket]:
    """The citizen's request, their confidential complaint about it, and another citizen's open complaint
    about the same request; the complaint's chat holds the citizen's words."""
    caplog.set_level(logging.INFO)
    request = make_ticket(session, phone=PHONE, nik=NIK, name=NAME, now=utcnow() - timedelta(days=3))
    complaint = make_ticket(
        session, service=Service.PENGADUAN, channel=Channel.CALL_CENTER, phone=PHONE, nik=NIK, name=NAME,
        description="Saya Bambang (HP 0813-9999-8888) dimintai Rp 200.000 oleh petugas loket.",
        confidential=True, related_ticket_id=request.id)
    make_message(session, phone=PHONE, body="nama saya Bambang Sulistyo, NIK 1806 0112 0385 0002",
                 ticket_id=complaint.id)
    make_message(session, phone=PHONE, body="Soal pungutan di loket, ada buktinya.",
                 created_at=complaint.created_at - timedelta(minutes=5))  # the draft, before the ticket
    open_complaint = make_ticket(session, service=Service.PENGADUAN, channel=Channel.CALL_CENTER,
                                 phone="+6285211112222", name="Rahmat Hidayat",
                                 description="Antrean terlalu lama sekali.",
                                 related_ticket_id=request.id)
    return {"request": request, "complaint": complaint, "open": open_complaint}


def _logged_in(http: requests.Session, session: Session, role: str, **fields: str) -> None:
    """Log the browser in as a new account holding this one role."""
    make_staff(session, role, **fields)
    assert login(http, role.replace("_", "-")).status_code == 200


def _identity_views(session: Session, ticket: Ticket) -> int:
    return session.exec(select(func.count()).select_from(AuditRecord).where(
        AuditRecord.action == AuditAction.VIEW_PROTECTED_IDENTITY, AuditRecord.ticket_id == ticket.id)).one()


def _shows_no_identity(text: str) -> None:
    page = unescape(text)
    leaked = [value for value in IDENTITY if value in page]
    assert leaked == []


def test_a_handler_works_the_complaint_without_ever_seeing_who_filed_it(
        http: requests.Session, session: Session, filed: dict[str, Ticket], caplog: pytest.LogCaptureFixture) -> None:
    complaint, request = filed["complaint"], filed["request"]
    _logged_in(http, session, "pengelola_pengaduan")

    page = http.get(f"/tiket/{complaint.number}").text
    _shows_no_identity(page)
    assert pseudonym(complaint.number) in unescape(page) and HIDDEN in page
    assert "dimintai Rp 200.000 oleh petugas loket" in page, "the complaint's content stays"
    assert "NIK" in page and "[dirahasiakan]" in page
    # The request it is about is the filer's own: its number would name them.
    assert request.number not in page and "tidak ditampilkan, agar identitas pelapor tetap terlindungi" in page

    worked = act_via_form(http, complaint.number, "claim")
    assert worked.status_code == 200
    _shows_no_identity(worked.text)

    queue = http.get("/antrian").text
    assert complaint.number in queue_numbers(queue)
    _shows_no_identity(queue)
    assert pseudonym(complaint.number) in unescape(queue)
    for search in (PHONE, "081399998888", NIK):
        found = http.get("/antrian", params={"q": search}).text
        assert queue_numbers(found) == [], search
    assert queue_numbers(http.get("/antrian", params={"q": complaint.number}).text) == [complaint.number]

    # The filer's own request names them, but lists no confidential complaint of theirs.
    request_page = http.get(f"/tiket/{request.number}").text
    assert NAME in request_page and complaint.number not in request_page
    assert filed["open"].number in request_page

    assert _identity_views(session, complaint) == 0
    logged = caplog.text
    assert [value for value in (PHONE, "081399998888", "99998888", NAME, "Bambang") if value in logged] == []


def test_the_kepala_dinas_sees_the_identity_and_each_view_is_recorded(
        http: requests.Session, session: Session, filed: dict[str, Ticket]) -> None:
    complaint, request = filed["complaint"], filed["request"]
    _logged_in(http, session, "kepala_dinas")

    page = unescape(http.get(f"/tiket/{complaint.number}").text)
    assert NAME in page and PHONE in page and "tercatat di audit akses" in page
    assert HIDDEN not in page
    assert f'href="/tiket/{request.number}"' in page
    assert _identity_views(session, complaint) == 1
    http.get(f"/tiket/{complaint.number}")
    assert _identity_views(session, complaint) == 2

    # The filer's request lists the complaint: that names its filer too, so it is recorded.
    assert f'href="/tiket/{complaint.number}"' in http.get(f"/tiket/{request.number}").text
    assert _identity_views(session, complaint) == 3

    audit = unescape(http.get("/audit-akses/", params={"tiket": complaint.number}).text)
    assert audit.count("<td>Melihat identitas pelapor rahasia</td>") == 3


def test_the_inspector_finds_it_by_the_phone_and_the_search_is_recorded(
        http: requests.Session, session: Session, filed: dict[str, Ticket]) -> None:
    complaint = filed["complaint"]
    _logged_in(http, session, "inspektur_pengaduan")
    found = http.get("/antrian", params={"q": "081399998888"}).text
    assert queue_numbers(found) == [filed["request"].number, complaint.number]
    row = unescape(found.split(f'data-number="{complaint.number}"')[1].split("</tr>")[0])
    assert pseudonym(complaint.number) in row and NAME not in row, "lists name no confidential filer"
    assert _identity_views(session, complaint) == 1


def test_admin_sees_the_pseudonym(http: requests.Session, session: Session, filed: dict[str, Ticket]) -> None:
    complaint = filed["complaint"]
    _logged_in(http, session, "admin")
    page = http.get(f"/tiket/{complaint.number}").text
    _shows_no_identity(page)
    assert pseudonym(complaint.number) in unescape(page)
    found = http.get("/antrian", params={"q": PHONE, "peran": "admin"}).text
    assert queue_numbers(found) == [filed["request"].number], "the filer's own request, not the complaint"
    assert _identity_views(session, complaint) == 0


def test_the_help_desk_lists_no_confidential_ticket_under_the_number(
        http: requests.Session, session: Session, filed: dict[str, Ticket]) -> None:
    session.add(Conversation(phone=PHONE, state="start", needs_human=True))
    session.commit()
    make_message(session, phone=PHONE, body="tolong bantu soal KTP saya")
    _logged_in(http, session, "call_center_agent")
    page = http.get("/percakapan-bantuan").text
    assert "tolong bantu soal KTP saya" in page
    assert filed["request"].number in page
    assert filed["complaint"].number not in page
    assert "Bambang Sulistyo, NIK" not in page and "Soal pungutan" not in page


def test_the_apis_give_the_pseudonym(http: requests.Session, session: Session, filed: dict[str, Ticket]) -> None:
    complaint = filed["complaint"]
    agent = make_staff(session, "call_center_agent")
    call = CallLog(agent_id=agent.id, phone=PHONE, caller_name=NAME, nik=NIK, topic=Service.PENGADUAN,
                   notes=complaint.description, outcome=Outcome.COMPLAINT, ticket_id=complaint.id)
    session.add(call)
    session.commit()
    auth = {"Authorization": f"Bearer {create_token(session, 'CRM')}"}

    ticket = http.get(f"/api/tickets/{complaint.number}", headers=auth)
    _shows_no_identity(ticket.text)
    assert ticket.json()["confidential"] is True
    assert ticket.json()["applicant_pseudonym"] == pseudonym(complaint.number)
    logged = http.get(f"/api/calls/{call.id}", headers=auth)
    _shows_no_identity(logged.text)
    assert logged.json()["caller_name"] == pseudonym(complaint.number)

    login(http, "call-center-agent")
    calls = http.get("/call-center/").text
    _shows_no_identity(calls)
    assert pseudonym(complaint.number) in unescape(calls)


def test_a_complaint_filed_openly_is_shown_as_before_and_links_both_ways(
        http: requests.Session, session: Session, filed: dict[str, Ticket]) -> None:
    open_complaint, request = filed["open"], filed["request"]
    _logged_in(http, session, "pengelola_pengaduan")
    page = unescape(http.get(f"/tiket/{open_complaint.number}").text)
    assert "Rahmat Hidayat" in page and "+6285211112222" in page and HIDDEN not in page
    assert f'href="/tiket/{request.number}"' in page and "Tiket terkait" in page
    assert queue_numbers(http.get("/antrian", params={"q": "085211112222"}).text) == [open_complaint.number]
    request_page = http.get(f"/tiket/{request.number}").text
    assert f'data-number="{open_complaint.number}"' in request_page
    assert session.exec(select(func.count()).select_from(AuditRecord).where(
        AuditRecord.action == AuditAction.VIEW_PROTECTED_IDENTITY)).one() == 0


def test_a_related_ticket_the_reader_may_not_open_is_not_listed(
        http: requests.Session, session: Session, filed: dict[str, Ticket]) -> None:
    filed["open"].kecamatan_code = "180602"
    session.add(filed["open"])
    session.commit()
    _logged_in(http, session, "upt_officer", kecamatan_code="180601")
    page = http.get(f"/tiket/{filed['request'].number}").text
    assert filed["open"].number not in page and filed["complaint"].number not in page
    assert 'id="tiket-terkait"' not in page


def test_identity_withheld_from_free_text() -> None:
    shown = identity_withheld("Siti Aminah")
    text = shown("siti aminah, wa +62 812-3456-7890 / 0812 3456 7890, NIK 1806014505900001, Rp 150.000")
    assert text == "[dirahasiakan] [dirahasiakan], wa [dirahasiakan] / [dirahasiakan], NIK [dirahasiakan], Rp 150.000"
    assert identity_withheld(None)("tanggal 12-03-2026") == "tanggal 12-03-2026"
