"""Fixtures and helpers for complaints: a citizen's phone and one officer per role of the complaint SOP."""

from __future__ import annotations

from html import unescape

import pytest
import requests
from sqlmodel import Session, select

from routing import workflow
from routing.definition import Definition
from tests.support.whatsapp import Phone
from tests.tickets.conftest import act_via_form, login, make_staff
from tickets.models import Ticket

COMPLAINT_SOP = "pengaduan_masyarakat_tanggamus"


@pytest.fixture
def complaints() -> Definition:
    return workflow(COMPLAINT_SOP)


@pytest.fixture
def officers(session: Session, complaints: Definition) -> dict[str, str]:
    """One account per role that works a complaint stage: role key -> username."""
    names = {}
    for role in dict.fromkeys(s.role for s in complaints.chain if s.role):
        make_staff(session, role)
        names[role] = role.replace("_", "-")
    return names


def as_officer(http: requests.Session, role: str) -> None:
    """Log the browser in as the test officer of this role."""
    http.cookies.clear()
    response = login(http, role.replace("_", "-"))
    assert response.status_code == 200


def work(http: requests.Session, number: str, action: str, **fields: str) -> str:
    """Claim the ticket and take one action on it through the ticket page; the page text after it."""
    assert act_via_form(http, number, "claim").status_code == 200
    return unescape(act_via_form(http, number, action, **fields).text)


def file_complaint(phone: Phone, text: str, photo_url: str | None = None, *, category: str = "1",
                   related: str = "lewati", confidential: str = "tidak") -> str:
    """The bot's complaint flow from the menu to the confirmation; the reply with the number."""
    phone.say("halo")
    phone.say("3")
    phone.say(category)
    phone.say(text)
    phone.say("kota agung")
    phone.say(related)
    if photo_url:
        phone.say(media=[(photo_url, "image/jpeg")])
    phone.say("selesai")
    phone.say(confidential)
    return phone.say("ya")


def only_ticket(session: Session) -> Ticket:
    session.expire_all()
    return session.exec(select(Ticket)).one()
