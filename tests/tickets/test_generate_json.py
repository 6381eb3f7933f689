"""Generated tickets store their outputs and event data as JSON objects, on PostgreSQL (binary COPY) as on SQLite."""

from __future__ import annotations

from datetime import datetime

import requests
from sqlmodel import Session, select

from layanan.clock import WIB
from tests.tickets.conftest import login, make_staff
from tickets.generate import generate_tickets
from tickets.models import StageEvent, Ticket

START = datetime(2026, 3, 2, tzinfo=WIB)
END = datetime(2026, 5, 1, tzinfo=WIB)  # in the past, so the same rows every run


def test_outputs_and_event_data_read_back_as_objects(session: Session) -> None:
    generate_tickets(session, 40, start=START, end=END, seed=5)
    session.expire_all()

    tickets = session.exec(select(Ticket)).all()
    events = session.exec(select(StageEvent)).all()

    assert tickets and events
    assert all(isinstance(t.outputs, dict) for t in tickets)
    assert all(isinstance(e.data, dict) for e in events)
    filled = [t.outputs for t in tickets if t.outputs]
    assert filled, "no generated ticket has outputs: the test would prove nothing"
    assert all(isinstance(key, str) for outputs in filled for key in outputs)


def test_a_generated_ticket_page_opens(session: Session, http: requests.Session) -> None:
    generate_tickets(session, 40, start=START, end=END, seed=5)
    make_staff(session, "wa_receiver", username="penerima")
    ticket = max(session.exec(select(Ticket)).all(), key=lambda t: len(t.outputs))
    assert ticket.outputs
    login(http, "penerima")

    page = http.get(f"/tiket/{ticket.number}")

    assert page.status_code == 200
    assert ticket.number in page.text
