"""The SOP's papers on the berita acara: the document number from data entry and the Kabid's paraf (who,
when) on the ticket page, the berita acara page and its PDF, whose item list is a ruled table."""

from __future__ import annotations

from html import unescape
from pathlib import Path

import requests
from flask import Flask
from PIL import Image
from sqlmodel import Session

from berita_acara import handover, item_table
from berita_acara.stages import handover_stages
from layanan.clock import format_wib
from routing import workflow
from routing.definition import OutputMeaning
from tests.berita_acara.conftest import ARTIFACTS, pdf_text, save_artifact
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import act_via_form, login, make_staff, make_ticket, valid_outputs
from tickets.models import StageEvent, Ticket
from sqlmodel import select

DEFINITION = workflow(TANGGAMUS)
CHAIN = handover_stages(DEFINITION)
NUMBER_KEY = DEFINITION.output_meaning(OutputMeaning.DOCUMENT_NUMBER).key  # type: ignore[union-attr]
PARAF_STAGE = next(s for s in DEFINITION.chain if any(o.means is OutputMeaning.INITIALS for o in s.outputs))
PARAF_ROLE = str(PARAF_STAGE.role)


def initialled_and_listed(app: Flask, session: Session, http: requests.Session) -> tuple[Ticket, int]:
    """A ticket whose Kabid initialled it on its page, then sorted and listed in a draft berita acara."""
    make_staff(session, PARAF_ROLE, full_name="Ir. Bambang Kabid")
    kasi = make_staff(session, CHAIN.creator_role)
    ticket = make_ticket(session, kecamatan_code="180601", stage=PARAF_STAGE.key,
                         outputs={NUMBER_KEY: "474.4/0931/DKPS/2026"})
    login(http, PARAF_ROLE.replace("_", "-"))
    act_via_form(http, ticket.number, "claim")
    act_via_form(http, ticket.number, "advance", **valid_outputs(PARAF_STAGE))
    session.expire_all()
    moved = session.get(Ticket, ticket.id)
    assert moved is not None and moved.stage == PARAF_STAGE.next
    moved.stage = CHAIN.handover.key  # sorted, PDF sent: on to the berita acara
    session.add(moved)
    session.commit()
    made = handover.create_berita_acara(session, kasi, "180601", app.config["BERITA_ACARA_NUMBER_FORMAT"])
    return moved, int(made.id or 0)


def test_the_paraf_and_the_document_number_are_on_the_ticket_and_the_berita_acara(
        app: Flask, session: Session, http: requests.Session, run_jobs) -> None:  # type: ignore[no-untyped-def]
    ticket, ba_id = initialled_and_listed(app, session, http)
    initialled = session.exec(select(StageEvent).where(StageEvent.ticket_id == ticket.id,
                                                       StageEvent.from_stage == PARAF_STAGE.key,
                                                       StageEvent.action == "advance")).one()
    when = format_wib(initialled.created_at)

    page = unescape(http.get(f"/tiket/{ticket.number}").text)
    papers = page[page.index('id="berita-acara"'):][:1500]
    assert "474.4/0931/DKPS/2026" in papers
    assert f"Ir. Bambang Kabid ({DEFINITION.role(PARAF_ROLE).name}), {when} WIB" in papers

    http.cookies.clear()
    login(http, CHAIN.creator_role.replace("_", "-"))
    detail = unescape(http.get(f"/berita-acara/{ba_id}").text)
    assert "474.4/0931/DKPS/2026" in detail and "Ir. Bambang Kabid" in detail and f"{when} WIB" in detail
    assert http.get(f"/berita-acara/{ba_id}/berita-acara.pdf").status_code == 202
    run_jobs()
    pdf = http.get(f"/berita-acara/{ba_id}/berita-acara.pdf").content
    text = " ".join(pdf_text(pdf).split())
    assert "Nomor Dokumen" in text and "474.4/0931/DKPS/2026" in text
    assert f"diparaf oleh Ir. Bambang Kabid ({DEFINITION.role(PARAF_ROLE).name}) pada" in text
    # The UPT can point a citizen who comes too early to the public status page.
    assert f"{app.config['PUBLIC_BASE_URL']}/cek-status" in text
    save_artifact("berita-acara-nomor-dokumen-paraf", pdf)


def test_the_item_list_is_a_ruled_table_in_the_proportional_font(app: Flask, session: Session,
                                                                 http: requests.Session, run_jobs) -> None:  # type: ignore[no-untyped-def]
    _, ba_id = initialled_and_listed(app, session, http)
    http.cookies.clear()
    login(http, CHAIN.creator_role.replace("_", "-"))
    http.get(f"/berita-acara/{ba_id}/berita-acara.pdf")
    run_jobs()
    pdf = http.get(f"/berita-acara/{ba_id}/berita-acara.pdf").content
    text = pdf_text(pdf)
    assert "│" not in text and "|" not in text  # no text drawn as a table
    assert b"Mono" not in pdf  # the paper's own font, not a typewriter's
    save_artifact("berita-acara-tabel", pdf)

    # On the page image: a vertical rule at every column edge, from the heading to the last item.
    image = Image.open(next(Path(ARTIFACTS).glob("berita-acara-tabel-*1.png"))).convert("L")
    scale = 80 / 96  # save_artifact renders at 80 dpi; CSS px are 1/96 in
    dark = lambda x, y: image.getpixel((round(x), y)) < 200  # noqa: E731  (a thin rule is grey at 80 dpi)
    rows = range(image.height // 4, image.height * 3 // 4)
    left = next(x for x in range(image.width // 3) if sum(dark(x, y) for y in rows) > 12)
    top = next(y for y in rows if dark(left, y) and 215 < image.getpixel((left + 4, y + 2)) < 245)  # the heading
    bottom = next(y for y in range(top, rows.stop) if not dark(left, y))  # the table's left border ends
    assert bottom - top > 20, "no table found"
    for edge in [sum(c.width for c in item_table.COLUMNS[:i]) for i in range(1, len(item_table.COLUMNS))]:
        x = left + edge * scale
        column = [any(dark(x + dx, y) for dx in (-1, 0, 1)) for y in range(top, bottom)]
        assert sum(column) >= 0.9 * len(column), f"no rule at {edge} px"
