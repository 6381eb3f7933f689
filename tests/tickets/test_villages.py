"""The pekon list: seeded from the Kemendagri 2025 list, kept by the administrator on /admin/pekon, and offered
wherever the back office asks an address."""

from __future__ import annotations

import re

import requests
from sqlmodel import Session, func, select

from bot.call_center.models import Outcome
from routing import workflow_for
from routing.definition import RoleDuty
from siaga.models import SiagaReport
from siaga.services import Report, record_report
from tests.call_center.conftest import log_call_via_form
from tests.campaigns.conftest import post
from tests.tickets.conftest import login, make_staff, make_ticket
from tickets.accounts import ADMIN_ROLE
from tickets.constants import Channel, Service
from tickets.kecamatan import KECAMATAN
from tickets.villages import Pekon, PekonKind, match_name

GISTING, PUGUNG = "180620", "180611"
PAGE = f"/admin/pekon/{GISTING}"


def test_the_seeded_list_holds_302_villages_in_the_20_kecamatan(session: Session) -> None:
    rows = session.exec(select(Pekon)).all()
    assert len(rows) == 302 and all(r.active for r in rows)
    assert {r.kecamatan_code for r in rows} == {k.code for k in KECAMATAN}
    assert sorted(r.name for r in rows if r.kind == PekonKind.KELURAHAN) == ["Baros", "Kuripan", "Pasar Madang"]
    assert {r.name for r in rows if r.kecamatan_code == GISTING} >= {"Gisting Atas", "Gisting Bawah", "Landbaw"}


def test_a_typed_name_is_matched_within_its_kecamatan_typos_forgiven() -> None:
    pugung = ["Sukamaju", "Suka Mulya", "Sukajadi", "Way Jaha", "Tanjung Agung"]
    assert match_name(pugung, "sukamju") == "Sukamaju"
    assert match_name(pugung, "Pekon  suka maju") == "Sukamaju"
    assert match_name(pugung, "way jaha") == "Way Jaha"
    assert match_name(pugung, "Kampung Entah") is None
    assert match_name(["Sukaraja", "Sukajaya"], "sukaraya") is None  # halfway between two: not guessed


def _row(page: str, name: str) -> str:
    found = re.search(rf'<li id="nama-\d+"[^>]*data-pekon="{re.escape(name)}".*?</li>', page, re.S)
    assert found, page
    return found.group(0)


def test_the_administrator_adds_renames_and_deactivates_a_pekon(session: Session, http: requests.Session) -> None:
    make_staff(session, ADMIN_ROLE, username="admin", full_name="Admin Dinas")
    agent = workflow_for(Channel.CALL_CENTER, Service.SIAGA).role_for(RoleDuty.TAKE_CALLS, "call center")
    make_staff(session, agent, username="agen")
    make_staff(session, workflow_for(Channel.WHATSAPP, Service.SIAGA).role_for(RoleDuty.PLAN_FIELD_VISITS),
               username="siaga")
    login(http, "admin")
    listing = http.get("/admin/pekon/")
    assert listing.status_code == 200 and "Daftar pekon" in listing.text
    gisting = re.search(rf'<tr data-kecamatan="{GISTING}">.*?</tr>', listing.text, re.S)
    assert gisting and re.search(r">\s*9\s*<", gisting.group(0)), listing.text
    assert re.search(r"<tfoot>.*>302<", listing.text, re.S)

    added = post(http, PAGE, f"{PAGE}/tambah", nama="  Gisting   Raya ", jenis="pekon")
    assert added.url.endswith(PAGE) and "Pekon Gisting Raya ditambahkan" in added.text
    assert "diubah oleh Admin Dinas pada" in _row(added.text, "Gisting Raya")

    # A name already listed (written another way) is refused beside the field, and what was typed stays.
    refused = post(http, PAGE, f"{PAGE}/tambah", nama="gisting atas", jenis="kelurahan")
    assert refused.status_code == 200 and refused.url.endswith(f"{PAGE}#tambah")
    assert re.search(r'id="nama-baru-error">Gisting Atas sudah ada di Kecamatan Gisting', refused.text)
    assert 'value="gisting atas"' in refused.text and re.search(r'value="kelurahan"\s+selected', refused.text)
    assert 'id="nama-baru-error"' not in http.get(PAGE).text  # shown once, then gone

    raya = session.exec(select(Pekon).where(Pekon.name == "Gisting Raya")).one()
    renamed = post(http, PAGE, f"{PAGE}/{raya.id}/nama", nama="Gisting Jaya")
    assert "Gisting Raya diganti namanya menjadi Gisting Jaya" in renamed.text
    empty = post(http, PAGE, f"{PAGE}/{raya.id}/nama", nama="")
    assert f'id="nama-{raya.id}-input-error">Isi nama pekon/kelurahan.' in empty.text

    # A Siaga report made under a pekon's name keeps it after the pekon is deactivated.
    session.expire_all()  # the pages renamed the row this session loaded
    ticket = make_ticket(session, service=Service.SIAGA, channel=Channel.WHATSAPP, kecamatan_code=GISTING)
    record_report(session, ticket, Report(reporter_name="Rina", relation="Anak", subject_name="Mbah Sarinah",
                                          pekon="gisting jaya", contact_phone="+6281234567890", urgent=False))
    session.commit()
    assert session.exec(select(SiagaReport)).one().pekon == "Gisting Jaya"
    off = post(http, PAGE, f"{PAGE}/{raya.id}/status", aktif="0")
    assert "Gisting Jaya dinonaktifkan" in off.text and "Aktifkan kembali" in _row(off.text, "Gisting Jaya")
    http.cookies.clear()
    login(http, "siaga")
    report_page = http.get(f"/siaga/{ticket.number}").text
    assert "Mbah Sarinah" in report_page and "Gisting Jaya" in report_page and "periksa" not in report_page
    http.cookies.clear()

    # No longer offered on the call-center form, and refused there.
    login(http, "agen")
    form = http.get("/call-center/").text
    assert ">Gisting Atas</option>" in form and ">Gisting Jaya</option>" not in form
    refused_call = log_call_via_form(http, outcome=Outcome.SIAGA.value, topic="", kecamatan=GISTING,
                                     siaga_pekon="Gisting Jaya", notes="82 tahun, stroke, belum punya KTP-el")
    assert refused_call.status_code == 422 and 'id="siaga_pekon-error"' in refused_call.text


def test_only_the_administrator_opens_the_pekon_list(session: Session, http: requests.Session) -> None:
    agent = workflow_for(Channel.CALL_CENTER, Service.SIAGA).role_for(RoleDuty.TAKE_CALLS, "call center")
    make_staff(session, agent, username="agen")
    login(http, "agen")
    assert http.get("/admin/pekon/").status_code == 403
    page = http.get("/call-center/")
    before = session.exec(select(func.count()).select_from(Pekon)).one()
    refused = http.post(f"{PAGE}/tambah", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"',
                                                                        page.text).group(1),  # type: ignore[union-attr]
                                                "nama": "Pekon Siluman", "jenis": "pekon"})
    assert refused.status_code == 403
    assert session.exec(select(func.count()).select_from(Pekon)).one() == before


def test_the_call_center_siaga_form_offers_the_kecamatan_pekon(session: Session, http: requests.Session) -> None:
    agent = workflow_for(Channel.CALL_CENTER, Service.SIAGA).role_for(RoleDuty.TAKE_CALLS, "call center")
    make_staff(session, agent, username="agen")
    login(http, "agen")
    form = http.get("/call-center/").text
    group = re.search(rf'<optgroup label="Kec. Gisting" data-kecamatan="{GISTING}">(.*?)</optgroup>', form, re.S)
    assert group and re.findall(r">([^<]+)</option>", group.group(1)) == sorted(
        ["Banjar Manis", "Campang", "Kuta Dalom", "Purwodadi", "Gisting Bawah", "Gisting Atas", "Sidokaton",
         "Landbaw", "Gisting Permai"])
    # Way Halom is a pekon of Talang Padang and Gunung Alip, not of Gisting.
    refused = log_call_via_form(http, outcome=Outcome.SIAGA.value, topic="", kecamatan=GISTING,
                                siaga_pekon="Way Halom", notes="82 tahun, stroke, belum punya KTP-el")
    assert refused.status_code == 422
    error = re.search(r'<p class="field-error" id="siaga_pekon-error">([^<]+)</p>', refused.text)
    assert error and "Way Halom tidak ada di Kecamatan Gisting" in error.group(1)
    assert re.search(r'<option value="Way Halom"\s+selected>', refused.text)  # what was chosen stays
    assert session.exec(select(SiagaReport)).first() is None
    saved = log_call_via_form(http, outcome=Outcome.SIAGA.value, topic="", kecamatan=PUGUNG,
                              siaga_pekon="Sukamaju", notes="82 tahun, stroke, belum punya KTP-el")
    assert "Tiket PGD-" in saved.text, saved.text
    assert session.exec(select(SiagaReport)).one().pekon == "Sukamaju"
