"""The browser simulator: staff only, only the numbers started in it, and its uploads do not stay."""

from __future__ import annotations

import os
import re
import time
from html import unescape
from pathlib import Path

import requests
from sqlmodel import select

from bot.simulator import sweep_uploads
from bot.simulator_models import SimulatorNumber
from tests.support.media_server import jpeg_bytes
from tests.support.whatsapp import Phone
from tests.tickets.conftest import csrf_token, login, make_staff
from tickets.constants import AttachmentStatus
from tickets.messages import Attachment, Message
from tickets.models import Ticket

CITIZEN = "+6281234567890"


def staff_in_simulator(http: requests.Session, session, phone: str = "0812-3456-7890") -> requests.Response:  # type: ignore[no-untyped-def]
    """Log in as a staff member and start the number in the simulator."""
    make_staff(session, "wa_receiver")
    login(http, "wa-receiver")
    return start(http, phone)


def start(http: requests.Session, phone: str) -> requests.Response:
    page = http.get("/simulator/")
    return http.post("/simulator/mulai", data={"csrf_token": csrf_token(page.text), "phone": phone})


def simulate(http: requests.Session, body: str, files: list[tuple[str, bytes, str]] | None = None,
             phone: str = CITIZEN) -> str:
    page = http.get(f"/simulator/?phone={phone}").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = http.post("/simulator/send", data={"csrf_token": token, "phone": phone, "body": body},
                         files=[("files", f) for f in files or []])
    assert response.status_code == 200
    return response.text


def uploads(app) -> list[Path]:  # type: ignore[no-untyped-def]
    folder = Path(app.config["INSTANCE_PATH"]) / "simulator_media"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_ktp_el_request_with_two_photos_from_the_simulator(app, http, session, run_jobs) -> None:  # type: ignore[no-untyped-def]
    started = staff_in_simulator(http, session)
    assert started.url.endswith("/simulator/?phone=%2B6281234567890")
    for text in ["halo", "1", "2", "1806014505900001", "Siti Aminah", "kota agung"]:
        simulate(http, text)
    page = simulate(http, "", [("ktp.jpg", jpeg_bytes(3000), "image/jpeg"), ("kk.jpg", jpeg_bytes(4000), "image/jpeg")])
    assert "total 2 file" in page
    assert len(uploads(app)) == 4  # each file and its type, until the media job fetched them
    simulate(http, "selesai")
    page = simulate(http, "ya")
    ticket = session.exec(select(Ticket)).one()
    assert ticket.number in page
    assert ticket.stage == "intake"
    run_jobs()
    attachments = session.exec(select(Attachment).where(Attachment.ticket_id == ticket.id)).all()
    assert [a.status for a in attachments] == [AttachmentStatus.STORED] * 2
    assert sorted(a.size for a in attachments) == [3000, 4000]
    assert uploads(app) == []  # served once to the media job, then deleted


def test_the_simulator_needs_a_staff_login(http, session) -> None:  # type: ignore[no-untyped-def]
    assert "/masuk" in http.get("/simulator/").url
    assert "/masuk" in http.get(f"/simulator/?phone={CITIZEN}").url
    page = http.get("/masuk")
    sent = http.post("/simulator/send", data={"csrf_token": csrf_token(page.text), "phone": CITIZEN, "body": "halo"})
    assert "/masuk" in sent.url
    begun = http.post("/simulator/mulai", data={"csrf_token": csrf_token(page.text), "phone": CITIZEN})
    assert "/masuk" in begun.url
    assert session.exec(select(Message)).first() is None
    assert session.exec(select(SimulatorNumber)).first() is None


def test_a_citizens_number_cannot_be_read_started_or_spoken_for(live_server, app, http, session) -> None:  # type: ignore[no-untyped-def]
    citizen = Phone(base_url=live_server.url, auth_token=app.config["TWILIO_AUTH_TOKEN"], number="+6281311112222")
    citizen.say("halo")
    staff_in_simulator(http, session)  # the staff member's own simulated number
    page = unescape(http.get("/simulator/").text)
    assert CITIZEN in page and citizen.number not in page

    assert http.get(f"/simulator/?phone={citizen.number}").status_code == 404
    assert http.get("/simulator/?phone=081399990000").status_code == 404  # never started either
    refused = unescape(start(http, citizen.number).text)
    assert "sudah tercatat di luar simulator" in refused
    assert session.get(SimulatorNumber, citizen.number) is None
    page = http.get("/simulator/")
    spoken = http.post("/simulator/send", data={"csrf_token": csrf_token(page.text), "phone": citizen.number,
                                                "body": "status PGD-2026-000001"})
    assert spoken.status_code == 404
    assert [m.body for m in session.exec(select(Message).where(Message.phone == citizen.number))] == ["halo"]


def test_numbers_started_in_the_simulator_are_listed_for_every_staff_member(http, session) -> None:  # type: ignore[no-untyped-def]
    staff_in_simulator(http, session)
    simulate(http, "halo")
    make_staff(session, "call_center_agent")
    http.cookies.clear()
    login(http, "call-center-agent")
    page = unescape(http.get("/simulator/").text)
    assert f'phone={CITIZEN.replace("+", "%2B")}' in page
    assert "halo" in unescape(http.get(f"/simulator/?phone={CITIZEN}").text)
    assert start(http, CITIZEN).url.endswith("/simulator/?phone=%2B6281234567890")  # going back to it is fine


def test_simulator_send_needs_csrf(http, session) -> None:  # type: ignore[no-untyped-def]
    staff_in_simulator(http, session)
    response = http.post("/simulator/send", data={"phone": CITIZEN, "body": "halo"})
    assert response.status_code == 400


def test_simulator_is_off_with_real_twilio(app, http, session) -> None:  # type: ignore[no-untyped-def]
    staff_in_simulator(http, session)
    app.config["TWILIO_ENABLED"] = True
    assert http.get("/simulator/").status_code == 404


def test_uploads_never_fetched_are_swept(tmp_path: Path) -> None:
    old, new = tmp_path / "lama", tmp_path / "baru"
    old.write_bytes(b"x")
    new.write_bytes(b"y")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    assert sweep_uploads(tmp_path, time.time()) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["baru"]
    assert sweep_uploads(tmp_path / "tidak-ada", time.time()) == 0


def test_the_simulator_shows_whatsapp_formatting_as_whatsapp_does() -> None:
    from bot.simulator import whatsapp_format

    html = str(whatsapp_format("*Periksa data:*\nKetik *ya* <b>x</b> 2*3 snake_case _miring_ ~coret~"))
    assert html.startswith("<strong>Periksa data:</strong>\nKetik <strong>ya</strong> &lt;b&gt;x&lt;/b&gt; 2*3")
    assert "snake_case <em>miring</em> <s>coret</s>" in html
