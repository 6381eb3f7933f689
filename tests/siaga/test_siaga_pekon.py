"""A Siaga report on WhatsApp names the resident's pekon as the citizen types it: stored under the list's name
when it is a typo of one of its kecamatan's pekon, kept as typed and marked for staff when it is on no list."""

from __future__ import annotations

import re

import requests
from sqlmodel import Session, select

from routing.definition import RoleDuty
from siaga.models import SiagaReport
from siaga.services import siaga_definition
from tests.campaigns.conftest import post
from tests.support.whatsapp import Phone
from tests.tickets.conftest import login, make_staff
from tickets.constants import Service
from tickets.models import Ticket


def report(phone: Phone, pekon: str, kecamatan: str) -> None:
    """Walk the bot's Siaga questions as a relative would."""
    assert "nama lengkap Anda sebagai pelapor" in phone.say("ibu saya lansia tidak bisa jalan")
    assert "hubungan" in phone.say("Rina Marlina")
    assert "nama lengkap penduduk" in phone.say("1")
    assert "pekon" in phone.say("Mbah Sarinah")
    assert "kecamatan" in phone.say(pekon)
    assert "kondisi" in phone.say(kecamatan)
    assert "Nomor HP" in phone.say("Lansia 82 tahun, stroke, tidak bisa berjalan, belum punya KTP-el dan KK")
    assert "surat pendukung" in phone.say("sama")
    assert "mendesak" in phone.say("lewati")
    phone.say("tidak")
    assert "PGD-" in phone.say("ya")


def test_a_misspelled_pekon_is_stored_under_the_list_name(session: Session, phone: Phone) -> None:
    phone.say("halo")
    report(phone, "sukamju", "pugung")
    stored = session.exec(select(SiagaReport)).one()
    assert (stored.pekon, stored.pekon_unlisted) == ("Sukamaju", False)
    assert session.exec(select(Ticket).where(Ticket.service == Service.SIAGA)).one().kecamatan_code == "180611"


def test_an_unknown_pekon_is_kept_as_typed_for_staff_to_check(session: Session, phone: Phone,
                                                               http: requests.Session) -> None:
    phone.say("halo")
    report(phone, "Talang Jambu Ilir", "gisting")
    stored = session.exec(select(SiagaReport)).one()
    assert (stored.pekon, stored.pekon_unlisted) == ("Talang Jambu Ilir", True)
    make_staff(session, siaga_definition().role_for(RoleDuty.PLAN_FIELD_VISITS), username="siaga")
    login(http, "siaga")
    queue = http.get("/siaga/").text
    row = re.search(r'<tr class="siaga-row".*?</tr>', queue, re.S)
    assert row and "Talang Jambu Ilir" in row.group(0) and "tidak ada di daftar pekon" in row.group(0), queue

    # Having asked the reporter, the planner picks the pekon meant from the kecamatan's list.
    number = session.exec(select(Ticket)).one().number
    page = f"/siaga/{number}"
    assert "Pastikan pekon" in http.get(page).text
    refused = post(http, page, f"{page}/pekon", pekon="Sukamaju")  # of Pugung, not of Gisting
    assert "Pilih pekon/kelurahan dari daftar kecamatan laporan ini." in refused.text
    done = post(http, page, f"{page}/pekon", pekon="Gisting Atas")
    assert "Pekon dipastikan: Gisting Atas." in done.text and "Pastikan pekon" not in done.text
    session.expire_all()
    assert (session.exec(select(SiagaReport)).one().pekon, stored.pekon_unlisted) == ("Gisting Atas", False)
    assert "tidak ada di daftar pekon" not in http.get("/siaga/").text
