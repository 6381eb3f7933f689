"""The issue's acceptance walk: an agent logs a call, the caller sees the message in the simulator and sends two photos."""

from __future__ import annotations

import re
from html import unescape

from sqlmodel import select

from tickets.messages import Attachment
from tests.call_center.conftest import log_call_via_form
from tests.support.media_server import jpeg_bytes
from tests.tickets.conftest import csrf_token, login, make_staff
from tickets.constants import AttachmentStatus
from tickets.models import Ticket

CALLER_TYPED = "0812-9876-5432"


def simulate(http, body: str, files: list[tuple[str, bytes, str]] | None = None) -> str:  # type: ignore[no-untyped-def]
    page = http.get(f"/simulator/?phone={CALLER_TYPED}").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = http.post("/simulator/send", data={"csrf_token": token, "phone": CALLER_TYPED, "body": body},
                         files=[("files", f) for f in files or []])
    assert response.status_code == 200
    return unescape(response.text)


def test_logged_call_reaches_the_simulator_and_its_photos_the_ticket(http, session, run_jobs) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "call_center_agent")
    login(http, "call-center-agent")
    # The caller's number is started in the simulator first: it shows only numbers nobody else knew.
    page = http.get("/simulator/")
    http.post("/simulator/mulai", data={"csrf_token": csrf_token(page.text), "phone": CALLER_TYPED})
    log_call_via_form(http, phone=CALLER_TYPED, topic="akta-kelahiran")
    ticket = session.exec(select(Ticket)).one()
    run_jobs()

    chat = unescape(http.get(f"/simulator/?phone={CALLER_TYPED}").text)
    assert f"tercatat dengan nomor {ticket.number}" in chat
    assert "Surat keterangan lahir dari RS/puskesmas/bidan" in chat

    page = simulate(http, "", [("surat-lahir.jpg", jpeg_bytes(3000), "image/jpeg"),
                               ("kk.jpg", jpeg_bytes(4000), "image/jpeg")])
    assert f"2 file sudah kami lampirkan ke tiket <strong>{ticket.number}</strong>" in page  # *bold* as WhatsApp shows it
    run_jobs()
    attachments = session.exec(select(Attachment).where(Attachment.ticket_id == ticket.id)).all()
    assert sorted((a.status, a.size) for a in attachments) == [(AttachmentStatus.STORED, 3000),
                                                              (AttachmentStatus.STORED, 4000)]
    assert len(session.exec(select(Ticket)).all()) == 1
