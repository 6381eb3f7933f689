"""Dukcapil Siaga by phone: the call-center agent logs a report of a vulnerable resident, which becomes a ticket
on the Siaga SOP and a row of the Siaga queue."""

from __future__ import annotations

import requests
from sqlmodel import Session, select

from bot.call_center.models import CallLog, Outcome
from routing import workflow_for
from routing.definition import RoleDuty
from siaga.models import SiagaReport
from siaga.services import siaga_definition
from tests.call_center.conftest import log_call_via_form
from tests.tickets.conftest import login, make_staff
from tickets.constants import Channel, Service
from tickets.models import Ticket

CONDITION = "Mbah Sarinah, 82 tahun, Pekon Sukamaju, stroke dan tidak bisa berjalan, belum punya KTP-el"


def test_a_phoned_report_becomes_a_siaga_ticket_in_the_siaga_queue(session: Session,
                                                                    http: requests.Session) -> None:
    definition = workflow_for(Channel.CALL_CENTER, Service.SIAGA)
    assert definition.key == siaga_definition().key
    make_staff(session, definition.role_for(RoleDuty.TAKE_CALLS, "call center"), username="agen")
    make_staff(session, definition.role_for(RoleDuty.PLAN_FIELD_VISITS), username="siaga")
    login(http, "agen")
    form = http.get("/call-center/").text
    assert f'value="{Outcome.SIAGA.value}"' in form and Outcome.SIAGA.label in form

    saved = log_call_via_form(http, outcome=Outcome.SIAGA.value, topic="", caller_name="Rina Marlina",
                              kecamatan="180620", notes=CONDITION)
    assert saved.status_code == 200 and "Tiket PGD-" in saved.text, saved.text
    ticket = session.exec(select(Ticket)).one()
    assert (ticket.service, ticket.channel) == (Service.SIAGA, Channel.CALL_CENTER)
    assert ticket.workflow == definition.key and ticket.stage == definition.first_stage.key
    assert ticket.description == CONDITION
    report = session.exec(select(SiagaReport)).one()
    assert report.ticket_id == ticket.id and report.reporter_name == "Rina Marlina"
    assert report.contact_phone == "+6281298765432" and not report.urgent
    assert session.exec(select(CallLog)).one().ticket_id == ticket.id
    http.cookies.clear()

    login(http, "siaga")
    assert ticket.number in http.get("/siaga/").text
    assert CONDITION in http.get(f"/siaga/{ticket.number}").text


def test_a_siaga_call_without_the_residents_condition_is_refused(session: Session,
                                                                 http: requests.Session) -> None:
    definition = workflow_for(Channel.CALL_CENTER, Service.SIAGA)
    make_staff(session, definition.role_for(RoleDuty.TAKE_CALLS, "call center"), username="agen")
    login(http, "agen")
    refused = log_call_via_form(http, outcome=Outcome.SIAGA.value, notes="lansia")
    assert refused.status_code == 422 and "kondisinya di catatan" in refused.text
    assert session.exec(select(Ticket)).first() is None and session.exec(select(SiagaReport)).first() is None
