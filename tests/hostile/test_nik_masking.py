"""A NIK a citizen types anywhere (the WhatsApp chat, a complaint, a call) reaches only the roles the
ticket's SOP lets see it, each such showing is audited, and no log line ever carries it."""

from __future__ import annotations

import io
import logging
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import requests
from sqlmodel import select

from tests.bot.test_whatsapp_intake import file_request
from tests.conftest import LiveServer, _BaseUrlSession
from tests.support.media_server import MediaServer, jpeg_bytes
from tests.support.whatsapp import Phone
from tests.tickets.conftest import login, make_message, make_staff, make_ticket
from tickets.audit import AuditAction, AuditRecord
from tickets.messages import Conversation
from tickets.models import StageEvent, Ticket
from tickets.tokens import create_token

NIK = "1806014505900001"
MASKED = "1806********0001"
TYPED = "1806 0145 0590 0001"  # how the citizen types it in the chat
IN_TEXT = "1806.0145.0590.0001"  # and inside the complaint
# Roles of the Tanggamus SOP that work the ticket without the NIK's data, and the admin.
MASKED_ROLES = ["sorter", "courier_officer", "call_center_agent", "pdf_sender", "upt_officer", "wa_receiver",
                "admin"]


def _digits_only(page: str) -> str:
    """The page with the separators a NIK may be typed with removed, so no spelling of it hides."""
    return re.sub(r"[\s.\-]", "", page)


def _browser(live_server: LiveServer, username: str) -> requests.Session:
    client = _BaseUrlSession(live_server.url)
    login(client, username)
    return client


def _complaint_with_a_nik(phone: Phone, media_server: MediaServer, session) -> Ticket:  # type: ignore[no-untyped-def]
    """A complaint filed on WhatsApp whose text names the citizen's NIK."""
    phone.say("halo")
    assert "pengaduan" in phone.say("3").lower()
    phone.say("1")
    phone.say(f"KTP saya dengan NIK {IN_TEXT} belum jadi sejak 3 minggu")
    phone.say("talang padang")
    phone.say("lewati")
    phone.say(media=[(media_server.add("bukti", jpeg_bytes(), "image/jpeg"), "image/jpeg")])
    phone.say("selesai")
    phone.say("tidak")
    assert "tercatat dengan nomor" in phone.say("ya")
    return session.exec(select(Ticket)).one()


def _audit(session) -> list[AuditRecord]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.exec(select(AuditRecord).order_by(AuditRecord.id)).all())


@pytest.mark.parametrize("role", MASKED_ROLES)
def test_a_nik_typed_in_the_chat_is_masked_for_roles_without_the_full_nik(  # type: ignore[no-untyped-def]
        role, phone: Phone, media_server: MediaServer, live_server, session) -> None:
    make_staff(session, role, kecamatan_code="180601" if role == "upt_officer" else None)
    photo = (media_server.add("ktp", jpeg_bytes(), "image/jpeg"), "image/jpeg")
    file_request(phone, "2", [photo], nik=TYPED)
    phone.say("ya")
    ticket = session.exec(select(Ticket)).one()

    page = _browser(live_server, role.replace("_", "-")).get(f"/tiket/{ticket.number}")

    assert page.status_code == 200
    assert NIK not in _digits_only(page.text)
    assert MASKED in page.text
    assert _audit(session) == []


def test_the_data_lifter_sees_the_typed_nik_whole_and_the_showing_is_audited(  # type: ignore[no-untyped-def]
        phone: Phone, media_server: MediaServer, live_server, session) -> None:
    lifter = make_staff(session, "data_lifter")
    photo = (media_server.add("ktp", jpeg_bytes(), "image/jpeg"), "image/jpeg")
    file_request(phone, "2", [photo], nik=TYPED)
    phone.say("ya")
    ticket = session.exec(select(Ticket)).one()

    page = _browser(live_server, "data-lifter").get(f"/tiket/{ticket.number}").text

    assert TYPED in page  # the chat as typed
    assert f'<dd class="nik">{NIK}</dd>' in page
    [row] = _audit(session)
    assert (row.staff_id, row.action, row.ticket_id) == (lifter.id, AuditAction.VIEW_FULL_NIK, ticket.id)
    assert row.detail == f"/tiket/{ticket.number}" and row.ip == "127.0.0.1" and row.created_at is not None


@pytest.mark.parametrize("role", ["sorter", "courier_officer", "call_center_agent", "upt_officer"])
def test_a_nik_in_a_complaint_is_masked_in_its_description_and_chat(  # type: ignore[no-untyped-def]
        role, phone: Phone, media_server: MediaServer, live_server, session) -> None:
    make_staff(session, role, kecamatan_code="180602" if role == "upt_officer" else None)
    ticket = _complaint_with_a_nik(phone, media_server, session)
    assert IN_TEXT in (ticket.description or "")

    page = _browser(live_server, role.replace("_", "-")).get(f"/tiket/{ticket.number}").text

    assert NIK not in _digits_only(page)
    assert f"KTP saya dengan NIK {MASKED} belum jadi" in page  # the description, and the chat
    assert page.count(MASKED) >= 2
    assert _audit(session) == []


def test_a_nik_in_a_complaint_is_whole_for_the_complaint_handler_and_audited(  # type: ignore[no-untyped-def]
        phone: Phone, media_server: MediaServer, live_server, session) -> None:
    handler = make_staff(session, "pengelola_pengaduan")
    ticket = _complaint_with_a_nik(phone, media_server, session)

    page = _browser(live_server, "pengelola-pengaduan").get(f"/tiket/{ticket.number}").text

    assert f"KTP saya dengan NIK {IN_TEXT} belum jadi" in page
    assert [(r.staff_id, r.ticket_id) for r in _audit(session)] == [(handler.id, ticket.id)]


def test_notes_in_the_timeline_are_masked_for_the_sorter(live_server, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")
    make_staff(session, "data_lifter")
    ticket = make_ticket(session, nik=None, description=None)
    session.add(StageEvent(ticket_id=ticket.id, action="return", from_stage=ticket.stage, to_stage=ticket.stage,
                           note=f"NIK di berkas {NIK} tidak sama dengan KK"))
    session.commit()

    masked = _browser(live_server, "sorter").get(f"/tiket/{ticket.number}").text
    full = _browser(live_server, "data-lifter").get(f"/tiket/{ticket.number}").text

    assert NIK not in masked and f"NIK di berkas {MASKED} tidak sama" in masked
    assert f"NIK di berkas {NIK} tidak sama" in full
    assert len(_audit(session)) == 1  # the data lifter's view; the sorter saw nothing whole


def test_a_page_without_any_nik_writes_no_audit_record(live_server, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "data_lifter")
    ticket = make_ticket(session, nik=None, description="KTP rusak, nomor HP 0812-3456-7890")
    make_message(session, body="halo", ticket_id=ticket.id)
    page = _browser(live_server, "data-lifter").get(f"/tiket/{ticket.number}").text
    assert "0812-3456-7890" in page
    assert _audit(session) == []


def test_the_calls_api_masks_a_nik_in_the_notes(http, live_server, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "call_center_agent")
    auth = {"Authorization": f"Bearer {create_token(session, 'PBX')}"}
    call = {"phone": "+62 812-9876-5432", "caller_name": "Rahmat Hidayat", "kecamatan": "Kota Agung",
            "topic": "pengaduan", "outcome": "complaint",
            "notes": f"Penelepon menyebut NIK {IN_TEXT}, KTP belum jadi, hubungi 0812-9876-5432"}

    created = http.post("/api/calls", json=call, headers=auth)
    again = http.get(f"/api/calls/{created.json()['id']}", headers=auth)

    assert created.status_code == 201, created.text
    for response in (created, again):
        assert NIK not in _digits_only(response.text)
        assert response.json()["notes"] == f"Penelepon menyebut NIK {MASKED}, KTP belum jadi, hubungi 0812-9876-5432"
    ticket = session.exec(select(Ticket)).one()
    page = _browser(live_server, "call-center-agent").get(f"/tiket/{ticket.number}").text
    assert NIK not in _digits_only(page) and f"NIK {MASKED}, KTP belum jadi" in page


def test_the_tickets_api_shows_no_nik(http, session) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket(session, description=f"NIK saya {NIK}")
    auth = {"Authorization": f"Bearer {create_token(session, 'CRM')}"}
    response = http.get(f"/api/tickets/{ticket.number}", headers=auth)
    assert response.status_code == 200
    assert NIK not in response.text and response.json()["nik_masked"] == MASKED


def test_the_help_desk_list_masks_a_typed_nik(staff, session) -> None:  # type: ignore[no-untyped-def]
    phone = "+6281234567890"
    session.add(Conversation(phone=phone, state="start", data={}, misses=3, needs_human=True))
    session.commit()
    make_message(session, phone=phone, body=f"tolong, NIK saya {TYPED} kok ditolak")
    page = staff.get("/percakapan-bantuan").text
    assert NIK not in _digits_only(page)
    assert f"NIK saya {MASKED} kok ditolak" in page


def test_the_upts_notes_on_a_berita_acara_are_masked(live_server, session) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from berita_acara.models import BeritaAcara, BeritaAcaraItem, BeritaAcaraStatus

    kasi = make_staff(session, "kasi_inovasi")
    make_staff(session, "courier_officer")
    ticket = make_ticket(session)
    berita_acara = BeritaAcara(number="470/001/BA-UPT/Disdukcapil/2026", year=2026, seq=1, kecamatan_code="180601",
                               status=BeritaAcaraStatus.RECEIVED_WITH_DISCREPANCIES, document_date=date(2026, 12, 1),
                               created_by_id=kasi.id, received_by_id=kasi.id,
                               receipt_note=f"map berisi fotokopi KTP {IN_TEXT}")
    session.add(berita_acara)
    session.flush()
    session.add(BeritaAcaraItem(berita_acara_id=berita_acara.id, ticket_id=ticket.id, position=1,
                                ticket_number=ticket.number, applicant_name="Siti Aminah", service=ticket.service,
                                nik_masked=MASKED, received=False, missing_note=f"berkas NIK {TYPED} tidak ada"))
    session.commit()

    page = _browser(live_server, "courier-officer").get(f"/berita-acara/{berita_acara.id}").text

    assert NIK not in _digits_only(page)
    assert f"tidak ada: berkas NIK {MASKED} tidak ada" in page and f"fotokopi KTP {MASKED}" in page


# Logs: every record is masked when it is made, whatever logger or handler writes it.

def test_a_log_line_with_a_nik_is_masked_without_any_filter_on_the_handler(app, caplog) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.INFO):
        logging.getLogger("bot.intake").info("NIK diterima: %s dari %s", TYPED, "+6281234567890")
        logging.getLogger("tickets").info({"nik": NIK})
    assert NIK not in _digits_only(caplog.text)
    assert f"NIK diterima: {MASKED} dari +6281234567890" in caplog.text  # 13 digits: not a NIK, left alone
    assert all(NIK not in _digits_only(r.getMessage()) for r in caplog.records)


def test_a_traceback_carrying_a_nik_is_masked(app, caplog) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.ERROR):
        try:
            raise ValueError(f"duplicate key (nik)=({NIK})")
        except ValueError:
            logging.getLogger("layanan").exception("insert failed")
    assert NIK not in caplog.text
    assert f"(nik)=({MASKED})" in caplog.text


def test_a_search_by_nik_is_masked_in_the_access_log(app, live_server, session, caplog) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "wa_receiver")
    client = _browser(live_server, "wa-receiver")
    with caplog.at_level(logging.INFO):
        for q in (NIK, TYPED):
            assert client.get("/antrian", params={"q": q}).status_code == 200
    access = [r.getMessage() for r in caplog.records if r.name == "werkzeug" and "/antrian?q=" in r.getMessage()]
    assert len(access) == 2, caplog.text
    assert all(MASKED in line for line in access), access
    assert NIK not in _digits_only(caplog.text.replace("+", ""))


def test_gunicorn_access_lines_are_masked(app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    glog = Logger(config)  # gunicorn sets its own handlers up, after the app here as in a worker
    try:
        environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/antrian?q=1806+0145+0590+0001",
                   "QUERY_STRING": "q=1806+0145+0590+0001", "SERVER_PROTOCOL": "HTTP/1.1",
                   "REMOTE_ADDR": "127.0.0.1"}
        glog.access(SimpleNamespace(status="200 OK", sent=1024, headers=[]), SimpleNamespace(headers=[]), environ,
                    timedelta(milliseconds=12))
    finally:
        for logger in (glog.error_log, glog.access_log):
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
                handler.close()
    line = (tmp_path / "access.log").read_text()
    assert f"GET /antrian?q={MASKED} HTTP/1.1" in line
    assert "0145" not in line


def test_a_handler_added_after_the_app_gets_masked_records(app) -> None:  # type: ignore[no-untyped-def]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("pihak.ketiga")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("cari %s", IN_TEXT)
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    assert stream.getvalue() == f"cari {MASKED}\n"


def test_a_search_by_phone_is_masked_in_the_access_log(app, live_server, session, caplog) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "wa_receiver")
    client = _browser(live_server, "wa-receiver")
    with caplog.at_level(logging.INFO):
        for q in ("081234567890", "+62 812-3456-7890"):
            assert client.get("/antrian", params={"q": q}).status_code == 200
    access = [r.getMessage() for r in caplog.records if r.name == "werkzeug" and "/antrian?q=" in r.getMessage()]
    assert len(access) == 2, caplog.text
    assert "q=********7890" in access[0] and "q=**********7890" in access[1], access
    assert "1234567890" not in caplog.text and "812-3456" not in caplog.text
