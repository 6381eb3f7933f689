"""The sorting report is numbered and signed by a sorter, with his NIP, whoever prints it."""

from __future__ import annotations

import requests
from flask import Flask
from sqlmodel import Session

from berita_acara.stages import handover_stages
from layanan.clock import office_year, utcnow
from routing import workflow
from tests.berita_acara.conftest import pdf_text, save_artifact
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import login, make_staff

CHAIN = handover_stages(workflow(TANGGAMUS))
SORTER_ROLE = str(CHAIN.sorting.role)
TITLE = workflow(TANGGAMUS).role(SORTER_ROLE).name


def printed(http: requests.Session, run_jobs, **args: str) -> str:  # type: ignore[no-untyped-def]
    waiting = http.get("/berita-acara/pemilahan/laporan.pdf", params={"batch": "1", **args})
    assert waiting.status_code == 202
    run_jobs()
    pdf = http.get(waiting.url)
    assert pdf.headers["Content-Type"] == "application/pdf"
    save_artifact("laporan-pemilahan-bertanda-tangan", pdf.content)
    return pdf_text(pdf.content)


def test_the_sorter_who_prints_it_signs_it_with_his_nip_under_a_report_number(
        app: Flask, session: Session, http: requests.Session, run_jobs) -> None:  # type: ignore[no-untyped-def]
    sorter = make_staff(session, SORTER_ROLE, full_name="Yusuf Pemilah")
    sorter.nip = "198703152010011002"
    session.add(sorter)
    session.commit()
    login(http, SORTER_ROLE.replace("_", "-"))
    form = http.get("/berita-acara/pemilahan").text
    assert f'<option value="{sorter.id}" selected>Yusuf Pemilah (NIP 198703152010011002)</option>' in form

    year = office_year(utcnow())
    first = printed(http, run_jobs)
    assert f"Nomor: 470/001/LP-PB/Disdukcapil/{year}" in first
    block = first[first.index(TITLE):]
    assert "Yusuf Pemilah" in block and "NIP 198703152010011002" in block
    assert f"Nomor: 470/002/LP-PB/Disdukcapil/{year}" in printed(http, run_jobs)  # each PDF its own number


def test_another_officer_prints_it_for_the_chosen_sorter(app: Flask, session: Session, http: requests.Session,
                                                        run_jobs) -> None:  # type: ignore[no-untyped-def]
    sorter = make_staff(session, SORTER_ROLE, full_name="Yusuf Pemilah")
    make_staff(session, CHAIN.creator_role, full_name="Rina Kasi Inovasi")
    login(http, CHAIN.creator_role.replace("_", "-"))
    text = printed(http, run_jobs, pemilah=str(sorter.id))
    assert "Yusuf Pemilah" in text and "Rina Kasi Inovasi" not in text
    unsigned = printed(http, run_jobs)  # the Kasi is no sorter: blank lines to sign by hand
    assert "Rina Kasi Inovasi" not in unsigned and "(......" in unsigned
    refused = http.get("/berita-acara/pemilahan/laporan.pdf", params={"batch": "1", "pemilah": "999"})
    assert refused.status_code == 400 and "Pilih petugas pemilah" in refused.text
