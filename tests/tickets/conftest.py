"""Builders and a logged-in browser for the back-office tests."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import requests
from sqlmodel import Session

from tickets.messages import Attachment, Message
from routing.definition import FieldType, Stage
from tests.support.checklists import every_document
from tests.support.media_server import png_bytes
from tickets.accounts import create_staff
from tickets.constants import AttachmentStatus, Channel, Direction, Service
from tickets.models import Ticket
from tickets.services import create_ticket
from tickets.staff import StaffUser

PASSWORD = "rahasia-uji-123"
NIK = "1806014505900001"
PHONE = "+6281234567890"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_staff(session: Session, *roles: str, username: str | None = None, kecamatan_code: str | None = None,
               active: bool = True, full_name: str | None = None) -> StaffUser:
    """A staff account with these roles (username defaults to the first role) and the test password."""
    user = create_staff(session, username=username or roles[0].replace("_", "-"),
                        full_name=full_name or f"Petugas {' '.join(roles)}"[:120], roles=list(roles),
                        password=PASSWORD, kecamatan_code=kecamatan_code)
    if not active:
        user.active = False
        session.add(user)
        session.commit()
    return user


def make_ticket(session: Session, **overrides: Any) -> Ticket:
    """A committed ticket created the way the bot creates one; stored fields can be overridden after."""
    create_fields = {"service", "channel", "phone", "nik", "name", "kecamatan_code", "description", "now"}
    values: dict[str, Any] = dict(service=Service.KTP_EL, channel=Channel.WHATSAPP, phone=PHONE, nik=NIK,
                                  name="Siti Aminah", kecamatan_code="180601")
    values.update({k: v for k, v in overrides.items() if k in create_fields})
    ticket = create_ticket(session, **values)
    for key, value in overrides.items():
        if key not in create_fields:
            setattr(ticket, key, value)
    session.add(ticket)
    session.commit()
    session.refresh(ticket)
    return ticket


def make_message(session: Session, **overrides: Any) -> Message:
    """A committed WhatsApp message (inbound unless told otherwise) of the test applicant's number."""
    values: dict[str, Any] = dict(direction=Direction.INBOUND, phone=PHONE, body="halo", twilio_sid=None)
    values.update(overrides)
    message = Message(**values)
    session.add(message)
    session.commit()
    return message


def make_attachment(session: Session, media_path: str, ticket: Ticket, content: bytes = png_bytes(),
                    content_type: str = "image/png") -> Attachment:
    """A downloaded file of the ticket, stored under MEDIA_PATH the way the media job stores it."""
    from bot.media import store_content

    digest = hashlib.sha256(content).hexdigest()
    path = store_content(Path(media_path), digest, content)
    message = make_message(session, body="", num_media=1)
    attachment = Attachment(message_id=message.id, media_index=0, ticket_id=ticket.id, declared_type=content_type,
                            content_type=content_type, size=len(content), sha256=digest,
                            storage_path=str(path.relative_to(media_path)), status=AttachmentStatus.STORED)
    session.add(attachment)
    session.commit()
    return attachment


def queue_numbers(html: str) -> list[str]:
    """The ticket numbers listed in a queue page, top to bottom."""
    return re.findall(r'<tr class="ticket-row[^"]*" data-number="([^"]+)"', html)


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = _CSRF.search(html)
    assert match, "no csrf_token on the page"
    return match.group(1)


def login(http: requests.Session, username: str, password: str = PASSWORD, **extra: str) -> requests.Response:
    """Log in through the real login form (GET for the token, then POST)."""
    page = http.get("/masuk", params={k: v for k, v in extra.items() if k == "next"})
    return http.post("/masuk", data={"csrf_token": csrf_token(page.text), "username": username,
                                     "password": password, **extra})


def valid_outputs(stage: Stage) -> dict[str, Any]:
    """Form values (as a browser sends them) that satisfy every staff-filled output of the stage."""
    values: dict[str, Any] = {}
    for out in stage.outputs:
        if out.system_assigned:
            continue
        name = "isian-" + out.key
        if out.type is FieldType.CHECK:
            values[name] = "on"
        elif out.type is FieldType.CHECKLIST:  # the ticked boxes share the field's name
            values[name] = every_document()
        elif out.type is FieldType.NUMBER:
            values[name] = str(out.min_value or 1)
        elif out.type is FieldType.CHOICE:
            values[name] = out.options[0]
        elif out.type is FieldType.DATE:
            values[name] = "2026-01-05"
        elif out.pattern:
            values[name] = "180601"
        else:
            values[name] = "isian uji"
    return values


def act_via_form(http: requests.Session, number: str, action: str, **fields: str) -> requests.Response:
    """Submit an action form of the ticket page the way the browser does, with the page's token and version."""
    page = http.get(f"/tiket/{number}")
    assert page.status_code == 200, page.status_code
    version = re.search(r'name="version" value="(\d+)"', page.text)
    data = {"csrf_token": csrf_token(page.text), "action": action,
            "version": version.group(1) if version else "0", **fields}
    return http.post(f"/tiket/{number}/aksi", data=data)

