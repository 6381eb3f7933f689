"""Dukcapil Siaga by phone: the call-center agent asks what the bot asks (the caller's relation, the resident, the
pekon and kecamatan, the condition, the phone, the urgency), and the report lands in the Siaga queue and on the
visit list as a WhatsApp one does."""

from __future__ import annotations

import re

import requests
from sqlmodel import Session, select

from bot.call_center.models import CallLog, Outcome
from routing import workflow_for
from routing.definition import RoleDuty
from siaga.models import SiagaReport
from siaga.services import siaga_definition
from tests.call_center.conftest import log_call_via_form
from tests.campaigns.conftest import post
from tests.tickets.conftest import login, make_staff
from tickets.constants import Channel, Service
from tickets.models import Ticket

CONDITION = "82 tahun, stroke dan tidak bisa berjalan, belum punya KTP-el"
SIAGA = {"outcome": Outcome.SIAGA.value, "topic": "", "caller_name": "Rina Marlina", "kecamatan": "180620",
         "siaga_relation": "Anak", "siaga_subject": "Sarinah", "siaga_pekon": "Gisting Atas", "notes": CONDITION}


def test_a_phoned_report_becomes_a_siaga_ticket_with_its_resident(session: Session, http: requests.Session) -> None:
    definition = workflow_for(Channel.CALL_CENTER, Service.SIAGA)
    assert definition.key == siaga_definition().key
    make_staff(session, definition.role_for(RoleDuty.TAKE_CALLS, "call center"), username="agen")
    planner = make_staff(session, definition.role_for(RoleDuty.PLAN_FIELD_VISITS), username="siaga")
    login(http, "agen")
    form = http.get("/call-center/").text
    assert f'value="{Outcome.SIAGA.value}"' in form and Outcome.SIAGA.label in form
    assert 'name="siaga_subject"' in form and 'name="siaga_urgent"' in form

    saved = log_call_via_form(http, **SIAGA, siaga_urgent="1")
    assert saved.status_code == 200 and "Tiket PGD-" in saved.text, saved.text
    ticket = session.exec(select(Ticket)).one()
    assert (ticket.service, ticket.channel) == (Service.SIAGA, Channel.CALL_CENTER)
    assert ticket.workflow == definition.key and ticket.stage == definition.first_stage.key
    assert ticket.description == CONDITION
    report = session.exec(select(SiagaReport)).one()
    assert (report.ticket_id, report.reporter_name, report.relation, report.subject_name, report.pekon) == (
        ticket.id, "Rina Marlina", "Anak", "Sarinah", "Gisting Atas")
    assert report.contact_phone == "+6281298765432" and report.urgent
    assert session.exec(select(CallLog)).one().ticket_id == ticket.id
    http.cookies.clear()

    # In the queue and on the visit list it reads as a WhatsApp report does: the resident, the pekon, urgent.
    login(http, "siaga")
    queue = http.get("/siaga/").text
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{ticket.number}(?:(?!</tr>).)*</tr>", queue, re.S)
    assert row and "Sarinah" in row.group(0) and "Gisting Atas" in row.group(0), queue
    assert "Mendesak" in row.group(0) or "mendesak" in row.group(0).lower()
    page = f"/siaga/{ticket.number}"
    detail = http.get(page).text
    assert "Sarinah" in detail and "Rina Marlina" in detail and "Anak" in detail and CONDITION in detail
    post(http, page, f"{page}/jadwal", tanggal="2030-01-15", petugas=[str(planner.id)])
    visits = http.get("/siaga/kunjungan").text
    assert "Sarinah" in visits and "Gisting Atas" in visits


def test_a_siaga_call_without_its_resident_is_refused_and_keeps_what_was_typed(
        session: Session, http: requests.Session) -> None:
    definition = workflow_for(Channel.CALL_CENTER, Service.SIAGA)
    make_staff(session, definition.role_for(RoleDuty.TAKE_CALLS, "call center"), username="agen")
    login(http, "agen")
    refused = log_call_via_form(http, **{**SIAGA, "siaga_subject": "", "siaga_pekon": "123", "notes": "lansia"})
    assert refused.status_code == 422
    assert 'id="siaga_subject-error"' in refused.text and "Nama penduduk yang perlu didatangi wajib diisi" in refused.text
    assert 'id="siaga_pekon-error"' in refused.text and 'id="notes-error"' in refused.text
    assert 'value="Anak"' in refused.text and 'value="Rina Marlina"' in refused.text and 'value="123"' in refused.text
    assert session.exec(select(Ticket)).first() is None and session.exec(select(SiagaReport)).first() is None
