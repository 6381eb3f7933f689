"""Fixtures for hostile-input tests: a staff member who can reach every back-office page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask

from tests.conftest import LiveServer, _BaseUrlSession
from tests.tickets.conftest import login, make_staff, make_ticket
from tickets.models import Ticket

ALL_DESK_ROLES = ("admin", "wa_receiver", "call_center_agent", "kasi_identitas", "archivist")


@pytest.fixture
def ticket(session) -> Ticket:  # type: ignore[no-untyped-def]
    return make_ticket(session)


@pytest.fixture
def staff(live_server: LiveServer, session) -> Iterator[requests.Session]:  # type: ignore[no-untyped-def]
    """A logged-in browser of a staff member holding the admin role and several desk roles."""
    make_staff(session, *ALL_DESK_ROLES, username="petugas")
    client = _BaseUrlSession(live_server.url)
    response = login(client, "petugas")
    assert urlsplit(response.url).path != "/masuk", "the test staff member could not log in"
    yield client
    client.close()


def concrete_path(app: Flask, rule: str, ticket: Ticket, staff_id: int, phone_number: str) -> str:
    """A URL for a route rule, its parameters filled with things that exist (1 for other ids)."""
    known = {"number": ticket.number, "staff_id": str(staff_id), "phone": phone_number,
             "filename": "tidak-ada.css", "token": "tidak-ada"}
    return _PARAMETER.sub(lambda m: known.get(m.group(2), "1"), rule)


_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
