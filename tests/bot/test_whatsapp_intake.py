"""A citizen's WhatsApp chat becomes a ticket with its documents, through the real webhook and worker."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from tickets.messages import Attachment, Conversation, Message
from routing import workflow
from tests.support.media_server import MediaServer, jpeg_bytes, pdf_bytes, png_bytes
from tests.support.whatsapp import Phone
from tickets.constants import AttachmentStatus, Service
from tickets.models import Applicant, StageEvent, Ticket
from tests.support.workflows import TANGGAMUS

NIK_SITI = "1806014505900001"  # Tanggamus (Kota Agung), woman born 5 May 1990


def outbox(app) -> list[dict]:  # type: ignore[no-untyped-def]
    folder = Path(app.config["OUTBOX_PATH"])
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))] if folder.exists() else []


def file_request(phone: Phone, service_choice: str, files: list[tuple[str, str]], detail: str | None = None,
                 nik: str = NIK_SITI) -> list[str]:
    """Walk the request conversation up to the summary; return the summary replies."""
    assert "Balas dengan angka" in phone.say("halo")
    assert "Pilih dokumen" in phone.say("1")
    assert "NIK" in phone.say(service_choice)
    assert "nama lengkap" in phone.say(nik)
    assert "kecamatan" in phone.say("Siti Aminah").lower()
    reply = phone.say("kota agung")
    if detail is not None:
        assert "Tulis" in reply
        reply = phone.say(detail)
    assert "Persyaratan" in reply
    for url_type in files:
        assert "Diterima" in phone.say(media=[url_type])
    return phone.send("selesai")


def test_ktp_el_request_with_two_photos_lands_in_first_stage(app, phone: Phone, session,
                                                             media_server: MediaServer, run_jobs) -> None:
    photos = [(media_server.add("ME1", jpeg_bytes(5000), "image/jpeg"), "image/jpeg"),
              (media_server.add("ME2", png_bytes(7000), "image/png"), "image/png")]
    summary = "\n".join(file_request(phone, "2", photos))
    assert "KTP" in summary and "1806 0145 0590 0001" in summary and "Siti Aminah" in summary
    assert "Kota Agung" in summary and "2 file" in summary
    confirmation = phone.say("ya")
    ticket = session.exec(select(Ticket)).one()
    assert ticket.number in confirmation
    assert ticket.number.startswith("PGD-2") and len(ticket.number) == len("PGD-2026-000001")
    assert ticket.service == Service.KTP_EL
    assert ticket.channel == "whatsapp"
    assert ticket.kecamatan_code == "180601"
    assert ticket.stage == workflow(TANGGAMUS).first_stage.key
    assert ticket.due_at is not None
    applicant = session.get(Applicant, ticket.applicant_id)
    assert (applicant.nik, applicant.name, applicant.phone) == (NIK_SITI, "Siti Aminah", "+6281234567890")
    events = session.exec(select(StageEvent).where(StageEvent.ticket_id == ticket.id)).all()
    assert [e.to_stage for e in events] == [ticket.stage]

    run_jobs()
    session.expire_all()
    attachments = session.exec(select(Attachment).where(Attachment.ticket_id == ticket.id)).all()
    assert sorted(a.status for a in attachments) == [AttachmentStatus.STORED] * 2
    assert sorted(a.content_type for a in attachments) == ["image/jpeg", "image/png"]
    for attachment in attachments:
        stored = Path(app.config["MEDIA_PATH"]) / attachment.storage_path
        assert stored.name == attachment.sha256  # content-addressed, never the sender's filename
        assert stored.stat().st_size == attachment.size


@pytest.mark.parametrize(("choice", "service", "detail"), [
    ("1", Service.KK, None),
    ("3", Service.KIA, None),
    ("4", Service.AKTA_KELAHIRAN, None),
    ("5", Service.AKTA_KEMATIAN, None),
    ("6", Service.PINDAH, "Pindah ke Pekon Sukaraja, Gisting, karena ikut suami"),
    ("7", Service.PERBAIKAN_DATA, "Tanggal lahir di KK 12-03-1990, seharusnya 21-03-1990"),
])
def test_each_document_service_becomes_its_ticket(phone: Phone, session, media_server: MediaServer,
                                                  choice: str, service: Service, detail: str | None) -> None:
    doc = (media_server.add("doc", pdf_bytes(), "application/pdf"), "application/pdf")
    file_request(phone, choice, [doc], detail=detail)
    assert "tercatat dengan nomor" in phone.say("ya")
    ticket = session.exec(select(Ticket)).one()
    assert ticket.service == service
    attachments = session.exec(select(Attachment).where(Attachment.ticket_id == ticket.id)).all()
    assert len(attachments) == 1
    if detail:
        assert detail in (ticket.description or "")


def test_complaint_with_photo_becomes_a_complaint_ticket(phone: Phone, session, media_server: MediaServer) -> None:
    phone.say("halo")
    assert "pengaduan" in phone.say("3").lower()
    phone.say("pelayanan lambat")
    text = "Sudah 3 minggu KTP saya belum jadi padahal dijanjikan seminggu"
    phone.say(text)
    phone.say("talang padang")
    phone.say("lewati")
    phone.say(media=[(media_server.add("bukti", jpeg_bytes(), "image/jpeg"), "image/jpeg")])
    phone.say("selesai")
    assert text in phone.say("tidak")
    assert "tercatat dengan nomor" in phone.say("ya")
    ticket = session.exec(select(Ticket)).one()
    assert ticket.service == Service.PENGADUAN
    assert ticket.description == text
    assert ticket.kecamatan_code == "180602"
    assert len(session.exec(select(Attachment).where(Attachment.ticket_id == ticket.id)).all()) == 1


def test_bad_nik_gets_the_reason_and_the_question_again(phone: Phone) -> None:
    phone.say("halo")
    phone.say("1")
    phone.say("2")
    assert "16 angka" in phone.say("12345")
    assert "provinsi" in phone.say("9906014505900001").lower()
    assert "Tanggal lahir" in phone.say("1806013002900001")  # 30 February
    assert "nama lengkap" in phone.say("1806 0145 0590 0001")  # spaces tolerated


def test_wrong_kecamatan_then_a_typo_is_understood(phone: Phone, session) -> None:
    phone.say("halo")
    phone.say("1")
    phone.say("2")
    phone.say(NIK_SITI)
    phone.say("Siti Aminah")
    assert "tidak ditemukan" in phone.say("Jakarta Selatan")
    assert "Persyaratan" in phone.say("wonosbo")


def test_wrong_type_is_refused_in_the_chat_and_not_downloaded(phone: Phone, session, media_server: MediaServer,
                                                              run_jobs) -> None:
    file_request_until_documents(phone)
    url = media_server.add("video", b"\x00\x00\x00\x18ftypmp42", "video/mp4")
    assert "tidak bisa kami terima" in phone.say(media=[(url, "video/mp4")])
    run_jobs()
    assert media_server.requests == []
    attachment = session.exec(select(Attachment)).one()
    assert attachment.status == AttachmentStatus.REFUSED
    assert "Belum ada dokumen" in phone.say("selesai")  # nothing was kept


def file_request_until_documents(phone: Phone) -> None:
    phone.say("halo")
    phone.say("1")
    phone.say("2")
    phone.say(NIK_SITI)
    phone.say("Siti Aminah")
    phone.say("gisting")


def test_oversized_file_is_refused_with_the_limit(app, phone: Phone, session, media_server: MediaServer,
                                                  run_jobs) -> None:
    app.config["MEDIA_MAX_BYTES"] = 1024 * 1024
    file_request_until_documents(phone)
    phone.say(media=[(media_server.add("big", jpeg_bytes(1024 * 1024 + 1), "image/jpeg"), "image/jpeg")])
    run_jobs()
    attachment = session.exec(select(Attachment)).one()
    session.refresh(attachment)
    assert attachment.status == AttachmentStatus.REFUSED
    assert attachment.storage_path is None
    sent = outbox(app)
    assert len(sent) == 1 and "1 MB" in sent[0]["body"] and sent[0]["to"] == "whatsapp:+6281234567890"


def test_disguised_executable_is_refused_after_download(app, phone: Phone, session, media_server: MediaServer,
                                                        run_jobs) -> None:
    file_request_until_documents(phone)
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
    phone.say(media=[(media_server.add("foto.jpg", exe, "image/jpeg"), "image/jpeg")])
    run_jobs()
    attachment = session.exec(select(Attachment)).one()
    session.refresh(attachment)
    assert attachment.status == AttachmentStatus.REFUSED
    assert [p for p in Path(app.config["MEDIA_PATH"]).rglob("*") if p.is_file()] == []
    assert "tidak bisa kami terima" in outbox(app)[0]["body"]


def test_media_download_uses_account_credentials_and_retries(app, phone: Phone, session,
                                                             media_server: MediaServer, run_jobs) -> None:
    app.config["TWILIO_ACCOUNT_SID"] = "AC" + "2" * 32  # credentials known, sends still go to the outbox
    app.config["MEDIA_RETRY_INTERVALS"] = [0, 0]
    file_request_until_documents(phone)
    url = media_server.add("flaky", jpeg_bytes(), "image/jpeg", failures_left=2)
    phone.say(media=[(url, "image/jpeg")])
    run_jobs()
    attachment = session.exec(select(Attachment)).one()
    session.refresh(attachment)
    assert attachment.status == AttachmentStatus.STORED
    gets = [r for r in media_server.requests if r[0] == "GET"]
    assert len(gets) == 3
    assert all(auth and auth.startswith("Basic ") for _, _, auth in gets)


def test_media_that_never_downloads_is_flagged_and_the_citizen_told(app, phone: Phone, session,
                                                                      media_server: MediaServer, run_jobs) -> None:
    app.config["MEDIA_RETRY_INTERVALS"] = [0]
    file_request_until_documents(phone)
    phone.say(media=[(media_server.add("down", jpeg_bytes(), "image/jpeg", failures_left=99), "image/jpeg")])
    run_jobs()
    attachment = session.exec(select(Attachment)).one()
    session.refresh(attachment)
    assert attachment.status == AttachmentStatus.FAILED
    assert "kirim ulang" in outbox(app)[0]["body"].lower()


def test_duplicate_delivery_with_media_is_one_attachment(phone: Phone, session, media_server: MediaServer,
                                                         run_jobs) -> None:
    from tests.support.whatsapp import new_sid

    file_request_until_documents(phone)
    sid = new_sid()
    media = [(media_server.add("once", jpeg_bytes(), "image/jpeg"), "image/jpeg")]
    first = phone.send(media=media, sid=sid)
    assert phone.send(media=media, sid=sid) == first
    run_jobs()
    assert len(session.exec(select(Attachment)).all()) == 1
    assert len([r for r in media_server.requests if r[0] == "GET"]) == 1


def test_status_answers_only_the_applicants_number(live_server, app, phone: Phone, session,
                                                   media_server: MediaServer) -> None:
    file_request(phone, "2", [(media_server.add("a", jpeg_bytes(), "image/jpeg"), "image/jpeg")])
    phone.say("ya")
    number = session.exec(select(Ticket)).one().number
    reply = phone.say(f"status {number.lower()}")
    assert number in reply and workflow(TANGGAMUS).first_stage.citizen_label in reply
    other = Phone(base_url=live_server.url, auth_token=app.config["TWILIO_AUTH_TOKEN"], number="+6281399998888")
    someone_elses = other.say(f"status {number}")
    assert workflow(TANGGAMUS).first_stage.citizen_label not in someone_elses
    unknown = other.say("status PGD-2026-999999")
    # The same answer whether the ticket is someone else's or does not exist: nothing to learn by guessing.
    assert unknown.replace("PGD-2026-999999", number) == someone_elses
    assert phone.say("status PGD-2026-999999") == unknown


def test_cancel_and_menu(phone: Phone, session) -> None:
    phone.say("halo")
    phone.say("1")
    phone.say("2")
    assert "dibatalkan" in phone.say("batal")
    assert "Balas dengan angka" in phone.say("menu")
    assert session.exec(select(Ticket)).all() == []


def test_help_flags_the_conversation_for_a_human(phone: Phone, session) -> None:
    phone.say("halo")
    assert "petugas" in phone.say("bantuan")
    conversation = session.exec(select(Conversation)).one()
    assert conversation.needs_human


def test_three_misses_offer_a_human(phone: Phone) -> None:
    phone.say("halo")
    replies = [phone.say("qwerty") for _ in range(3)]
    assert "bantuan" not in replies[0]
    assert "bantuan" in replies[2]


def test_idle_conversation_starts_over_and_says_so(phone: Phone, session) -> None:
    phone.say("halo")
    phone.say("1")
    conversation = session.exec(select(Conversation)).one()
    conversation.updated_at = conversation.updated_at - timedelta(hours=25)
    session.add(conversation)
    session.commit()
    assert "24 jam" in phone.say("2")


def test_every_inbound_message_keeps_its_replies(phone: Phone, session) -> None:
    phone.say("halo")
    phone.say("1")
    messages = session.exec(select(Message).order_by(Message.id)).all()
    assert [m.body for m in messages] == ["halo", "1"]
    assert all(json.loads(m.reply) for m in messages)
