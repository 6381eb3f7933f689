"""The complaint desk: the queue per unit, canned answers and their picker, the LAPOR! number, and the
timeline of dispositions on the ticket page."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any

import requests
from sqlmodel import Session, select

from complaints.models import CannedAnswer, LaporRecord
from layanan.clock import utcnow
from routing.definition import Action, Definition, OutputMeaning, StageDuty
from tests.complaints.conftest import as_officer, work
from tests.tickets.conftest import csrf_token, login, make_staff, make_ticket
from tickets.constants import Channel, Service
from tickets.models import StaffNotification, Ticket
from tickets.privacy import pseudonym
from tickets.staff import StaffUser
from tickets.workflow_service import act

PIAK = "Bidang PIAK"
TRIAGE = {"isian-kategori_pengaduan": "Pungutan liar", "isian-kelas_pengaduan": "Perlu koordinasi",
          "isian-prioritas_pengaduan": "Tinggi"}


def complaint(session: Session, complaints: Definition, *, stage: str | None = None, unit: str | None = None,
              **overrides: Any) -> Ticket:
    """A complaint from WhatsApp; placed in a later stage with its triage (and unit) already chosen."""
    ticket = make_ticket(session, service=Service.PENGADUAN, channel=Channel.WHATSAPP, **overrides)
    if stage is not None:
        outputs = {"kategori_pengaduan": "Pungutan liar", "kelas_pengaduan": "Perlu koordinasi",
                   "prioritas_pengaduan": "Tinggi"}
        if unit is not None:
            outputs[complaints.output_meaning(OutputMeaning.UNIT).key] = unit
        ticket.stage, ticket.outputs = stage, outputs
        session.add(ticket)
        session.commit()
    return ticket


def post_form(http: requests.Session, page_path: str, path: str, **data: str) -> requests.Response:
    """Post a form of a page the way the browser does, with the page's token."""
    page = http.get(page_path)
    return http.post(path, data={"csrf_token": csrf_token(page.text), **data})


def section(html: str, ident: str) -> str:
    """One `<section id=...>` of a page."""
    match = re.search(rf'<section[^>]*id="{ident}".*?</section>', html, re.S)
    assert match, f"no section {ident}"
    return unescape(match.group(0))


def tab_count(html: str, unit: str) -> str:
    match = re.search(rf'data-unit="{re.escape(unit)}">.*?<span class="badge count">(\d+)</span>', html, re.S)
    assert match, unit
    return match.group(1)


def listed(html: str) -> list[str]:
    return re.findall(r'<tr class="complaint-row[^"]*" data-number="([^"]+)"', html)


def test_the_queue_lists_complaints_under_their_unit_overdue_first(  # type: ignore[no-untyped-def]
        http, session, complaints: Definition, officers) -> None:
    answer_stage = complaints.stage_for(StageDuty.ANSWER).key
    later = complaint(session, complaints, stage=answer_stage, unit=PIAK)
    late = complaint(session, complaints, stage=answer_stage, unit=PIAK, phone="+6281298765432")
    late.due_at = utcnow() - timedelta(hours=3)
    session.add(late)
    session.commit()
    new = complaint(session, complaints, related_ticket_id=later.id)
    elsewhere = complaint(session, complaints, stage=answer_stage, unit="Sekretariat")
    document_request = make_ticket(session)

    as_officer(http, "unit_pengaduan")
    page = http.get("/pengaduan/").text
    assert 'href="/pengaduan/"' in page  # the menu link
    assert tab_count(page, "") == "1" and tab_count(page, PIAK) == "2" and tab_count(page, "Sekretariat") == "1"
    assert tab_count(page, "UPT kecamatan") == "0"
    assert listed(page) == [new.number]
    assert f'href="/tiket/{later.number}">{later.number}</a>' in page  # the related ticket

    unit_page = unescape(http.get("/pengaduan/", params={"unit": PIAK}).text)
    assert listed(unit_page) == [late.number, later.number]  # overdue first
    late_row = re.search(rf'data-number="{late.number}">.*?</tr>', unit_page, re.S).group(0)  # type: ignore[union-attr]
    assert 'class="complaint-row late"' in unit_page and "Terlambat" in late_row
    assert "Terlambat" not in re.search(rf'data-number="{later.number}">.*?</tr>', unit_page, re.S).group(0)  # type: ignore[union-attr]
    assert "1 terlambat" in unit_page and "Pungutan liar" in late_row and "Tinggi" in late_row
    assert elsewhere.number not in unit_page and document_request.number not in unit_page
    assert http.get("/pengaduan/", params={"unit": "Bukan unit"}).status_code == 404


def test_a_referred_complaint_is_under_the_referral_tab_with_its_agency(  # type: ignore[no-untyped-def]
        http, session, complaints: Definition, officers) -> None:
    ticket = complaint(session, complaints)
    as_officer(http, "pengelola_pengaduan")
    work(http, ticket.number, "advance", **TRIAGE)
    referral_option = complaints.output_meaning(OutputMeaning.UNIT).options[-1]
    work(http, ticket.number, "advance", **{"isian-unit_pengaduan_tujuan": referral_option,
                                            "isian-instansi_rujukan": "Kantor Pos Kota Agung"})
    page = unescape(http.get("/pengaduan/", params={"unit": referral_option}).text)
    assert listed(page) == [ticket.number] and "Dirujuk ke Kantor Pos Kota Agung" in page


def test_a_confidential_complaint_shows_its_pseudonym_never_the_filer(  # type: ignore[no-untyped-def]
        http, session, complaints: Definition, officers) -> None:
    ticket = complaint(session, complaints, confidential=True, name="Budi Santoso", phone="+6281377778888")
    make_staff(session, "kepala_dinas", username="kadis")
    for login_as in ("pengelola_pengaduan", "kepala_dinas"):
        http.cookies.clear()
        login(http, "kadis" if login_as == "kepala_dinas" else "pengelola-pengaduan")
        page = unescape(http.get("/pengaduan/").text)
        assert pseudonym(ticket.number) in page
        assert "Budi" not in page and "7778888" not in page

    as_officer(http, "pengelola_pengaduan")
    detail = unescape(http.get(f"/tiket/{ticket.number}").text)
    panel = section(detail, "pengaduan")
    assert "Budi" not in panel and "7778888" not in panel


def test_only_the_complaint_roles_and_admin_open_the_queue(  # type: ignore[no-untyped-def]
        http, session, officers) -> None:
    make_staff(session, "sorter")
    make_staff(session, "admin")
    as_officer(http, "sorter")
    assert http.get("/pengaduan/").status_code == 403
    assert 'href="/pengaduan/"' not in http.get("/antrian").text
    as_officer(http, "admin")
    assert http.get("/pengaduan/").status_code == 200


def test_admins_keep_canned_answers_checked_like_the_answer(  # type: ignore[no-untyped-def]
        http, session, complaints: Definition, officers) -> None:
    make_staff(session, "admin")
    as_officer(http, "admin")
    limit = complaints.stage_for(StageDuty.ANSWER).outputs[0].max_length
    refused = post_form(http, "/pengaduan/jawaban-baku/baru", "/pengaduan/jawaban-baku/baru",
                        title="", body="x" * (limit + 1), category="Bukan kategori")
    assert refused.status_code == 422
    text = unescape(refused.text)
    assert "Judul wajib diisi." in text and f"paling banyak {limit} karakter" in text
    assert "Pilih kategori dari daftar" in text
    assert session.exec(select(CannedAnswer)).all() == []

    created = post_form(http, "/pengaduan/jawaban-baku/baru", "/pengaduan/jawaban-baku/baru",
                        title="Pungli ditindak", body="Terima kasih, petugas sudah diperiksa.",
                        category="Pungutan liar")
    assert created.status_code == 200 and "tersimpan" in unescape(created.text)
    [answer] = session.exec(select(CannedAnswer)).all()
    assert (answer.category, answer.active) == ("Pungutan liar", True)

    edit = f"/pengaduan/jawaban-baku/{answer.id}"
    assert "Terima kasih, petugas sudah diperiksa." in http.get(edit).text
    post_form(http, edit, edit, title="Pungli ditindak tegas", body="Petugas sudah diberi sanksi.", category="")
    session.refresh(answer)
    assert (answer.title, answer.body, answer.category) == ("Pungli ditindak tegas", "Petugas sudah diberi sanksi.",
                                                            None)

    post_form(http, "/pengaduan/jawaban-baku", f"{edit}/status", active="0")
    session.refresh(answer)
    assert answer.active is False
    assert "Nonaktif" in http.get("/pengaduan/jawaban-baku").text

    as_officer(http, "unit_pengaduan")  # works complaints, keeps no canned answers
    assert http.get("/pengaduan/jawaban-baku").status_code == 403
    as_officer(http, "penyetuju_jawaban")  # supervises complaints: may keep them
    assert http.get("/pengaduan/jawaban-baku").status_code == 200


def test_the_answer_stage_offers_active_canned_answers_for_the_answer_field(  # type: ignore[no-untyped-def]
        http, session, complaints: Definition, officers) -> None:
    session.add_all([
        CannedAnswer(title="Umum", body="Terima kasih atas laporan Anda."),
        CannedAnswer(title="Pungli", body="Petugas yang meminta uang sudah diperiksa.", category="Pungutan liar"),
        CannedAnswer(title="Lama", body="Teks yang tidak dipakai lagi.", active=False),
    ])
    session.commit()
    officer = session.exec(select(StaffUser).where(StaffUser.username == "unit-pengaduan")).one()
    ticket = complaint(session, complaints, stage=complaints.stage_for(StageDuty.ANSWER).key, unit=PIAK,
                       claimed_by_id=officer.id)

    as_officer(http, "unit_pengaduan")
    page = unescape(http.get(f"/tiket/{ticket.number}").text)
    field = "isian-" + complaints.stage_for(StageDuty.ANSWER).outputs[0].key
    assert f'id="{field}"' in page and f'data-target="{field}"' in page
    picker = page[page.index('class="canned-picker"'):]
    assert picker.index("Petugas yang meminta uang") < picker.index("Terima kasih atas laporan Anda.")  # its category first
    assert "Teks yang tidak dipakai lagi." not in page
    assert http.get("/pengaduan/jawaban-baku.js").status_code == 200

    as_officer(http, "penyetuju_jawaban")  # cannot write the answer here: no picker
    assert 'class="canned-picker"' not in http.get(f"/tiket/{ticket.number}").text


def test_the_lapor_number_is_recorded_with_who_and_changed(  # type: ignore[no-untyped-def]
        http, session, complaints: Definition, officers) -> None:
    ticket = complaint(session, complaints)
    page_path, path = f"/tiket/{ticket.number}", f"/pengaduan/{ticket.number}/lapor"
    as_officer(http, "pengelola_pengaduan")
    refused = unescape(post_form(http, page_path, path, tracking_number="  ").text)
    assert "Nomor pelacakan LAPOR! wajib diisi" in refused
    recorded = unescape(post_form(http, page_path, path, tracking_number="LAPOR-2026-0042").text)
    assert "LAPOR-2026-0042" in section(recorded, "pengaduan")
    assert "dicatat Petugas pengelola_pengaduan" in section(recorded, "pengaduan")
    post_form(http, page_path, path, tracking_number="LAPOR-2026-0043")
    row = session.get(LaporRecord, ticket.id)
    session.refresh(row)
    assert row is not None and row.tracking_number == "LAPOR-2026-0043" and row.recorded_by_id is not None

    make_staff(session, "admin")
    as_officer(http, "admin")  # opens the queue, is no role of the complaint SOP
    assert post_form(http, page_path, path, tracking_number="X-1").status_code == 403


def test_the_timeline_shows_dispositions_returns_reopenings_and_escalation(  # type: ignore[no-untyped-def]
        http, session, complaints: Definition, officers) -> None:
    ticket = complaint(session, complaints)
    number = ticket.number
    as_officer(http, "pengelola_pengaduan")
    work(http, number, "advance", **TRIAGE)
    work(http, number, "advance", **{"isian-unit_pengaduan_tujuan": PIAK, "isian-instansi_rujukan": ""})
    as_officer(http, "unit_pengaduan")
    work(http, number, "return", reason="Bukan wewenang PIAK, mohon ke Sekretariat")
    as_officer(http, "pengelola_pengaduan")
    work(http, number, "advance", **{"isian-unit_pengaduan_tujuan": "Sekretariat", "isian-instansi_rujukan": ""})

    # The citizen says twice that it is not solved (the bot acting for no staff member).
    verdict = complaints.stage_for(StageDuty.CITIZEN_VERDICT).key
    for words in ("Pelapor: belum, uangnya belum kembali", "Pelapor: belum juga"):
        session.expire_all()
        current = session.get(Ticket, ticket.id)
        current.stage = verdict  # type: ignore[union-attr]
        session.add(current)
        session.commit()
        act(session, current, Action.RETURN_, actor_id=None, actor_roles=set(),  # type: ignore[arg-type]
            expected_version=current.version,  # type: ignore[union-attr]
            payload={"reason": words, "to_stage": complaints.stage_for(StageDuty.ANSWER).key})
    session.add(StaffNotification(role=complaints.section_head, ticket_id=ticket.id, kind="overdue", text="-"))
    session.commit()

    panel = section(http.get(f"/tiket/{number}").text, "pengaduan")
    steps = re.findall(r"<strong[^>]*>(.*?)</strong>", panel[panel.index("Riwayat disposisi"):])
    assert steps == [f"Didisposisikan ke {PIAK}", 'Dikembalikan ke tahap "Disposisi pengaduan"',
                     "Didisposisikan ke Sekretariat", "Pelapor menyatakan belum selesai",
                     "Pelapor menyatakan belum selesai", "Dieskalasi ke Kepala Dinas", "Melewati batas waktu"]
    assert "Bukan wewenang PIAK, mohon ke Sekretariat" in panel and "Petugas unit_pengaduan" in panel
    assert "uangnya belum kembali" in panel and "Petugas pengelola_pengaduan (Pengelola Pengaduan)" in panel
