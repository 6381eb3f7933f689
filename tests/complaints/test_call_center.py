"""A complaint taken by phone enters the complaint workflow with the agent's notes as its description."""

from __future__ import annotations

from sqlmodel import select

from tests.call_center.conftest import log_call_via_form
from tests.complaints.conftest import COMPLAINT_SOP
from tests.tickets.conftest import login, make_staff, queue_numbers
from tickets.constants import Channel, Service
from tickets.models import Ticket

NOTES = "Penelepon mengeluh petugas UPT Talang Padang bersikap kasar saat ia menanyakan KTP-el"


def test_a_phoned_complaint_lands_in_triage_with_the_notes(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "call_center_agent")
    make_staff(session, "pengelola_pengaduan")
    login(http, "call-center-agent")
    response = log_call_via_form(http, outcome="complaint", topic="pengaduan", notes=NOTES)
    assert response.status_code == 200
    ticket = session.exec(select(Ticket)).one()
    assert (ticket.workflow, ticket.stage) == (COMPLAINT_SOP, "triase_pengaduan")
    assert (ticket.service, ticket.channel, ticket.description) == (Service.PENGADUAN, Channel.CALL_CENTER, NOTES)

    http.cookies.clear()
    login(http, "pengelola-pengaduan")
    assert ticket.number in queue_numbers(http.get("/antrian").text)
    assert NOTES in http.get(f"/tiket/{ticket.number}").text
