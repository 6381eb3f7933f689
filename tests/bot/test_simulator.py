"""The browser simulator files a real request through the signed webhook."""

from __future__ import annotations

import re

from sqlmodel import select

from tickets.messages import Attachment
from tests.support.media_server import jpeg_bytes
from tickets.constants import AttachmentStatus
from tickets.models import Ticket


def simulate(http, body: str, files: list[tuple[str, bytes, str]] | None = None) -> str:  # type: ignore[no-untyped-def]
    page = http.get("/simulator/?phone=0812-3456-7890").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = http.post("/simulator/send", data={"csrf_token": token, "phone": "+6281234567890", "body": body},
                         files=[("files", f) for f in files or []])
    assert response.status_code == 200
    return response.text


def test_ktp_el_request_with_two_photos_from_the_simulator(http, session, run_jobs) -> None:  # type: ignore[no-untyped-def]
    for text in ["halo", "1", "2", "1806014505900001", "Siti Aminah", "kota agung"]:
        simulate(http, text)
    page = simulate(http, "", [("ktp.jpg", jpeg_bytes(3000), "image/jpeg"), ("kk.jpg", jpeg_bytes(4000), "image/jpeg")])
    assert "total 2 file" in page
    simulate(http, "selesai")
    page = simulate(http, "ya")
    ticket = session.exec(select(Ticket)).one()
    assert ticket.number in page
    assert ticket.stage == "intake"
    run_jobs()
    attachments = session.exec(select(Attachment).where(Attachment.ticket_id == ticket.id)).all()
    assert [a.status for a in attachments] == [AttachmentStatus.STORED] * 2
    assert sorted(a.size for a in attachments) == [3000, 4000]


def test_simulator_send_needs_csrf(http, session) -> None:  # type: ignore[no-untyped-def]
    response = http.post("/simulator/send", data={"phone": "+6281234567890", "body": "halo"})
    assert response.status_code == 400


def test_simulator_is_off_with_real_twilio(app, http) -> None:  # type: ignore[no-untyped-def]
    app.config["TWILIO_ENABLED"] = True
    assert http.get("/simulator/").status_code == 404
