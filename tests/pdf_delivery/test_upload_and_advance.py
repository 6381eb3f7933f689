"""The operator's document stage in one form: the PDF, the document number and the checks go together,
and a refusal comes back after a redirect with the typed values filled in and the message beside its field."""

from __future__ import annotations

import re
from html import unescape

import pytest
import requests
from flask import Flask
from sqlmodel import Session, select

from pdf_delivery.models import IssuedDocument
from routing import workflow
from routing.definition import FieldType, OutputSource
from tests.support.documents import document_pdf
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import act_via_form, csrf_token, login, make_staff, make_ticket
from tickets.models import Ticket

DEFINITION = workflow(TANGGAMUS)
STAGE = next(s for s in DEFINITION.chain if any(o.source is OutputSource.DOCUMENT for o in s.outputs))
TEXT = next(o for o in STAGE.outputs if not o.system_assigned and o.type is FieldType.TEXT)
CHECK = next(o for o in STAGE.outputs if not o.system_assigned and o.type is FieldType.CHECK)
NUMBER = "474.4/0123/DKPS/2026"


@pytest.fixture
def ticket(session: Session, http: requests.Session) -> Ticket:
    make_staff(session, str(STAGE.role))
    made = make_ticket(session, stage=STAGE.key)
    login(http, str(STAGE.role).replace("_", "-"))
    act_via_form(http, made.number, "claim")
    return made


def post_form(http: requests.Session, number: str, step: str, **fields: str) -> requests.Response:
    page = http.get(f"/tiket/{number}").text
    version = re.search(r'class="document-upload">.*?name="version" value="(\d+)"', page, flags=re.S)
    assert version, "no upload form with the ticket's version"
    return http.post(f"/tiket/{number}/dokumen",
                     data={"csrf_token": csrf_token(page), "version": version.group(1), "langkah": step, **fields},
                     files={"dokumen": ("dokumen.pdf", document_pdf(), "application/pdf")})


def stored(session: Session, ticket: Ticket) -> tuple[Ticket, list[IssuedDocument]]:
    session.expire_all()
    return (session.get(Ticket, ticket.id),  # type: ignore[return-value]
            list(session.exec(select(IssuedDocument).where(IssuedDocument.ticket_id == ticket.id))))


def test_upload_and_advance_in_one_form(session: Session, http: requests.Session, ticket: Ticket) -> None:
    page = http.get(f"/tiket/{ticket.number}").text
    assert 'class="action-advance"' not in page  # the ticket page's own Teruskan would only fail here
    assert 'href="#dokumen"' in page[page.index('class="advance-elsewhere"'):][:800]

    done = post_form(http, ticket.number, "teruskan", **{f"isian-{TEXT.key}": NUMBER, f"isian-{CHECK.key}": "on"})
    assert [r.status_code for r in done.history] == [303]
    assert f'Tiket {ticket.number} diteruskan ke tahap "{DEFINITION.stage(str(STAGE.next)).name}"' in unescape(done.text)
    moved, documents = stored(session, ticket)
    assert moved.stage == STAGE.next and moved.outputs[TEXT.key] == NUMBER and len(documents) == 1


def test_a_refusal_keeps_the_typed_number_and_says_why_beside_the_field(session: Session, http: requests.Session,
                                                                         ticket: Ticket) -> None:
    refused = post_form(http, ticket.number, "teruskan", **{f"isian-{TEXT.key}": NUMBER})  # the check not ticked
    assert [r.status_code for r in refused.history] == [303]
    assert refused.url.endswith(f"/tiket/{ticket.number}#dokumen")  # a reload asks for the page, posts nothing
    page = unescape(refused.text)
    assert f'id="isian-{TEXT.key}" name="isian-{TEXT.key}" value="{NUMBER}"' in page
    field = page.index(f'id="isian-{CHECK.key}"')
    assert "harus dicentang" in page[field:field + 600]
    moved, documents = stored(session, ticket)
    assert moved.stage == STAGE.key and len(documents) == 1  # the upload itself was kept

    kept = post_form(http, ticket.number, "simpan", **{f"isian-{TEXT.key}": NUMBER + "-B"})  # replace the PDF only
    assert f'value="{NUMBER}-B"' in unescape(kept.text) and "tersimpan" in unescape(kept.text)
    done = post_form(http, ticket.number, "teruskan", **{f"isian-{TEXT.key}": NUMBER, f"isian-{CHECK.key}": "on"})
    assert stored(session, ticket)[0].stage == STAGE.next, unescape(done.text)
