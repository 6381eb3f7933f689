"""Dukcapil Siaga: a third party's report through the signed webhook, the priority queue, the home visit and the
chain to the Kepala Dinas's TTE, through the pages with real logins."""

from __future__ import annotations

from datetime import date

import requests
from sqlmodel import Session, select

from routing.definition import OutputMeaning, RoleDuty, StageDuty
from siaga.models import SiagaReport
from siaga.services import Report, record_report, siaga_definition
from tests.campaigns.conftest import post
from tests.support.whatsapp import Phone
from tests.tickets.conftest import act_via_form, login, make_staff, make_ticket, valid_outputs
from tickets.constants import Channel, Service
from tickets.models import Ticket


def report_for(session: Session, name: str, urgent: bool) -> Ticket:
    ticket = make_ticket(session, service=Service.SIAGA, channel=Channel.WHATSAPP, kecamatan_code="180620")
    record_report(session, ticket, Report(reporter_name="Rina", relation="Anak", subject_name=name,
                                          pekon="Sukamaju", contact_phone="+6281234567890", urgent=urgent))
    session.commit()
    return ticket


def test_a_relative_reports_an_elderly_resident_without_nik_as_urgent(session: Session, phone: Phone) -> None:
    assert "Dukcapil Siaga" in phone.say("halo")
    assert "nama lengkap Anda sebagai pelapor" in phone.say("ibu saya lansia tidak bisa jalan")
    assert "hubungan" in phone.say("Rina Marlina")
    assert "nama lengkap penduduk" in phone.say("1")
    assert "pekon" in phone.say("Mbah Sarinah")
    assert "kecamatan" in phone.say("Sukamaju")
    assert "kondisi" in phone.say("gisting")
    assert "Nomor HP" in phone.say("Lansia 82 tahun, stroke, tidak bisa berjalan, belum punya KTP-el dan KK")
    assert "surat pendukung" in phone.say("sama")
    assert "mendesak" in phone.say("lewati")
    summary = phone.say("ya, untuk berobat ke rumah sakit")
    assert "Mbah Sarinah" in summary and "Mendesak" in summary and "Gisting" in summary
    assert "PGD-" in phone.say("ya")
    definition = siaga_definition()
    ticket = session.exec(select(Ticket).where(Ticket.service == Service.SIAGA)).one()
    assert ticket.workflow == definition.key and ticket.stage == definition.first_stage.key
    priority = definition.output_meaning(OutputMeaning.PRIORITY)
    assert priority is not None and ticket.outputs[priority.key] == priority.options[0]
    report = session.exec(select(SiagaReport)).one()
    assert (report.subject_name, report.pekon, report.relation, report.urgent) == ("Mbah Sarinah", "Sukamaju",
                                                                                    "Keluarga", True)
    assert report.contact_phone == phone.number and ticket.kecamatan_code == "180620"


def test_the_queue_lists_urgent_reports_first(session: Session, http: requests.Session) -> None:
    definition = siaga_definition()
    make_staff(session, definition.role_for(RoleDuty.PLAN_FIELD_VISITS), username="siaga")
    first = report_for(session, "Pak Darto", urgent=False)
    second = report_for(session, "Bu Minah", urgent=True)
    login(http, "siaga")
    page = http.get("/siaga/").text
    assert page.index(second.number) < page.index(first.number)


def test_a_visit_is_scheduled_its_result_recorded_and_the_chain_reaches_the_tte(
        session: Session, http: requests.Session) -> None:
    definition = siaga_definition()
    planner = make_staff(session, *{s.role for s in definition.chain if s.role}, username="siaga",
                         full_name="Sari Siaga")
    ticket = report_for(session, "Mbah Sarinah", urgent=True)
    login(http, "siaga")
    page = f"/siaga/{ticket.number}"
    done = post(http, page, f"{page}/jadwal", tanggal="2026-12-10", petugas=[str(planner.id)])
    assert "Kunjungan dijadwalkan" in done.text and "10/12/2026" in done.text
    visits = http.get("/siaga/kunjungan", params={"semua": "1"}).text
    assert "Sukamaju" in visits and "Mbah Sarinah" in visits and "Sari Siaga" in visits

    visit_stage = definition.stage_for(StageDuty.FIELD_VISIT)
    signing = definition.stage(definition.chain[definition.chain.index(visit_stage) - 1].key)
    for stage in definition.chain[: definition.chain.index(visit_stage)]:
        session.refresh(ticket)
        assert ticket.stage == stage.key
        act_via_form(http, ticket.number, "claim")
        answer = act_via_form(http, ticket.number, "advance", **valid_outputs(stage))
        assert answer.status_code in (200, 303), answer.text
    session.refresh(ticket)
    assert ticket.stage == visit_stage.key and signing.role == definition.stage(signing.key).role
    act_via_form(http, ticket.number, "claim")
    refused = act_via_form(http, ticket.number, "advance", **valid_outputs(visit_stage))
    assert "Catat dulu hasil kunjungan" in refused.text
    done = post(http, page, f"{page}/hasil", hasil="recorded", keterangan="")
    assert "Hasil kunjungan dicatat" in done.text and "Berhasil direkam" in done.text
    act_via_form(http, ticket.number, "advance", **valid_outputs(visit_stage))
    session.refresh(ticket)
    assert ticket.stage == definition.next_stage(visit_stage.key).key  # type: ignore[union-attr]
    assert session.exec(select(SiagaReport)).one().visit_date == date(2026, 12, 10)
