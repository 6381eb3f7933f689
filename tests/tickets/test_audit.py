"""The access audit (UU 27/2022 PDP): every showing of a citizen's file, an issued document or an API read
is recorded (who, when, which ticket); the section heads and the Kepala Dinas read and export it."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

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


def _record(session: Session, action: AuditAction, at: datetime, **fields: object) -> AuditRecord:
    row = AuditRecord(action=str(action), created_at=at, ip="10.0.0.7", **fields)
    session.add(row)
    session.commit()
    return row


def _listed(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr class="audit-row" data-id="(\d+)">', html)]


def test_supervisors_read_the_audit_filtered_a_page_at_a_time(http: requests.Session, session: Session) -> None:
    make_staff(session, "kabid", full_name="Kabid Pelayanan")
    sorter = make_staff(session, "sorter", full_name="Rudi Pemilah")
    first, second = make_ticket(session), make_ticket(session)
    create_token(session, "CRM Kominfo")
    token = session.exec(select(ApiToken)).one()
    start = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # 08.00 WIB
    many = [_record(session, AuditAction.VIEW_FULL_NIK, start + timedelta(minutes=i), staff_id=sorter.id,
                    ticket_id=first.id, detail=f"/tiket/{first.number}") for i in range(55)]
    api = _record(session, AuditAction.API_READ, start + timedelta(days=1), api_token_id=token.id, ticket_id=second.id)
    # 23.30 WIB on 3 November is still the 3rd in Tanggamus, though the 3rd is over in UTC at 07.00 WIB.
    late = _record(session, AuditAction.VIEW_ATTACHMENT, datetime(2026, 11, 3, 16, 30, tzinfo=UTC),
                   staff_id=sorter.id, ticket_id=second.id)
    login(http, "kabid")

    page = http.get("/audit-akses/")
    assert page.status_code == 200
    newest = [late.id, api.id] + [r.id for r in reversed(many)]
    assert _listed(page.text) == newest[:50]
    text = unescape(page.text)
    assert "Rudi Pemilah (sorter)" in text and "API: CRM Kominfo" in text and "Membuka berkas warga" in text
    following = http.get("/audit-akses/", params={"sebelum": _listed(page.text)[-1]})
    assert _listed(following.text) == newest[50:]

    assert _listed(http.get("/audit-akses/", params={"siapa": "CRM kominfo"}).text) == [api.id]
    assert _listed(http.get("/audit-akses/", params={"siapa": "SORTER", "tiket": second.number}).text) == [late.id]
    assert _listed(http.get("/audit-akses/", params={"aksi": "api_read"}).text) == [api.id]
    assert _listed(http.get("/audit-akses/", params={"dari": "2026-11-03", "sampai": "2026-11-03"}).text) \
        == [late.id, api.id]
    assert _listed(http.get("/audit-akses/", params={"tiket": "PGD-2026-999999"}).text) == []
    bad = http.get("/audit-akses/", params={"dari": "kemarin"})
    assert bad.status_code == 200 and "Tanggal tidak dikenali" in unescape(bad.text)
    assert http.get("/audit-akses/", params={"sebelum": "99999999999999999999"}).status_code == 400


def test_the_export_is_every_matching_record_as_csv(http: requests.Session, session: Session) -> None:
    make_staff(session, "kepala_dinas")
    reader = make_staff(session, "kasi_identitas", full_name="Siti Kasi")
    ticket = make_ticket(session)
    start = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    rows = [_record(session, AuditAction.VIEW_FULL_NIK, start + timedelta(seconds=i), staff_id=reader.id,
                    ticket_id=ticket.id, detail=f"/tiket/{ticket.number}") for i in range(1203)]
    _record(session, AuditAction.VIEW_DOCUMENT, start, staff_id=reader.id)
    login(http, "kepala-dinas")

    response = http.get("/audit-akses/ekspor.csv", params={"tiket": ticket.number})

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0][:4] == ["waktu_wib", "siapa", "nama_pengguna_atau_token", "aksi"]
    assert len(table) == 1 + len(rows)
    assert table[1] == ["2026-11-02 08:20:02", "Siti Kasi (kasi-identitas)", "kasi-identitas", "Melihat NIK utuh",
                        "view_full_nik", ticket.number, f"/tiket/{ticket.number}", "10.0.0.7"]


def test_only_the_supervising_roles_open_the_audit(http: requests.Session, session: Session) -> None:
    for role in ("wa_receiver", "admin", "sorter"):
        make_staff(session, role)
    for username in ("wa-receiver", "admin", "sorter"):
        http.cookies.clear()
        login(http, username)
        assert http.get("/audit-akses/").status_code == 403, username
        assert http.get("/audit-akses/ekspor.csv").status_code == 403, username
        assert "Audit akses" not in http.get("/antrian").text
    http.cookies.clear()
    make_staff(session, "kasi_inovasi")
    login(http, "kasi-inovasi")
    assert "Audit akses" in http.get("/antrian").text
