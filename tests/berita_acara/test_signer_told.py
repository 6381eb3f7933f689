"""The Kepala Dinas is told a berita acara waits for his signature: the TTE page lists it, with a link."""

from __future__ import annotations

from html import unescape

import requests
from flask import Flask
from sqlmodel import Session

from berita_acara import handover
from berita_acara.stages import handover_stages
from routing import workflow
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import login, make_staff, make_ticket

CHAIN = handover_stages(workflow(TANGGAMUS))


def test_the_tte_page_lists_the_berita_acara_waiting_for_the_signature(app: Flask, session: Session,
                                                                       http: requests.Session) -> None:
    kasi = make_staff(session, CHAIN.creator_role)
    make_staff(session, CHAIN.signer_role)
    login(http, CHAIN.signer_role.replace("_", "-"))
    assert "Tidak ada berita acara yang menunggu tanda tangan." in http.get("/tte").text

    make_ticket(session, kecamatan_code="180620", stage=CHAIN.handover.key)
    draft = handover.create_berita_acara(session, kasi, "180620", app.config["BERITA_ACARA_NUMBER_FORMAT"])
    page = unescape(http.get("/tte").text)
    row = page[page.index(f'<tr class="ba-to-sign" data-number="{draft.number}">'):][:600]
    assert "Gisting" in row and f'href="/berita-acara/{draft.id}"' in row
    assert "Berita acara menunggu tanda tangan (1)" in page
    assert 'id="passphrase"' in http.get(f"/berita-acara/{draft.id}").text  # where it is signed
    nav = page[page.index("<nav>"):page.index("</nav>")]
    assert '<span class="badge" title="Menunggu tanda tangan Anda">1</span>' in nav  # told on every page
