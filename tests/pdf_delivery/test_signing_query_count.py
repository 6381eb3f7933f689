"""The signer's pages cost the same number of SQL statements whatever the number of waiting documents."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape
from typing import Any

import requests
from flask import Flask
from sqlalchemy import event
from sqlmodel import Session

from pdf_delivery.models import DocumentStatus, IssuedDocument
from tests.tickets.conftest import login, make_staff, make_ticket
from tickets.models import Ticket

PAGES = ("/tte", "/antrian")  # the signing queue itself, and another page with the menu's counter
_BADGE = re.compile(r'class="tte-link">Tanda tangan \(TTE\)(?: <span class="badge"[^>]*>(\d+)</span>)?</a>')


def add_document(session: Session, ticket: Ticket, status: str = DocumentStatus.AWAITING_SIGNATURE) -> None:
    """A document row for the ticket; the pages read only the row, never the file."""
    digest = secrets.token_hex(32)
    session.add(IssuedDocument(ticket_id=int(ticket.id or 0), document_type="Kartu Keluarga",
                               original_path=f"{digest[:2]}/{digest}.pdf", original_sha256=digest,
                               original_size=1000, verification_code=secrets.token_hex(16), status=status))
    session.commit()


def add_waiting(session: Session, count: int) -> list[Ticket]:
    """Tickets at the signing stage, each with a document awaiting the signature."""
    tickets = [make_ticket(session, stage="e_signature", name=f"Pemohon {i}") for i in range(count)]
    for ticket in tickets:
        add_document(session, ticket)
    return tickets


@contextmanager
def counted_statements(app: Flask) -> Iterator[list[str]]:
    """The SQL statements the app's engine runs inside the block (on any thread)."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = app.extensions["db_engine"]
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def statements_per_page(http: requests.Session, app: Flask) -> dict[str, int]:
    counts = {}
    for path in PAGES:
        with counted_statements(app) as statements:
            assert http.get(path).status_code == 200
        counts[path] = len(statements)
    return counts


def badge(html: str) -> int:
    match = _BADGE.search(html)
    assert match, "no signing link in the menu"
    return int(match.group(1) or 0)


def test_statements_do_not_grow_with_the_waiting_documents(http: requests.Session, session: Session,
                                                           app: Flask) -> None:
    make_staff(session, "kepala_dinas")
    add_waiting(session, 3)
    login(http, "kepala-dinas")
    statements_per_page(http, app)  # anything a first request loads once per process

    with_three = statements_per_page(http, app)
    add_waiting(session, 27)
    with_thirty = statements_per_page(http, app)

    assert with_thirty == with_three


def test_the_queue_and_the_counter_show_what_they_showed(http: requests.Session, session: Session,
                                                         app: Flask) -> None:
    make_staff(session, "kepala_dinas")
    waiting = add_waiting(session, 2)
    replaced = make_ticket(session, stage="e_signature", name="Dokumen Diganti")
    add_document(session, replaced, DocumentStatus.SIGNED)
    add_document(session, replaced)  # the latest document counts, not the first
    signed = make_ticket(session, stage="e_signature", name="Sudah Ditandatangani")
    add_document(session, signed)
    add_document(session, signed, DocumentStatus.SIGNED)
    without = make_ticket(session, stage="e_signature", name="Tanpa Dokumen")
    elsewhere = make_ticket(session, stage="data_entry", name="Belum Diajukan")
    add_document(session, elsewhere)
    login(http, "kepala-dinas")

    page = unescape(http.get("/tte").text)

    assert badge(page) == 3
    assert "Dokumen pemohon menunggu tanda tangan (5)" in page
    for ticket in (*waiting, replaced):
        assert f'id="t{ticket.id}" aria-label="Pilih {ticket.number}"' in page
    for ticket in (signed, without):
        assert f'id="t{ticket.id}-baris"' in page and f'id="t{ticket.id}" ' not in page
    assert elsewhere.number not in page
    assert "belum ada PDF dari operator" in page
    assert f'<span class="badge">{DocumentStatus.SIGNED.label}</span>' in page
