"""The ticket page: personal data per role, files, the conversation, the clock and the action forms."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html import unescape

from sqlmodel import select

from tests.support.media_server import pdf_bytes, png_bytes
from tests.tickets.conftest import (
    act_via_form,
    csrf_token,
    login,
    make_attachment,
    make_message,
    make_staff,
    make_ticket,
)
from tickets.constants import Direction, MessageStatus
from tickets.models import StageEvent, Ticket
from layanan.clock import utcnow

NIK = "1806014505900001"
MASKED = "1806********0001"


def forms_on(html: str) -> set[str]:
    """The actions offered on a ticket page."""
    return set(re.findall(r'name="action" value="([a-z_]+)"', html))


def test_full_nik_for_data_lifter_masked_for_sorter(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "data_lifter")
    make_staff(session, "sorter")
    ticket = make_ticket(session, nik=NIK)

    login(http, "data-lifter")
    full = http.get(f"/tiket/{ticket.number}").text
    http.cookies.clear()
    login(http, "sorter")
    masked = http.get(f"/tiket/{ticket.number}").text

    assert f'<dd class="nik">{NIK}</dd>' in full
    assert http.get(f"/tiket/{ticket.number}").headers["Cache-Control"] == "private, no-store"
    assert NIK not in masked
    assert f'<dd class="nik">{MASKED}</dd>' in masked


def test_attachment_download_by_role(app, http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "data_lifter")
    make_staff(session, "sorter")
    ticket = make_ticket(session)
    other = make_ticket(session, phone="+6285212345678")
    image = make_attachment(session, app.config["MEDIA_PATH"], ticket, png_bytes(3000), "image/png")
    pdf = make_attachment(session, app.config["MEDIA_PATH"], ticket, pdf_bytes(), "application/pdf")
    foreign = make_attachment(session, app.config["MEDIA_PATH"], other, b"\xff\xd8\xff" + b"1" * 50, "image/jpeg")

    login(http, "data-lifter")
    page = http.get(f"/tiket/{ticket.number}").text
    image_url = f"/tiket/{ticket.number}/lampiran/{image.id}"
    pdf_url = f"/tiket/{ticket.number}/lampiran/{pdf.id}"
    assert f'<a href="{image_url}"><img src="{image_url}/kecil"' in page  # a bounded thumbnail, not the file
    assert f'href="{pdf_url}"' in page and "Buka PDF" in page

    got = http.get(image_url)
    assert got.status_code == 200
    assert got.content == png_bytes(3000)
    assert got.headers["Content-Type"] == "image/png"
    assert got.headers["Cache-Control"] == "private, no-store"
    got_pdf = http.get(pdf_url)
    assert got_pdf.headers["Content-Type"] == "application/pdf"
    assert got_pdf.content.startswith(b"%PDF")
    # An attachment of another ticket is not reachable through this ticket's number.
    assert http.get(f"/tiket/{ticket.number}/lampiran/{foreign.id}").status_code == 404
    assert http.get(f"/tiket/{ticket.number}/lampiran/99999").status_code == 404

    http.cookies.clear()
    login(http, "sorter")
    page = http.get(f"/tiket/{ticket.number}").text
    assert "lampiran/" not in page
    assert "tidak berwenang membuka berkas" in page
    refused = http.get(image_url)
    assert refused.status_code == 403
    assert png_bytes(3000) not in refused.content


def test_stage_owner_may_open_attachments_without_full_nik(app, http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "print_operator")
    ticket = make_ticket(session, stage="berkas_printing")
    attachment = make_attachment(session, app.config["MEDIA_PATH"], ticket)
    login(http, "print-operator")
    assert http.get(f"/tiket/{ticket.number}/lampiran/{attachment.id}").status_code == 200
    assert MASKED in http.get(f"/tiket/{ticket.number}").text


def test_conversation_shows_the_tickets_messages_with_bot_replies(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "wa_receiver")
    now = utcnow()
    make_message(session, body="pesan lama sekali", created_at=now - timedelta(days=3))
    make_message(session, body="saya mau buat KTP", reply=json.dumps(["Silakan kirim NIK Anda."]),
                 created_at=now - timedelta(minutes=10))
    make_message(session, phone="+6285212345678", body="pesan orang lain", created_at=now - timedelta(minutes=5))
    ticket = make_ticket(session, now=now)
    make_message(session, body="ya, kirim", ticket_id=ticket.id, reply=json.dumps(["Tiket Anda PGD dibuat."]),
                 created_at=now)
    make_message(session, direction=Direction.OUTBOUND, body="Permohonan Anda sudah diverifikasi.",
                 ticket_id=ticket.id, status=MessageStatus.DELIVERED, created_at=now + timedelta(hours=2))

    login(http, "wa-receiver")
    page = http.get(f"/tiket/{ticket.number}").text
    chat = page[page.index('id="percakapan"'):page.index('id="riwayat"')]

    order = ["saya mau buat KTP", "Silakan kirim NIK Anda.", "ya, kirim", "Tiket Anda PGD dibuat.",
             "Permohonan Anda sudah diverifikasi."]
    positions = [chat.index(text) for text in order]
    assert positions == sorted(positions)
    assert "Balasan otomatis" in chat and "delivered" in chat
    assert "pesan lama sekali" not in chat
    assert "pesan orang lain" not in chat


def test_conversation_stops_at_the_numbers_next_ticket(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "wa_receiver")
    now = utcnow()
    first = make_ticket(session, now=now - timedelta(days=3))
    make_message(session, body="tentang tiket pertama", created_at=now - timedelta(days=2))
    make_message(session, body="mulai permohonan kedua", created_at=now - timedelta(hours=1))
    second = make_ticket(session, now=now - timedelta(minutes=30))

    login(http, "wa-receiver")
    first_page = http.get(f"/tiket/{first.number}").text
    second_page = http.get(f"/tiket/{second.number}").text

    assert "tentang tiket pertama" in first_page and "mulai permohonan kedua" not in first_page
    assert "mulai permohonan kedua" in second_page and "tentang tiket pertama" not in second_page


def test_timeline_names_the_staff_and_the_clock_marks_overdue(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "wa_receiver", full_name="Rina Operator WA")
    ticket = make_ticket(session, due_at=utcnow() - timedelta(hours=2))
    login(http, "wa-receiver")
    page = act_via_form(http, ticket.number, "claim").text

    timeline = page[page.index('id="riwayat"'):]
    assert "Tiket dibuat" in timeline
    assert "Ambil tiket" in timeline and "Rina Operator WA (Operator Penerima WA)" in timeline
    clock = page[page.index('class="card sla"'):page.index('id="tindakan"')]
    assert "Terlambat" in clock and "(waktu kerja)" in clock
    assert "Dikerjakan</dt><dd>Rina Operator WA" in clock


def test_clock_shows_working_time_left(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "wa_receiver")
    ticket = make_ticket(session)
    ticket.due_at = ticket.sla_started_at + timedelta(days=40)  # type: ignore[operator]
    session.add(ticket)
    session.commit()
    login(http, "wa-receiver")
    clock = http.get(f"/tiket/{ticket.number}").text
    clock = clock[clock.index('class="card sla"'):clock.index('id="tindakan"')]
    assert "Sisa</dt>" in clock and "jam" in clock and "Terlambat" not in clock


def test_forms_offer_exactly_the_allowed_actions(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "wa_receiver")
    make_staff(session, "sorter")
    ticket = make_ticket(session)

    login(http, "wa-receiver")
    assert forms_on(http.get(f"/tiket/{ticket.number}").text) == {"claim"}
    claimed = act_via_form(http, ticket.number, "claim").text
    assert forms_on(claimed) == {"advance", "reject", "ask_citizen", "release"}
    assert 'type="checkbox" id="isian-berkas_wa_diterima"' in claimed

    http.cookies.clear()
    login(http, "sorter")
    page = http.get(f"/tiket/{ticket.number}").text
    assert forms_on(page) == set()
    assert "Tahap ini dikerjakan oleh Operator Penerima WA" in page


def test_advance_form_renders_the_stage_fields(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "registration_counter")
    make_staff(session, "sorter")
    make_staff(session, "print_operator")
    registration = make_ticket(session, stage="counter_registration")
    sorting = make_ticket(session, stage="sorting")
    printing = make_ticket(session, stage="berkas_printing")

    login(http, "registration-counter")
    page = act_via_form(http, registration.number, "claim").text
    assert "<strong>Nomor registrasi</strong>: <span class=\"muted\">diisi otomatis</span>" in page
    assert 'name="isian-registration_number"' not in page
    assert 'name="isian-berkas_lengkap"' in page and 'name="isian-nomor_wa_sesuai"' in page
    returns = re.search(r'<select id="to_stage" name="to_stage">(.*?)</select>', page, flags=re.S)
    assert returns is not None
    assert re.findall(r'value="([a-z_]+)"', returns.group(1)) == ["berkas_printing", "data_lifting", "intake"]

    http.cookies.clear()
    login(http, "sorter")
    page = act_via_form(http, sorting.number, "claim").text
    assert '<select id="isian-kode_kecamatan" name="isian-kode_kecamatan" class="kecamatan-field"' in page

    http.cookies.clear()
    login(http, "print-operator")
    page = act_via_form(http, printing.number, "claim").text
    assert '<input type="number" id="isian-jumlah_lembar"' in page and 'min="1"' in page


def test_missing_outputs_are_refused_and_the_form_keeps_its_values(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "pickup_counter")
    ticket = make_ticket(session, stage="pickup")
    login(http, "pickup-counter")
    act_via_form(http, ticket.number, "claim")

    response = act_via_form(http, ticket.number, "advance", **{"isian-diambil_oleh": "Ahmad"})

    assert [r.status_code for r in response.history] == [303] and response.status_code == 200
    assert "Isian belum lengkap" in response.text
    assert "Dokumen sudah diserahkan: harus dicentang" in response.text
    assert 'value="Ahmad"' in response.text
    session.expire_all()
    assert session.get(Ticket, ticket.id).stage == "pickup"


def test_action_without_csrf_token_is_refused_and_changes_nothing(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "wa_receiver")
    ticket = make_ticket(session)
    login(http, "wa-receiver")

    response = http.post(f"/tiket/{ticket.number}/aksi", data={"action": "claim", "version": str(ticket.version)})

    assert response.status_code == 400
    assert "tidak ada yang diubah" in response.text
    session.expire_all()
    stored = session.get(Ticket, ticket.id)
    assert (stored.version, stored.claimed_by_id) == (1, None)
    events = session.exec(select(StageEvent).where(StageEvent.ticket_id == ticket.id)).all()
    assert [e.action for e in events] == ["create"]


def test_stale_version_gets_the_conflict_message_and_changes_nothing(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "wa_receiver", full_name="Petugas A")
    make_staff(session, "wa_receiver", username="wa-kedua", full_name="Petugas B")
    ticket = make_ticket(session)
    seen_version = ticket.version
    login(http, "wa-receiver")
    stale_page = http.get(f"/tiket/{ticket.number}").text  # A opens the page…

    other = type(http)(http.base)  # …B, in another browser, claims it first
    try:
        login(other, "wa-kedua")
        assert act_via_form(other, ticket.number, "claim").status_code == 200
    finally:
        other.close()

    response = http.post(f"/tiket/{ticket.number}/aksi", data={
        "csrf_token": csrf_token(stale_page), "action": "claim", "version": str(seen_version)})

    assert [r.status_code for r in response.history] == [303]
    assert "diubah petugas lain" in response.text
    assert "Petugas B" in response.text  # the page shows the current state
    session.expire_all()
    stored = session.get(Ticket, ticket.id)
    assert stored.version == seen_version + 1
    events = session.exec(select(StageEvent).where(StageEvent.ticket_id == ticket.id)).all()
    assert [e.action for e in events] == ["create", "claim"]


def test_wrong_role_is_refused_and_changes_nothing(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")
    ticket = make_ticket(session)
    login(http, "sorter")
    page = http.get(f"/tiket/{ticket.number}").text

    response = http.post(f"/tiket/{ticket.number}/aksi", data={
        "csrf_token": csrf_token(page), "action": "claim", "version": str(ticket.version)})

    assert [r.status_code for r in response.history] == [303]
    assert "dikerjakan oleh Operator Penerima WA; Anda tidak memiliki peran tersebut" in response.text
    session.expire_all()
    assert session.get(Ticket, ticket.id).version == 1


def test_unknown_action_and_broken_version_never_give_a_server_error(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "wa_receiver")
    ticket = make_ticket(session)
    assert ticket.version == 1
    login(http, "wa-receiver")
    page = http.get(f"/tiket/{ticket.number}").text
    token = csrf_token(page)

    unknown = http.post(f"/tiket/{ticket.number}/aksi", data={"csrf_token": token, "action": "hapus", "version": "1"})
    broken = http.post(f"/tiket/{ticket.number}/aksi", data={"csrf_token": token, "action": "claim", "version": "x"})
    missing = http.post(f"/tiket/{ticket.number}/aksi", data={"csrf_token": token})

    assert unknown.history[0].status_code == 303 and "Tindakan tidak dikenal" in unknown.text
    assert broken.history[0].status_code == 303 and "diubah petugas lain" in broken.text
    assert missing.history[0].status_code == 303 and missing.status_code == 200
    session.expire_all()
    assert session.get(Ticket, ticket.id).version == 1


def test_return_reject_and_ask_citizen(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "registration_counter")
    returned = make_ticket(session, stage="counter_registration")
    rejected = make_ticket(session, stage="counter_registration")
    asked = make_ticket(session, stage="counter_registration")
    login(http, "registration-counter")

    for ticket in (returned, rejected, asked):
        act_via_form(http, ticket.number, "claim")
    no_reason = act_via_form(http, returned.number, "return", to_stage="data_lifting", reason=" ")
    assert no_reason.history[0].status_code == 303 and "Alasan (wajib diisi" in no_reason.text
    act_via_form(http, returned.number, "return", to_stage="data_lifting", reason="Foto KK buram")
    act_via_form(http, rejected.number, "reject", reason="Bukan warga Tanggamus")
    done = act_via_form(http, asked.number, "ask_citizen", reason="Mohon kirim foto akta kelahiran")

    assert "menunggu kelengkapan dari pemohon" in done.text
    assert "Penghitungan waktu dihentikan sementara" in http.get(f"/tiket/{asked.number}").text
    session.expire_all()
    assert session.get(Ticket, returned.id).stage == "data_lifting"
    assert session.get(Ticket, rejected.id).stage == "rejected"
    waiting = session.get(Ticket, asked.id)
    assert (waiting.stage, waiting.return_stage) == ("waiting_citizen", "counter_registration")

    # The citizen brings the document to the counter: the officer puts the ticket back.
    page = http.get(f"/tiket/{asked.number}").text
    assert forms_on(page) == {"citizen_replied", "reject"}
    act_via_form(http, asked.number, "citizen_replied", note="Datang langsung ke loket")
    session.expire_all()
    assert session.get(Ticket, asked.id).stage == "counter_registration"


def test_advance_moves_on_and_returns_to_the_queue(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "wa_receiver")
    ticket = make_ticket(session)
    login(http, "wa-receiver")
    act_via_form(http, ticket.number, "claim")

    response = act_via_form(http, ticket.number, "advance", **{"isian-berkas_wa_diterima": "on"})

    assert response.url.endswith("/antrian")
    assert f'Tiket {ticket.number} diteruskan ke tahap "Pengangkatan data pemohon".' in unescape(response.text)


def test_release_gives_the_ticket_back(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "wa_receiver")
    ticket = make_ticket(session)
    login(http, "wa-receiver")
    act_via_form(http, ticket.number, "claim")
    page = act_via_form(http, ticket.number, "release").text
    assert "dilepas dan kembali ke antrian" in page
    assert forms_on(page) == {"claim"}


def test_upt_cannot_act_on_another_kecamatans_ticket(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "upt_officer", kecamatan_code="180601")
    ticket = make_ticket(session, stage="upt_receipt", kecamatan_code="180620")
    page = login(http, "upt-officer")

    response = http.post(f"/tiket/{ticket.number}/aksi", data={
        "csrf_token": csrf_token(page.text), "action": "claim", "version": str(ticket.version)})

    assert response.status_code == 403
    session.expire_all()
    assert session.get(Ticket, ticket.id).version == 1


def test_a_message_not_sent_says_why_in_the_conversation(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "wa_receiver")
    ticket = make_ticket(session)
    make_message(session, direction=Direction.OUTBOUND, body="Dokumen Anda sudah tiba di UPT.", ticket_id=ticket.id,
                 status=MessageStatus.FAILED, error_code="no-template")
    make_message(session, direction=Direction.OUTBOUND, body="Permohonan Anda sudah diverifikasi.",
                 ticket_id=ticket.id, status=MessageStatus.DELIVERED)

    login(http, "wa-receiver")
    page = http.get(f"/tiket/{ticket.number}").text
    chat = page[page.index('id="percakapan"'):page.index('id="riwayat"')]

    failed = chat[chat.index("Dokumen Anda sudah tiba di UPT."):chat.index("Permohonan Anda sudah diverifikasi.")]
    assert 'data-code="no-template"' in failed and "templat WhatsApp belum diatur" in failed
    assert chat.count('class="send-error"') == 1  # the delivered one says nothing
