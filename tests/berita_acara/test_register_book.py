"""The buku registrasi: the numbers the registration counter gave, per year, as a page, PDF, CSV and XLSX,
for the role that keeps it (the role of the stage whose output fills the registration number)."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from html import unescape

import requests
from flask import Flask
from openpyxl import load_workbook
from sqlmodel import Session

from berita_acara.register_book import keeper_roles, register_stages
from layanan.clock import office_year, utcnow
from routing import workflow
from routing.definition import Action
from tests.berita_acara.conftest import pdf_text, save_artifact
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import act_via_form, login, make_staff, make_ticket, valid_outputs
from tickets.models import StageEvent, Ticket
from tickets.workflow_service import act

DEFINITION = workflow(TANGGAMUS)
STAGE = DEFINITION.stage(register_stages()[TANGGAMUS][0])
KEEPER = str(STAGE.role)


def registered(session: Session, http: requests.Session) -> dict[str, str]:
    """Three tickets the counter passed on (the first through its page), and one registered last year:
    registration number -> ticket number."""
    counter = make_staff(session, KEEPER)
    tickets = [make_ticket(session, stage=STAGE.key, name=f"Pemohon {n}", nik=f"18060145059000{n:02d}")
               for n in range(1, 4)]
    login(http, KEEPER.replace("_", "-"))
    act_via_form(http, tickets[0].number, "claim")
    act_via_form(http, tickets[0].number, "advance", **valid_outputs(STAGE))
    for ticket in tickets[1:]:
        ticket, _, _ = act(session, ticket, Action.CLAIM, actor_id=counter.id, actor_roles={KEEPER},
                           expected_version=ticket.version)
        act(session, ticket, Action.ADVANCE, actor_id=counter.id, actor_roles={KEEPER},
            expected_version=ticket.version, payload={"outputs": {k.removeprefix("isian-"): v
                                                                  for k, v in valid_outputs(STAGE).items()}})
    old = make_ticket(session, stage=str(STAGE.next), registration_number=f"REG-{office_year(utcnow()) - 1}-00009")
    session.add(StageEvent(ticket_id=old.id, action=str(Action.ADVANCE), from_stage=STAGE.key,
                           to_stage=str(STAGE.next), created_at=utcnow() - timedelta(days=400)))
    session.commit()
    session.expire_all()
    return {str(t.registration_number): t.number for t in (session.get(Ticket, x.id) for x in tickets) if t}


def test_the_book_lists_the_year_in_number_order_and_exports_it(app: Flask, session: Session,
                                                                http: requests.Session, run_jobs) -> None:  # type: ignore[no-untyped-def]
    book = registered(session, http)
    year = office_year(utcnow())
    assert sorted(book) == [f"REG-{year}-{n:05d}" for n in (1, 2, 3)]
    assert KEEPER in keeper_roles()

    page = unescape(http.get("/buku-registrasi/").text)
    rows = re.findall(r'<tr class="register-row" data-number="([^"]+)">.*?(PGD-\d{4}-\d{6})', page, flags=re.S)
    assert rows == sorted(book.items())
    assert '<strong id="jumlah">3</strong>' in page and "1806****" in page and "180601450590001" not in page
    last_year = unescape(http.get("/buku-registrasi/", params={"tahun": year - 1}).text)
    assert re.findall(r'data-number="([^"]+)"', last_year) == [f"REG-{year - 1}-00009"]

    exported = http.get(f"/buku-registrasi/{year}.csv")
    assert exported.headers["Content-Type"] == "text/csv; charset=utf-8"
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert [(r[0], r[2]) for r in lines[2:]] == sorted(book.items())
    sheet = load_workbook(io.BytesIO(http.get(f"/buku-registrasi/{year}.xlsx").content)).active
    assert [(r[0], r[2]) for r in sheet.iter_rows(min_row=3, values_only=True)] == sorted(book.items())

    waiting = http.get(f"/buku-registrasi/{year}.pdf")
    assert waiting.status_code == 202
    run_jobs()
    pdf = http.get(waiting.url)
    assert pdf.headers["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert f"Tahun {year}" in text and all(n in text and t in text for n, t in book.items())
    save_artifact("buku-registrasi", pdf.content)


def test_only_the_keepers_open_the_book(session: Session, http: requests.Session) -> None:
    make_staff(session, "courier_officer")
    login(http, "courier-officer")
    assert http.get("/buku-registrasi/").status_code == 403
    assert 'href="/buku-registrasi/"' not in http.get("/antrian").text
