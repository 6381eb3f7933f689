"""A complaint from WhatsApp to closed: triage, disposition, answer, approval, the citizen's verdict."""

from __future__ import annotations

import json
from html import unescape
from pathlib import Path

from sqlmodel import select

from routing.definition import Definition, StageDuty
from tests.complaints.conftest import COMPLAINT_SOP, as_officer, file_complaint, only_ticket, work
from tests.support.media_server import MediaServer, jpeg_bytes
from tests.support.whatsapp import Phone
from tests.tickets.conftest import queue_numbers
from tickets.messages import Attachment
from tickets.models import StaffNotification, StageEvent

TEXT = "Petugas loket meminta uang Rp50.000 agar KTP-el saya cepat jadi, kejadian Senin lalu"
FIRST_DRAFT = "Terima kasih. Petugas yang bersangkutan sudah kami periksa."
ANSWER = "Terima kasih. Petugas yang bersangkutan sudah diberi sanksi dan uang Anda dikembalikan hari Jumat."
SECOND_ANSWER = "Uang Anda dapat diambil di loket 3 mulai besok pukul 08.00 dengan membawa KTP-el."


def outbox(app) -> list[str]:  # type: ignore[no-untyped-def]
    folder = Path(app.config["OUTBOX_PATH"])
    records = [json.loads(p.read_text()) for p in folder.glob("*.json")] if folder.exists() else []
    return [r["body"] for r in sorted(records, key=lambda r: r["created_at"])]


def answer_and_approve(http, number: str, answer: str, sent_back: str | None = None) -> None:  # type: ignore[no-untyped-def]
    as_officer(http, "unit_pengaduan")
    work(http, number, "advance", **{"isian-jawaban_pengaduan": answer,
                                     "isian-hasil_tindak_lanjut": "Pemeriksaan petugas loket"})
    as_officer(http, "penyetuju_jawaban")
    if sent_back:
        assert "dikembalikan" in work(http, number, "return", reason=sent_back)
        return
    work(http, number, "advance", **{"isian-jawaban_disetujui": "on"})


def test_a_whatsapp_complaint_is_answered_reopened_and_closed(  # type: ignore[no-untyped-def]
        app, http, session, phone: Phone, media_server: MediaServer, run_jobs, complaints: Definition,
        officers) -> None:
    assert "tercatat dengan nomor" in file_complaint(phone, TEXT, media_server.add("bukti", jpeg_bytes(),
                                                                                    "image/jpeg"))
    ticket = only_ticket(session)
    number = ticket.number
    assert (ticket.workflow, ticket.stage) == (COMPLAINT_SOP, "triase_pengaduan")
    assert ticket.due_at is not None  # the first response, within 3 working days

    as_officer(http, "pengelola_pengaduan")
    assert number in queue_numbers(http.get("/antrian").text)
    work(http, number, "advance", **{"isian-kategori_pengaduan": "Pungutan liar",
                                     "isian-kelas_pengaduan": "Perlu koordinasi",
                                     "isian-prioritas_pengaduan": "Tinggi"})
    work(http, number, "advance", **{"isian-unit_pengaduan_tujuan": "Bidang Pelayanan Pendaftaran Penduduk",
                                     "isian-instansi_rujukan": ""})
    assert only_ticket(session).stage == complaints.stage_for(StageDuty.ANSWER).key
    run_jobs()
    told = outbox(app)
    assert len(told) == 1 and number in told[0] and "Bidang Pelayanan Pendaftaran Penduduk" in told[0]

    # The approver sends the first draft back with a note; the unit writes it again.
    answer_and_approve(http, number, FIRST_DRAFT, sent_back="Sebutkan sanksinya dan kapan uangnya kembali")
    assert only_ticket(session).stage == "tindak_lanjut_pengaduan"
    answer_and_approve(http, number, ANSWER)
    assert only_ticket(session).stage == "tanggapan_pelapor"
    run_jobs()
    sent = outbox(app)
    assert len(sent) == 2 and ANSWER in sent[1] and number in sent[1] and "*belum*" in sent[1]
    assert FIRST_DRAFT not in "".join(sent)

    # The ticket page shows the complaint: its words, photo, category, unit and answer.
    as_officer(http, "pengelola_pengaduan")
    page = unescape(http.get(f"/tiket/{number}").text)
    for shown in (TEXT, "Kategori pengaduan", "Pungutan liar", "Unit yang menangani",
                  "Bidang Pelayanan Pendaftaran Penduduk", "Jawaban untuk pelapor", ANSWER, "Lampiran"):
        assert shown in page, shown
    assert len(session.exec(select(Attachment).where(Attachment.ticket_id == ticket.id)).all()) == 1

    # "belum": reopened to the unit with the citizen's words.
    reply = phone.say("Belum, uangnya belum dikembalikan sampai sekarang")
    assert "dibuka kembali" in reply or "buka kembali" in reply
    reopened = only_ticket(session)
    assert reopened.stage == "tindak_lanjut_pengaduan"
    event = session.exec(select(StageEvent).where(StageEvent.ticket_id == ticket.id)
                         .order_by(StageEvent.id.desc())).first()  # type: ignore[union-attr]
    assert event.action == "return" and event.actor_id is None
    assert "uangnya belum dikembalikan" in (event.note or "")
    assert session.exec(select(StaffNotification)).all() == []

    answer_and_approve(http, number, SECOND_ANSWER)
    run_jobs()
    assert SECOND_ANSWER in outbox(app)[-1]

    # "sudah": closed.
    assert "tutup sebagai selesai" in phone.say("sudah, terima kasih")
    closed = only_ticket(session)
    assert closed.stage == complaints.done_stage.key and closed.due_at is None

    # A closed complaint is followed by the satisfaction survey (SKM), answered in the same chat.
    run_jobs()
    assert "Survei Kepuasan Masyarakat" in outbox(app)[-1] and "Pertanyaan 1 dari 9" in outbox(app)[-1]
    assert "Pertanyaan 2 dari 9" in phone.say("4")


def test_a_second_belum_reopens_it_again_and_tells_the_kepala_dinas(  # type: ignore[no-untyped-def]
        app, http, session, phone: Phone, run_jobs, complaints: Definition, officers) -> None:
    file_complaint(phone, TEXT)
    number = only_ticket(session).number
    as_officer(http, "pengelola_pengaduan")
    work(http, number, "advance", **{"isian-kategori_pengaduan": "Pelayanan lambat",
                                     "isian-kelas_pengaduan": "Informasi/pengaduan sederhana",
                                     "isian-prioritas_pengaduan": "Biasa"})
    work(http, number, "advance", **{"isian-unit_pengaduan_tujuan": "Dirujuk ke instansi lain",
                                     "isian-instansi_rujukan": "Kantor Pos Kota Agung"})
    run_jobs()
    assert "Dirujuk ke instansi lain, Kantor Pos Kota Agung" in outbox(app)[-1]  # the citizen is told where
    answer_and_approve(http, number, ANSWER)
    assert "buka kembali" in phone.say("belum")
    answer_and_approve(http, number, SECOND_ANSWER)
    reply = phone.say("belum, masih sama saja. NIK saya 1806 0123 4567 0001")
    assert "Kepala Dinas" in reply
    ticket = only_ticket(session)
    assert ticket.stage == "tindak_lanjut_pengaduan"
    notes = session.exec(select(StaffNotification)).all()
    assert [(n.role, n.ticket_id, n.kind) for n in notes] == [("kepala_dinas", ticket.id, "complaint_escalated")]
    assert "masih sama saja" in notes[0].text
    assert "4567" not in notes[0].text  # a notification is read in lists: the NIK in the citizen's words is masked


def test_spam_is_closed_with_a_reason_the_citizen_reads(  # type: ignore[no-untyped-def]
        app, http, session, phone: Phone, run_jobs, complaints: Definition, officers) -> None:
    file_complaint(phone, "promo pinjaman online cepat cair hubungi nomor ini sekarang juga")
    number = only_ticket(session).number
    as_officer(http, "pengelola_pengaduan")
    work(http, number, "reject", reason="Pesan promosi, bukan pengaduan layanan")
    assert only_ticket(session).stage == "pengaduan_ditutup"
    run_jobs()
    sent = outbox(app)
    assert len(sent) == 1
    assert "tutup tanpa tindak lanjut" in sent[0] and "Pesan promosi, bukan pengaduan layanan" in sent[0]
    assert "tidak dapat kami proses" not in sent[0]  # the document chain's rejection
    # A later "sudah" is not a verdict on a closed complaint: the bot answers it itself.
    assert "tutup sebagai selesai" not in phone.say("sudah")


def test_the_longest_answer_fits_in_one_whatsapp_message(complaints: Definition) -> None:
    from bot.catalogue import render

    spec = complaints.stage_for(StageDuty.ANSWER).outputs[0]
    text = render("milestone_answered", number="PGD-2026-000123", service_label="Pengaduan",
                  answer="x" * int(spec.max_length or 0))
    assert len(text) <= 1600  # Twilio's limit for one WhatsApp message body
