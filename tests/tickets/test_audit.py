"""The access audit (UU 27/2022 PDP): every showing of a citizen's file, an issued document or an API read
is recorded (who, when, which ticket); the section heads and the Kepala Dinas read and export it."""

from __future__ import annotations

from datetime import date

import requests
from flask import Flask
from sqlmodel import Session, select

from berita_acara.models import BeritaAcara, BeritaAcaraStatus
from pdf_delivery.documents import upload_document
from pdf_delivery.models import IssuedDocument
from tests.support.documents import document_pdf
from tests.tickets.conftest import login, make_attachment, make_staff, make_ticket
from tickets.audit import AuditAction, AuditRecord
from tickets.staff import ApiToken
from tickets.tokens import create_token


def _records(session: Session) -> list[AuditRecord]:
    session.expire_all()
    return list(session.exec(select(AuditRecord).order_by(AuditRecord.id)))


def test_api_reads_are_recorded_with_the_token(http: requests.Session, session: Session) -> None:
    ticket = make_ticket(session)
    token = create_token(session, "CRM Kominfo")
    auth = {"Authorization": f"Bearer {token}"}
    created = http.post("/api/calls", json={"phone": "081298765432", "topic": "kia", "outcome": "answered",
                                            "idempotency_key": "panggilan-1"}, headers=auth)
    assert created.status_code == 201, created.text
    assert _records(session) == [], "logging a call is no read"

    assert http.get(f"/api/tickets/{ticket.number}", headers=auth).status_code == 200
    assert http.get(f"/api/calls/{created.json()['id']}", headers=auth).status_code == 200
    assert http.post("/api/calls", json={"phone": "081298765432", "topic": "kia", "outcome": "answered",
                                         "idempotency_key": "panggilan-1"}, headers=auth).status_code == 200
    assert http.get("/api/tickets/PGD-2026-999999", headers=auth).status_code == 404

    token_id = session.exec(select(ApiToken)).one().id
    rows = _records(session)
    assert [(r.action, r.staff_id, r.api_token_id) for r in rows] == [(AuditAction.API_READ, None, token_id)] * 3
    assert rows[0].ticket_id == ticket.id and rows[0].detail == f"/api/tickets/{ticket.number}"
    assert rows[1].detail == f"/api/calls/{created.json()['id']}"
    assert all(r.ip == "127.0.0.1" for r in rows)


def test_a_staff_member_opening_a_citizens_file_is_recorded(http: requests.Session, session: Session,
                                                            app: Flask) -> None:
    reader = make_staff(session, "kasi_identitas")
    ticket = make_ticket(session)
    attachment = make_attachment(session, app.config["MEDIA_PATH"], ticket)
    login(http, "kasi-identitas")
    before = len(_records(session))  # the ticket page itself records the full NIK shown

    assert http.get(f"/tiket/{ticket.number}/lampiran/{attachment.id}").status_code == 200

    [row] = _records(session)[before:]
    assert (row.action, row.staff_id, row.ticket_id) == (AuditAction.VIEW_ATTACHMENT, reader.id, ticket.id)
    assert row.detail == f"/tiket/{ticket.number}/lampiran/{attachment.id}"


def test_opening_a_document_to_sign_and_a_berita_acara_is_recorded(http: requests.Session, session: Session,
                                                                    app: Flask) -> None:
    kepala = make_staff(session, "kepala_dinas")
    operator = make_staff(session, "data_entry_operator")
    ticket = make_ticket(session, stage="data_entry")
    upload_document(session, app.config, ticket, operator, document_pdf())
    document = session.exec(select(IssuedDocument)).one()
    berita_acara = BeritaAcara(number="470/001/BA-UPT/Disdukcapil/2026", year=2026, seq=1, kecamatan_code="180601",
                               status=BeritaAcaraStatus.SIGNED, document_date=date(2026, 1, 5),
                               created_by_id=kepala.id, signed_pdf=document_pdf("Berita Acara"))
    session.add(berita_acara)
    session.commit()
    login(http, "kepala-dinas")

    assert http.get(f"/tte/dokumen/{document.id}").status_code == 200
    assert http.get(f"/berita-acara/{berita_acara.id}/berita-acara.pdf").status_code == 200

    rows = [(r.action, r.staff_id, r.ticket_id, r.detail) for r in _records(session)]
    assert rows == [
        (AuditAction.VIEW_DOCUMENT, kepala.id, ticket.id, f"/tte/dokumen/{document.id}"),
        (AuditAction.VIEW_DOCUMENT, kepala.id, None, f"/berita-acara/{berita_acara.id}/berita-acara.pdf"),
    ]
