"""A logged call becomes a ticket, the caller gets WhatsApp instructions, and their photos join that ticket."""

from __future__ import annotations

import re
from html import unescape

from sqlmodel import select

from bot.call_center.models import CallLog
from tickets.messages import Attachment, Message
from routing import workflow
from tests.call_center.conftest import CALLER, FOLLOWUP_SID, log_call_via_form, outbox_records
from tests.support.media_server import jpeg_bytes, png_bytes
from tests.tickets.conftest import act_via_form, login, make_staff, queue_numbers, valid_outputs
from tickets.constants import AttachmentStatus, Channel, Direction
from tickets.models import Ticket
from tests.support.workflows import TANGGAMUS


def test_logged_call_to_photos_on_the_same_ticket(app, http, session, phone, media_server, run_jobs) -> None:  # type: ignore[no-untyped-def]
    for role in ("call_center_agent", "wa_receiver", "data_lifter"):
        make_staff(session, role)
    login(http, "call-center-agent")

    saved = log_call_via_form(http, phone="0812 9876 5432")
    text = unescape(saved.text)
    number = re.search(r"Tiket (PGD-\d{4}-\d{6}) dibuat", text).group(1)  # type: ignore[union-attr]
    assert "Pesan WhatsApp ke penelepon sedang dikirim." in text
    assert re.search(rf'data-call="\d+">.*?{number}', text, flags=re.S)  # listed under the agent's recent calls

    ticket = session.exec(select(Ticket).where(Ticket.number == number)).one()
    assert ticket.channel == Channel.CALL_CENTER
    assert ticket.stage == workflow(TANGGAMUS).first_stage.key
    assert outbox_records(app) == []  # sent by the job, after the commit

    run_jobs()
    [sent] = outbox_records(app)
    assert sent["to"] == f"whatsapp:{CALLER}"
    assert number in sent["body"] and "KTP-el lama" in sent["body"]
    # The caller never wrote to the office: only the approved template may go out.
    assert sent["template"] == FOLLOWUP_SID
    assert sent["variables"]["1"] == number

    greeting = phone.say("Selamat siang, saya yang tadi menelepon")
    assert number in greeting and "Kirim foto/PDF persyaratan" in greeting

    first = media_server.add("ktp.jpg", jpeg_bytes(), "image/jpeg")
    second = media_server.add("kk.png", png_bytes(), "image/png")
    reply = phone.say("", media=[(first, "image/jpeg"), (second, "image/png")])
    assert f"2 file sudah kami lampirkan ke tiket *{number}*" in reply
    run_jobs()

    attachments = session.exec(select(Attachment).where(Attachment.ticket_id == ticket.id)).all()
    assert sorted(a.status for a in attachments) == [AttachmentStatus.STORED, AttachmentStatus.STORED]
    assert {a.content_type for a in attachments} == {"image/jpeg", "image/png"}
    assert session.exec(select(Ticket).where(Ticket.applicant_id == ticket.applicant_id)).all() == [ticket]

    http.cookies.clear()
    login(http, "wa-receiver")
    receiver_page = " ".join(unescape(http.get(f"/tiket/{number}").text).split())
    assert "Dicatat call center" in receiver_page and "template, status outbox" in receiver_page
    stage = workflow(TANGGAMUS).first_stage
    assert act_via_form(http, number, "claim").status_code == 200
    advanced = act_via_form(http, number, "advance", **valid_outputs(stage))
    assert "diteruskan ke tahap" in unescape(advanced.text)

    http.cookies.clear()
    queue = login(http, "data-lifter")
    assert number in queue_numbers(queue.text)
    page = http.get(f"/tiket/{number}").text
    for attachment in attachments:
        link = f"/tiket/{number}/lampiran/{attachment.id}"
        assert link in page
        assert http.get(link).status_code == 200


def test_after_the_ticket_moves_on_the_caller_talks_to_the_bot_again(app, http, session, phone, run_jobs) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "call_center_agent")
    login(http, "call-center-agent")
    log_call_via_form(http)
    call = session.exec(select(CallLog)).one()
    ticket = session.get(Ticket, call.ticket_id)
    ticket.stage = workflow(TANGGAMUS).first_stage.next  # the receiver took it further
    session.add(ticket)
    session.commit()

    reply = phone.say("halo")
    assert ticket.number not in reply
    assert "Balas dengan angka" in reply


def test_a_caller_with_two_open_tickets_is_asked_which_one(app, http, session, phone, media_server, run_jobs) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "call_center_agent")
    login(http, "call-center-agent")
    log_call_via_form(http, topic="ktp-el")
    log_call_via_form(http, topic="kk", notes="KK baru setelah menikah")
    first, second = session.exec(select(Ticket).order_by(Ticket.id)).all()

    photo = media_server.add("buku-nikah.jpg", jpeg_bytes(), "image/jpeg")
    question = phone.say("", media=[(photo, "image/jpeg")])
    assert "Untuk tiket yang mana?" in question
    assert f"1. {first.number}" in question and f"2. {second.number}" in question

    answer = phone.say("2")
    assert f"tiket *{second.number}*" in answer
    assert "1 file sudah kami lampirkan" in answer
    run_jobs()
    [attachment] = session.exec(select(Attachment)).all()
    assert attachment.ticket_id == second.id and attachment.status == AttachmentStatus.STORED

    # The choice holds for what follows.
    more = media_server.add("kk-lama.jpg", jpeg_bytes(3000), "image/jpeg")
    assert f"tiket *{second.number}*" in phone.say("", media=[(more, "image/jpeg")])
    inbound = session.exec(select(Message).where(Message.direction == Direction.INBOUND)).all()
    assert {m.ticket_id for m in inbound if m.num_media} == {second.id}


def test_the_menu_still_works_for_a_caller_with_an_open_ticket(app, http, session, phone) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "call_center_agent")
    login(http, "call-center-agent")
    log_call_via_form(http)
    assert "Balas dengan angka" in phone.say("menu")
    assert "Pilih dokumen yang ingin diajukan" in phone.say("1")


def test_a_file_of_the_wrong_kind_is_refused_and_not_attached(app, http, session, phone, media_server) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "call_center_agent")
    login(http, "call-center-agent")
    log_call_via_form(http)
    ticket = session.exec(select(Ticket)).one()
    document = media_server.add("surat.docx", b"PK\x03\x04", "application/vnd.ms-word")
    reply = phone.say("", media=[(document, "application/vnd.ms-word")])
    assert "File jenis application/vnd.ms-word tidak bisa kami terima" in reply
    assert ticket.number in reply  # still greeted with the ticket's number and the list to send
    assert session.exec(select(Attachment).where(Attachment.ticket_id == ticket.id)).all() == []
