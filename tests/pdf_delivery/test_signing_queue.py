"""The Kepala Dinas's signing queue over real HTTP: preview, batch signing, refusals, roles."""

from __future__ import annotations

import re
from html import unescape
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko_certvalidator import ValidationContext
from sqlmodel import Session, select

from pdf_delivery.documents import upload_document
from pdf_delivery.models import DocumentStatus, IssuedDocument
from pdf_delivery.signing import load_trust_roots
from routing.definition import Action
from tests.support.documents import (
    DEMO_PASSPHRASE,
    document_pdf,
    install_demo_certificate,
    pyhanko_validate,
    signer_config,
)
from tests.tickets.conftest import act_via_form, csrf_token, login, make_staff, make_ticket
from tickets.models import StageEvent, Ticket
from tickets.staff import StaffUser
from tickets.workflow_service import act

NEXT_STAGE = "document_printing"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, **signer_config()}


@pytest.fixture
def kepala(session: Session, app: Flask) -> StaffUser:
    install_demo_certificate(app)
    return make_staff(session, "kepala_dinas", full_name="Drs. Budi Santoso, M.Si.")


@pytest.fixture
def operator(session: Session) -> StaffUser:
    return make_staff(session, "data_entry_operator")


def waiting_for_signature(session: Session, app: Flask, operator: StaffUser, name: str = "Siti Aminah") -> Ticket:
    """A ticket whose operator uploaded its PDF and sent it to the signing stage."""
    ticket = make_ticket(session, stage="data_entry", name=name)
    upload_document(session, app.config, ticket, operator, document_pdf(f"Dokumen {name}"))
    ticket.stage = "e_signature"
    session.add(ticket)
    session.commit()
    session.refresh(ticket)
    return ticket


def sign_via_form(http: requests.Session, tickets: list[Ticket], passphrase: str = DEMO_PASSPHRASE
                  ) -> requests.Response:
    page = http.get("/tte")
    assert page.status_code == 200
    return http.post("/tte/tandatangani", data={"csrf_token": csrf_token(page.text), "passphrase": passphrase,
                                                "ticket_id": [str(t.id) for t in tickets]})


def document_of(session: Session, ticket: Ticket) -> IssuedDocument:
    session.expire_all()
    return session.exec(select(IssuedDocument).where(IssuedDocument.ticket_id == ticket.id)).one()


def test_kepala_dinas_signs_a_batch_of_three(http: requests.Session, session: Session, app: Flask,
                                             kepala: StaffUser, operator: StaffUser) -> None:
    tickets = [waiting_for_signature(session, app, operator, name) for name in
               ("Siti Aminah", "Budi Hartono", "Rina Marlina")]
    login(http, "kepala-dinas")
    queue = unescape(http.get("/tte").text)
    for ticket in tickets:
        assert ticket.number in queue

    done = unescape(sign_via_form(http, tickets).text)

    roots = load_trust_roots(app.config)
    for ticket in tickets:
        assert f'Ditandatangani. Tiket {ticket.number} diteruskan ke tahap "Pencetakan dokumen ber-TTE".' in done
        document = document_of(session, ticket)
        assert document.status == DocumentStatus.SIGNED and document.signed_by_id == kepala.id
        signed = (Path(app.config["DOCUMENTS_PATH"]) / str(document.signed_path)).read_bytes()
        reader = PdfFileReader(BytesIO(signed))
        status = pyhanko_validate(reader.embedded_signatures[0],
                                  ValidationContext(trust_roots=roots, allow_fetching=False))
        assert status.bottom_line
        last_page = reader.root["/Pages"]["/Kids"][-1].get_object()
        links = [a.get_object()["/A"]["/URI"] for a in last_page["/Annots"] if a.get_object()["/Subtype"] == "/Link"]
        assert links == [f"{app.config['PUBLIC_BASE_URL']}/verifikasi/{document.verification_code}"]
        moved = session.get(Ticket, ticket.id)
        assert moved.stage == NEXT_STAGE
        assert moved.outputs["dokumen_ber_tte"].startswith("PDF ber-TTE")
        event = session.exec(select(StageEvent).where(StageEvent.ticket_id == ticket.id,
                                                      StageEvent.to_stage == NEXT_STAGE)).one()
        assert event.actor_id == kepala.id
    assert "Tidak ada dokumen yang menunggu tanda tangan." in unescape(http.get("/tte").text)


def test_the_uploaded_pdf_is_downloaded_for_checking(http: requests.Session, session: Session, app: Flask,
                                                     kepala: StaffUser, operator: StaffUser) -> None:
    ticket = waiting_for_signature(session, app, operator)
    document = document_of(session, ticket)
    login(http, "kepala-dinas")
    queue = http.get("/tte").text
    link = re.search(r'href="(/tte/dokumen/\d+)"', queue)
    assert link

    preview = http.get(link.group(1))

    assert preview.status_code == 200
    assert preview.headers["Content-Type"] == "application/pdf"
    assert preview.headers["Content-Disposition"].startswith("attachment;")
    assert preview.headers["Cache-Control"] == "private, no-store"
    assert preview.content == (Path(app.config["DOCUMENTS_PATH"]) / document.original_path).read_bytes()


def _unchanged(session: Session, ticket: Ticket) -> None:
    session.expire_all()
    fresh = session.get(Ticket, ticket.id)
    assert (fresh.stage, fresh.version, fresh.claimed_by_id) == ("e_signature", ticket.version, None)
    document = document_of(session, ticket)
    assert document.status == DocumentStatus.AWAITING_SIGNATURE and document.signed_path is None


def test_wrong_passphrase_signs_nothing(http: requests.Session, session: Session, app: Flask,
                                        kepala: StaffUser, operator: StaffUser) -> None:
    tickets = [waiting_for_signature(session, app, operator) for _ in range(2)]
    login(http, "kepala-dinas")

    response = sign_via_form(http, tickets, passphrase="salah-ketik")

    assert [r.status_code for r in response.history] == [303] and response.url.endswith("/tte")  # reload: no re-post
    assert "Passphrase TTE salah. Tidak ada dokumen yang ditandatangani." in unescape(response.text)
    for ticket in tickets:
        _unchanged(session, ticket)


def test_missing_certificate_signs_nothing(http: requests.Session, session: Session, app: Flask,
                                           kepala: StaffUser, operator: StaffUser) -> None:
    ticket = waiting_for_signature(session, app, operator)
    Path(app.config["SIGNING_PKCS12_PATH"]).unlink()
    login(http, "kepala-dinas")

    response = sign_via_form(http, [ticket])

    assert [r.status_code for r in response.history] == [303] and response.url.endswith("/tte")
    assert "Sertifikat TTE kantor tidak ditemukan" in unescape(response.text)
    _unchanged(session, ticket)


def test_a_signed_document_is_not_signed_again(http: requests.Session, session: Session, app: Flask,
                                               kepala: StaffUser, operator: StaffUser) -> None:
    ticket = waiting_for_signature(session, app, operator)
    login(http, "kepala-dinas")
    sign_via_form(http, [ticket])
    first = document_of(session, ticket)
    # The printing officer sends it back to the signing stage (e.g. a smudged print).
    printer = make_staff(session, "print_operator")
    session.expire_all()
    moved = session.get(Ticket, ticket.id)
    moved, _, _ = act(session, moved, Action.CLAIM, actor_id=printer.id, actor_roles={"print_operator"},
                      expected_version=moved.version)
    act(session, moved, Action.RETURN_, actor_id=printer.id, actor_roles={"print_operator"},
        expected_version=moved.version, payload={"to_stage": "e_signature", "reason": "cetakan kabur"})

    again = unescape(sign_via_form(http, [ticket]).text)

    assert f"{ticket.number}: Dokumen ini sudah ditandatangani sebelumnya; tidak ditandatangani ulang." in again
    second = document_of(session, ticket)
    assert (second.signed_sha256, second.signed_at) == (first.signed_sha256, first.signed_at)


def test_one_failing_ticket_leaves_the_others_signed(http: requests.Session, session: Session, app: Flask,
                                                     kepala: StaffUser, operator: StaffUser) -> None:
    good, broken, other = (waiting_for_signature(session, app, operator, n) for n in ("Andi", "Beni", "Citra"))
    (Path(app.config["DOCUMENTS_PATH"]) / document_of(session, broken).original_path).unlink()
    login(http, "kepala-dinas")

    page = unescape(sign_via_form(http, [good, broken, other]).text)

    assert f"{broken.number}: File dokumen tidak ditemukan di penyimpanan." in page
    assert document_of(session, broken).status == DocumentStatus.AWAITING_SIGNATURE
    for ticket in (good, other):
        assert f"Ditandatangani. Tiket {ticket.number} diteruskan" in page
        assert session.get(Ticket, ticket.id).stage == NEXT_STAGE


def test_the_signing_stage_cannot_be_ticked_through_without_a_signature(
        http: requests.Session, session: Session, app: Flask, kepala: StaffUser, operator: StaffUser) -> None:
    ticket = waiting_for_signature(session, app, operator)
    login(http, "kepala-dinas")
    act_via_form(http, ticket.number, "claim")

    refused = unescape(act_via_form(http, ticket.number, "advance").text)

    assert "Dokumen belum ditandatangani." in refused
    session.expire_all()
    assert session.get(Ticket, ticket.id).stage == "e_signature"


@pytest.mark.parametrize("role", ["data_entry_operator", "kabid", "pdf_sender", "admin"])
def test_only_the_kepala_dinas_may_open_or_use_the_signing_pages(
        http: requests.Session, session: Session, app: Flask, operator: StaffUser, kepala: StaffUser,
        role: str) -> None:
    ticket = waiting_for_signature(session, app, operator)
    document = document_of(session, ticket)
    if role != "data_entry_operator":
        make_staff(session, role)
    landing = login(http, role.replace("_", "-"))
    token = csrf_token(landing.text)

    assert http.get("/tte").status_code == 403
    assert http.get(f"/tte/dokumen/{document.id}").status_code == 403
    posted = http.post("/tte/tandatangani", data={"csrf_token": token, "passphrase": DEMO_PASSPHRASE,
                                                  "ticket_id": str(ticket.id)})
    assert posted.status_code == 403
    _unchanged(session, ticket)


def test_anonymous_visitors_are_sent_to_the_login_page(http: requests.Session, session: Session, app: Flask,
                                                       operator: StaffUser) -> None:
    ticket = waiting_for_signature(session, app, operator)

    response = http.get("/tte")

    assert response.url.split("?")[0].endswith("/masuk")
    assert ticket.number not in response.text


def test_the_ticket_page_points_the_signer_to_the_signing_page(http: requests.Session, session: Session, app: Flask,
                                                               kepala: StaffUser, operator: StaffUser) -> None:
    ticket = waiting_for_signature(session, app, operator)
    login(http, "kepala-dinas")
    act_via_form(http, ticket.number, "claim")
    page = unescape(http.get(f"/tiket/{ticket.number}").text)
    assert 'class="action-advance"' not in page  # no "Teruskan" that could only fail
    pointer = page[page.index('class="advance-elsewhere"'):][:800]
    target = re.search(r'href="([^"]+)"', pointer)
    assert target and target.group(1) == f"/tte#t{ticket.id}-baris"
    signing_page = http.get(target.group(1)).text
    assert f'id="t{ticket.id}-baris"' in signing_page and f'aria-label="Pilih {ticket.number}"' in signing_page


def test_the_print_operator_opens_the_signed_pdf_he_prints(http: requests.Session, session: Session, app: Flask,
                                                           kepala: StaffUser, operator: StaffUser) -> None:
    ticket = waiting_for_signature(session, app, operator)
    login(http, "kepala-dinas")
    sign_via_form(http, [ticket])
    signed = (Path(app.config["DOCUMENTS_PATH"]) / str(document_of(session, ticket).signed_path)).read_bytes()
    make_staff(session, "print_operator")
    make_staff(session, "courier_officer")

    http.cookies.clear()
    login(http, "print-operator")
    page = unescape(http.get(f"/tiket/{ticket.number}").text)
    link = re.search(r'class="button secondary document-open" href="([^"]+)"[^>]*>Unduh PDF ber-TTE', page)
    assert link, "no link to the signed PDF on the printing stage"
    pdf = http.get(link.group(1))
    assert pdf.headers["Content-Type"] == "application/pdf" and pdf.content == signed
    assert pdf.headers["Cache-Control"] == "private, no-store"

    http.cookies.clear()
    login(http, "courier-officer")  # not his stage: no link, and no file
    assert "document-open" not in http.get(f"/tiket/{ticket.number}").text
    assert http.get(link.group(1)).status_code == 403


def test_select_all_ticks_every_waiting_document_in_chromium(session: Session, app: Flask, live_server, browser,  # type: ignore[no-untyped-def]
                                                            kepala: StaffUser, operator: StaffUser) -> None:
    """The Kepala Dinas signs a batch by ticking "Pilih semua": the box works under the page's
    Content-Security-Policy (no inline script), and clears them all again."""
    from playwright.sync_api import expect

    from tests.support.browser import logged_in_page

    waiting_for_signature(session, app, operator, "Siti Aminah")
    waiting_for_signature(session, app, operator, "Budi Raharjo")
    page = logged_in_page(browser, live_server.url, kepala.username)
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/tte")
    boxes = page.locator("form.sign-batch input[name=ticket_id]")
    expect(boxes).to_have_count(2)
    page.check("#pilih-semua")
    for index in range(2):
        expect(boxes.nth(index)).to_be_checked()
    page.uncheck("#pilih-semua")
    for index in range(2):
        expect(boxes.nth(index)).not_to_be_checked()
    assert not refused, refused
    page.context.close()


def test_the_page_lists_one_batch_of_the_oldest_and_a_larger_batch_signs_nothing(
        http: requests.Session, session: Session, app: Flask, kepala: StaffUser, operator: StaffUser,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """One press signs at most one batch, within one web request: the page lists the oldest batch and says how
    many wait in all; a form with more (not one the page writes) signs nothing and says why."""
    import pdf_delivery.signing_views

    monkeypatch.setattr(pdf_delivery.signing_views, "SIGN_BATCH", 2)
    tickets = [waiting_for_signature(session, app, operator, name) for name in
               ("Siti Aminah", "Budi Hartono", "Rina Marlina")]
    login(http, "kepala-dinas")
    queue = unescape(http.get("/tte").text)
    assert "Dokumen pemohon menunggu tanda tangan (3)" in queue
    assert "Ditampilkan 2 tiket terlama dari 3" in queue
    assert tickets[0].number in queue and tickets[1].number in queue and tickets[2].number not in queue

    refused = unescape(sign_via_form(http, tickets).text)
    assert "Paling banyak 2 dokumen sekali tanda tangan; tidak ada yang ditandatangani." in refused
    assert all(document_of(session, t).status == DocumentStatus.AWAITING_SIGNATURE for t in tickets)

    done = unescape(sign_via_form(http, tickets[:2]).text)
    assert f"Tiket {tickets[0].number} diteruskan" in done and f"Tiket {tickets[1].number} diteruskan" in done
    assert tickets[2].number in done and "Ditampilkan" not in done, "the last one is listed now, alone"
