"""The call-logging screen: bad input is explained and loses nothing; a double submit logs one call."""

from __future__ import annotations

import re
from html import unescape

from sqlmodel import select

from bot.call_center.models import CallLog
from tests.call_center.conftest import call_form, log_call_via_form
from tests.tickets.conftest import csrf_token, login, make_staff
from tickets.constants import Channel, Service
from tickets.models import StageEvent, Ticket


def test_bad_input_is_explained_and_kept_in_the_form(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "call_center_agent")
    login(http, "call-center-agent")
    response = log_call_via_form(http, phone="0721 123456", nik="1806011234", caller_name="R2D2",
                                 notes="Sudah dijelaskan syarat KK")
    assert response.status_code == 422
    page = unescape(response.text)
    assert "Nomor ini bukan nomor HP/WhatsApp" in page
    assert "NIK harus 16 angka, yang Anda kirim 10 angka." in page
    assert "Nama harus 2-100 huruf" in page
    assert 'value="0721 123456"' in page and "Sudah dijelaskan syarat KK" in page  # nothing typed is lost
    assert session.exec(select(CallLog)).all() == []
    assert session.exec(select(Ticket)).all() == []


def test_needs_files_needs_a_document_service_and_a_kecamatan(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "call_center_agent")
    login(http, "call-center-agent")
    page = unescape(log_call_via_form(http, topic="umum", kecamatan="").text)
    assert "pilih jenis dokumen yang diajukan" in page
    assert "Kecamatan wajib diisi" in page
    assert session.exec(select(CallLog)).all() == []


def test_a_complaint_becomes_a_complaint_ticket_with_the_notes(http, session) -> None:  # type: ignore[no-untyped-def]
    agent = make_staff(session, "call_center_agent")
    login(http, "call-center-agent")
    notes = "Petugas loket Kecamatan Pugung meminta biaya untuk KTP-el"
    response = log_call_via_form(http, outcome="complaint", topic="umum", notes=notes, kecamatan="180611")
    assert "dibuat" in unescape(response.text)
    ticket = session.exec(select(Ticket)).one()
    assert ticket.service == Service.PENGADUAN and ticket.channel == Channel.CALL_CENTER
    assert ticket.description == notes and ticket.kecamatan_code == "180611"
    event = session.exec(select(StageEvent).where(StageEvent.ticket_id == ticket.id)).one()
    assert event.actor_id == agent.id and event.actor_role == "call_center_agent"


def test_a_complaint_without_its_content_is_refused(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "call_center_agent")
    login(http, "call-center-agent")
    page = unescape(log_call_via_form(http, outcome="complaint", notes="jelek").text)
    assert "Tulis isi pengaduan di catatan" in page
    assert session.exec(select(Ticket)).all() == []


def test_the_same_form_sent_twice_logs_one_call(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "call_center_agent")
    login(http, "call-center-agent")
    page = http.get("/call-center/")
    key = re.search(r'name="client_key" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    data = {"csrf_token": csrf_token(page.text), "client_key": key, **call_form()}
    assert http.post("/call-center/", data=data).status_code == 200
    assert http.post("/call-center/", data=data).status_code == 200
    assert len(session.exec(select(CallLog)).all()) == 1
    assert len(session.exec(select(Ticket)).all()) == 1


def test_the_screen_is_keyboard_friendly(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "call_center_agent")
    login(http, "call-center-agent")
    page = http.get("/call-center/").text
    assert re.search(r'<input id="phone"[^>]*autofocus', page)
    for key in ("t", "n", "i", "k", "o", "c", "s", "1", "2", "3", "4"):
        assert f'accesskey="{key}"' in page
    assert 'name="viewport"' in page
    script = http.get("/call-center/form.js")
    assert script.headers["Content-Type"].startswith("text/javascript") and "ctrlKey" in script.text


def test_the_form_without_its_csrf_token_changes_nothing(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "call_center_agent")
    login(http, "call-center-agent")
    response = http.post("/call-center/", data=call_form())
    assert response.status_code == 400
    assert session.exec(select(CallLog)).all() == []


def test_recent_calls_are_the_agents_own(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "call_center_agent")
    make_staff(session, "call_center_agent", username="cc-dua")
    login(http, "call-center-agent")
    log_call_via_form(http, outcome="answered", caller_name="Warga Pertama", topic="kk", phone="081311110001")
    http.cookies.clear()
    login(http, "cc-dua")
    page = log_call_via_form(http, outcome="answered", caller_name="Warga Kedua", topic="kk",
                             phone="081311110002").text
    assert "Warga Kedua" in page and "Warga Pertama" not in page


def test_roles(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "call_center_agent")
    make_staff(session, "data_lifter")
    make_staff(session, "kasi_identitas")
    login(http, "data-lifter")
    for path in ("/call-center/", "/call-center/rekaman", "/call-center/statistik"):
        assert http.get(path).status_code == 403, path
    token = csrf_token(http.get("/antrian").text)  # a valid token: the refusal must come from the role
    assert http.post("/call-center/", data={"csrf_token": token, **call_form()}).status_code == 403
    http.cookies.clear()
    login(http, "kasi-identitas")
    assert http.get("/call-center/statistik").status_code == 200
    assert http.get("/call-center/").status_code == 403
    http.cookies.clear()
    login(http, "call-center-agent")
    assert http.get("/call-center/statistik").status_code == 403
    assert http.get("/call-center/rekaman").status_code == 200
    http.cookies.clear()
    anonymous = http.get("/call-center/", allow_redirects=False)
    assert anonymous.status_code == 302 and "/masuk" in anonymous.headers["Location"]
    assert session.exec(select(CallLog)).all() == []


def test_agent_lands_on_the_logging_screen_after_login(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "call_center_agent")
    landed = login(http, "call-center-agent")
    assert landed.url.endswith("/call-center/")
    make_staff(session, "call_center_agent", "wa_receiver", username="dua-peran")
    http.cookies.clear()
    assert login(http, "dua-peran").url.endswith("/antrian")  # a stage's owner starts at the queue


def test_a_landline_call_answered_on_the_phone_is_logged(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "call_center_agent")
    login(http, "call-center-agent")
    response = log_call_via_form(http, phone="(0722) 21234", outcome="answered", topic="kk", caller_name="")
    assert response.status_code in (200, 303), unescape(response.text)
    call = session.exec(select(CallLog)).one()
    assert call.phone == "+6272221234" and call.ticket_id is None
    assert session.exec(select(Ticket)).all() == []
