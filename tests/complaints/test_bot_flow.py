"""The bot's complaint flow through the signed webhook: category, related ticket, confidentiality, the
first deadline in the reply, and `status` for a complaint."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from routing.definition import Definition, OutputMeaning
from routing.sla import default_calendar
from tests.complaints.conftest import as_officer, file_complaint, only_ticket
from tests.support.whatsapp import Phone
from tests.tickets.conftest import act_via_form, make_staff, make_ticket
from tickets.constants import Service
from tickets.models import Ticket
from tickets.workflow_service import act

TEXT = "Petugas loket meminta uang Rp50.000 agar KTP-el saya cepat jadi, kejadian Senin lalu"
# Friday 29 May 2026, 10:00 WIB. Monday 1 June is Hari Lahir Pancasila.
FRIDAY = datetime(2026, 5, 29, 3, 0, tzinfo=UTC)
OFFICE_OPENS, OFFICE_CLOSES, FIRST_RESPONSE_DAYS = 8, 16, 3
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")


@pytest.fixture
def friday(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """The webhook's clock and the ticket's creation time stopped at FRIDAY."""
    monkeypatch.setattr("bot.intake.utcnow", lambda: FRIDAY)
    monkeypatch.setattr("tickets.services.utcnow", lambda: FRIDAY)
    return FRIDAY


def first_response_day(filed: datetime) -> date:
    """The day 3 working days (8 office hours each) after the filing ends, counted day by day."""
    calendar = default_calendar()
    local = filed.astimezone(calendar.tz)
    day, left = local.date(), FIRST_RESPONSE_DAYS * (OFFICE_CLOSES - OFFICE_OPENS)
    hours_today = OFFICE_CLOSES - max(local.hour, OFFICE_OPENS)
    while True:
        if calendar.is_working_day(day):
            if left <= hours_today:
                return day
            left -= hours_today
        day += timedelta(days=1)
        hours_today = OFFICE_CLOSES - OFFICE_OPENS


def in_words(day: date) -> str:
    return f"{DAYS[day.weekday()]}, {day.day} {MONTHS[day.month - 1]} {day.year}"


def filed_complaints(session: Session) -> list[Ticket]:
    session.expire_all()
    return list(session.exec(select(Ticket).where(Ticket.service == Service.PENGADUAN).order_by(Ticket.id)))


def test_category_by_number_the_number_and_the_first_deadline_in_the_reply(  # type: ignore[no-untyped-def]
        http, session: Session, phone: Phone, friday: datetime, complaints: Definition, officers) -> None:
    reply = file_complaint(phone, TEXT, category="3")
    ticket = only_ticket(session)

    due = first_response_day(friday)
    assert due == date(2026, 6, 4)  # Fri 6 h, weekend, Mon 1 June closed, Tue 8 h, Wed 8 h, Thu 2 h
    assert f"*{ticket.number}*" in reply and f"*{in_words(due)}*" in reply
    assert "Kamis, 4 Juni 2026" in reply
    assert ticket.due_at is not None and ticket.due_at.astimezone(default_calendar().tz).date() == due

    # The citizen's category is what triage finds already chosen.
    category = complaints.output_meaning(OutputMeaning.CATEGORY)
    assert category is not None and ticket.outputs == {category.key: category.options[2]}
    as_officer(http, "pengelola_pengaduan")
    assert act_via_form(http, ticket.number, "claim").status_code == 200
    page = http.get(f"/tiket/{ticket.number}").text
    assert re.search(rf'<option value="{re.escape(category.options[2])}"\s+selected>', page)
    assert not ticket.confidential and ticket.related_ticket_id is None


def test_a_typo_in_the_category_word_is_understood(session: Session, phone: Phone, complaints: Definition) -> None:
    phone.say("halo")
    phone.say("pengaduan")
    assert "Tulis pengaduan Anda" in phone.say("pungutan lair")
    phone.say(TEXT)
    phone.say("talang padang")
    phone.say("lewati")
    phone.say("selesai")
    assert "Kategori: Pungutan liar" in phone.say("tidak")
    phone.say("ya")
    category = complaints.output_meaning(OutputMeaning.CATEGORY)
    assert category is not None and only_ticket(session).outputs == {category.key: "Pungutan liar"}


def test_a_word_equally_close_to_two_categories_is_asked_back(session: Session, phone: Phone) -> None:
    phone.say("halo")
    phone.say("3")
    question = phone.say("petugas lambat")
    assert question.splitlines() == ["Kategori yang mana maksud Anda? Balas angkanya:", "1. Pelayanan lambat",
                                     "2. Sikap petugas"]
    assert "Tulis pengaduan Anda" in phone.say("2")
    for answer in (TEXT, "kota agung", "lewati", "selesai", "tidak"):
        reply = phone.say(answer)
    assert "Kategori: Sikap petugas" in reply


def test_a_related_ticket_of_the_same_number_is_linked(session: Session, phone: Phone) -> None:
    earlier = make_ticket(session, service=Service.KTP_EL, phone=phone.number)
    _, year, seq = earlier.number.split("-")
    file_complaint(phone, TEXT, related=f"pgd {year} {int(seq)}")
    [complaint] = filed_complaints(session)
    assert complaint.related_ticket_id == earlier.id
    assert complaint.description == TEXT


def test_an_unknown_or_someone_elses_ticket_number_is_kept_in_the_description_and_reveals_nothing(  # type: ignore[no-untyped-def]
        session: Session, phone: Phone) -> None:
    stranger = make_ticket(session, service=Service.KK, phone="+6281299990000", nik=None, name="Orang Lain")
    summaries = {}
    for number in (stranger.number, "PGD-2026-009999"):
        phone.say("halo")
        phone.say("3")
        phone.say("1")
        phone.say(TEXT)
        phone.say("kota agung")
        assert "Ada foto" in phone.say(number.replace("-", " "))
        phone.say("selesai")
        summaries[number] = phone.say("tidak").replace(number, "<nomor>")
        assert "tercatat dengan nomor" in phone.say("ya")
    assert summaries[stranger.number] == summaries["PGD-2026-009999"]  # the same words for both
    assert "Orang Lain" not in "".join(summaries.values()) and Service.KK.label not in "".join(summaries.values())
    filed = filed_complaints(session)
    assert [c.related_ticket_id for c in filed] == [None, None]
    assert [c.description for c in filed] == [
        f"{TEXT}\n\nNomor tiket terkait yang disebut pelapor: {stranger.number}",
        f"{TEXT}\n\nNomor tiket terkait yang disebut pelapor: PGD-2026-009999",
    ]


def test_a_citizen_who_asks_for_confidentiality_gets_a_confidential_complaint(session: Session, phone: Phone) -> None:
    phone.say("halo")
    phone.say("3")
    phone.say("pungli")
    phone.say(TEXT)
    phone.say("kota agung")
    phone.say("tidak ada")
    question = phone.say("selesai")
    assert "Apakah identitas Anda ingin dirahasiakan? (ya/tidak)" in question and "nama samaran" in question
    assert "Identitas: dirahasiakan" in phone.say("iya, tolong dirahasiakan")
    assert "tercatat dengan nomor" in phone.say("ya")
    assert only_ticket(session).confidential is True


def test_status_of_a_complaint_names_its_stage_in_plain_words(  # type: ignore[no-untyped-def]
        app, session: Session, phone: Phone, complaints: Definition) -> None:
    file_complaint(phone, TEXT)
    ticket = only_ticket(session)
    first = phone.say(f"status {ticket.number.lower()}")
    assert ticket.number in first and "Layanan: Pengaduan" in first
    assert f"Status: {complaints.first_stage.citizen_label}" in first

    handler = make_staff(session, complaints.first_stage.role or "").id
    roles = {complaints.first_stage.role or ""}
    with app.app_context():
        ticket, _, _ = act(session, ticket, "claim", actor_id=handler, actor_roles=roles,
                           expected_version=ticket.version)
        ticket, _, _ = act(session, ticket, "advance", actor_id=handler, actor_roles=roles,
                           expected_version=ticket.version,
                           payload={"outputs": {"kategori_pengaduan": "Pungutan liar",
                                                "kelas_pengaduan": "Perlu koordinasi",
                                                "prioritas_pengaduan": "Tinggi"}})
    later = phone.say(f"cek status {ticket.number}")
    assert f"Status: {complaints.stage(ticket.stage).citizen_label}" in later
    assert complaints.stage(ticket.stage).citizen_label != complaints.first_stage.citizen_label
    # Someone else's number is told nothing about it.
    other = Phone(base_url=phone.base_url, auth_token=phone.auth_token, number="+6281299990001")
    refused = other.say(f"status {ticket.number}")
    assert "tidak ditemukan" in refused and "Pengaduan" not in refused
