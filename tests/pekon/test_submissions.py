"""A village operator submits for a citizen over HTTP, and the request runs to the end on the village SOP."""

from __future__ import annotations

import hashlib
import io
import json
import re
from html import unescape
from pathlib import Path

import requests
from flask import Flask
from rq import Queue
from rq.registry import FailedJobRegistry, ScheduledJobRegistry
from sqlmodel import Session, col, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from layanan.clock import format_wib
from routing.definition import Action, Definition, Milestone
from routing.sla import working_time_between
from tests.pekon.conftest import (
    CITIZEN_E164,
    CITIZEN_NIK,
    CITIZEN_WA,
    OPERATOR,
    SCAN_LIMIT,
    citizen_fields,
    post_form,
    step_values,
    submitter_roles,
    village_definition,
)
from pekon.submission import village_steps
from pdf_delivery.models import IssuedDocument
from tests.support.documents import document_step
from tests.support.media_server import jpeg_bytes, pdf_bytes, png_bytes
from tests.support.workflows import BALANGAN
from tests.tickets.conftest import PASSWORD, act_via_form, csrf_token, login, make_staff, queue_numbers, valid_outputs
from tickets.audit import AuditAction, AuditRecord
from tickets.constants import Channel
from tickets.messages import Attachment, Message
from tickets.models import Applicant, StageEvent, Ticket


def _staff(session: Session, definition: Definition) -> None:
    for role in dict.fromkeys(s.role for s in definition.chain if s.role):
        make_staff(session, role, full_name=f"Demo {definition.role(role).name}")


def test_a_pekon_of_another_kecamatan_is_refused_beside_the_field_and_kept(
        http: requests.Session, session: Session) -> None:
    definition = village_definition()
    _staff(session, definition)
    login(http, OPERATOR)
    form = unescape(http.get("/pekon/baru").text)
    # The choice offers the list, a group per kecamatan (narrowed in the browser, all there without it).
    assert '<select id="pekon" name="pekon" data-pekon-select' in form
    assert 'data-kecamatan="180620"' in form and '<option value="Gisting Atas" >Gisting Atas</option>' in form
    assert '<input type="text" id="pekon"' not in form

    # Kampung Baru is a pekon of two other kecamatan, not of Gisting.
    typed = {**citizen_fields(pekon="Kampung Baru"), **step_values(definition, submitter_roles(definition))}
    response = post_form(http, form, typed, [("kk.pdf", pdf_bytes(3000), "application/pdf")])
    page = unescape(response.text)
    assert response.status_code == 422
    assert 'id="pekon-error">Pilih pekon/kelurahan dari daftar Kecamatan Gisting.' in page
    assert '<option value="Kampung Baru" selected>Kampung Baru</option>' in page, "the choice sent stays chosen"
    assert '<option value="180620" selected>' in page and 'value="Rina Marlina"' in page
    assert "Sudah diterima (1)" in page, "the accepted scan is kept for the corrected form"
    assert session.exec(select(Ticket)).first() is None

    # A name typed in another case and spacing is stored as the list writes it.
    fixed = post_form(http, response.text, {**typed, "pekon": "  gisting   ATAS "})
    assert fixed.status_code == 200, unescape(fixed.text)[:2000]
    assert _created_event(session).data["pekon"] == "Gisting Atas"


def test_a_submission_from_before_the_list_stays_readable_and_is_not_offered_again(
        http: requests.Session, session: Session) -> None:
    definition = village_definition()
    _staff(session, definition)
    login(http, OPERATOR)
    number = _submit(http, definition)
    event = _created_event(session)
    event.data = {**event.data, "pekon": "Dusun Talang Sebelah"}  # typed freely before the list existed
    session.add(event)
    session.commit()

    assert number in http.get("/pekon/").text
    assert "<dt>Pekon</dt><dd>Dusun Talang Sebelah</dd>" in unescape(http.get(f"/pekon/{number}").text)
    form = unescape(http.get("/pekon/baru").text)
    assert '<option value="180620" selected>' in form, "the last kecamatan is still filled in"
    assert "Dusun Talang Sebelah" not in form, "an unlisted pekon is not offered as the next one"


def _created_event(session: Session) -> StageEvent:
    """The event the submission opened its ticket with: it keeps the pekon named on the form."""
    return session.exec(select(StageEvent).order_by(col(StageEvent.id))).first()  # type: ignore[return-value]


def _outbox(app: Flask) -> list[dict]:
    folder = Path(app.config["OUTBOX_PATH"])
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))] if folder.exists() else []


def _submit(http: requests.Session, definition: Definition, **fields: str) -> str:
    """A complete, valid submission with one scan; returns the new ticket number."""
    form = http.get("/pekon/baru")
    response = post_form(http, form.text, {**citizen_fields(**fields), **step_values(definition, submitter_roles(definition))},
                         [("kk.pdf", pdf_bytes(3000), "application/pdf")])
    assert response.status_code == 200, unescape(response.text)[:2000]
    found = re.search(r'class="submission-number">([^<]+)<', response.text)
    assert found, "the number is not shown after submitting"
    return found.group(1)


def _dinas_works_stage(http: requests.Session, definition: Definition, number: str, stage_key: str) -> str:
    """The stage's officer claims and advances the ticket on the back-office pages; returns the queue page."""
    stage = definition.stage(stage_key)
    http.cookies.clear()
    queue = login(http, str(stage.role).replace("_", "-"))
    assert number in queue_numbers(queue.text), f"{stage.key}: not in the {stage.role} queue"
    assert act_via_form(http, number, "claim").status_code == 200
    response = document_step(http, stage, number) or act_via_form(http, number, "advance", **valid_outputs(stage))
    assert f'diteruskan ke tahap "{definition.stage(str(stage.next)).name}"' in unescape(response.text), stage.key
    return queue.text


def test_operator_submits_for_a_citizen_and_follows_it_to_the_document(
        http: requests.Session, session: Session, app: Flask, run_jobs) -> None:  # type: ignore[no-untyped-def]
    definition = village_definition()
    assert definition.key == BALANGAN
    _staff(session, definition)
    operator_roles = submitter_roles(definition)

    landing = login(http, OPERATOR)
    assert landing.url.endswith("/pekon/"), "village staff land on their submissions"
    form = http.get("/pekon/baru")
    assert form.status_code == 200

    # Four scans: two good ones, one that only claims to be a PDF, one too big.
    typed = {**citizen_fields(), **step_values(definition, operator_roles)}
    files = [("kk-lama.pdf", pdf_bytes(4000), "application/pdf"),
             ("akta-nikah.jpg", jpeg_bytes(5000), "image/jpeg"),
             ("surat-pengantar.pdf", b"GIF89a" + b"\x00" * 500, "application/pdf"),
             ("ktp-besar.png", png_bytes(SCAN_LIMIT + 1), "image/png")]
    refused = post_form(http, form.text, typed, files)
    page = unescape(refused.text)
    assert refused.status_code == 422
    assert "surat-pengantar.pdf</strong>: isi file bukan PDF, JPG atau PNG" in page
    assert "ktp-besar.png</strong>: ukuran file melebihi 39 KB" in page
    for name in ("nik", "nama", "whatsapp", "keterangan"):
        assert re.search(rf'name="{name}"[^>]*value="{re.escape(typed[name])}"', page) or \
            f">{typed[name]}</textarea>" in page, f"{name} lost"
    assert f'<option value="{typed["kecamatan"]}" selected>' in page
    assert f'<option value="{typed["pekon"]}" selected>' in page
    assert f'<option value="{typed["layanan"]}" selected>' in page
    for name in step_values(definition, operator_roles):
        assert re.search(rf'name="{name}" value="[^"]*" checked|name="{name}" value="GS-2026-0042"', page), name
    assert "Sudah diterima (2)" in page
    assert session.exec(select(Ticket)).first() is None

    # The operator sends the form again without choosing the files again: the two kept ones go along.
    sent = post_form(http, refused.text, typed)
    assert sent.status_code == 200
    number = re.search(r'class="submission-number">([^<]+)<', sent.text).group(1)  # type: ignore[union-attr]
    assert f"Pengajuan tersimpan dengan nomor {number}." in unescape(sent.text)

    ticket = session.exec(select(Ticket).where(Ticket.number == number)).one()
    operator_id = session.exec(select(StageEvent.actor_id).where(StageEvent.ticket_id == ticket.id)).first()
    assert (ticket.channel, ticket.workflow) == (Channel.PEKON, BALANGAN)
    steps = village_steps(definition, operator_roles)
    assert ticket.stage == definition.stage(str(steps[-1].next)).key, "the village's own steps are done"
    assert ticket.outputs[next(iter(steps[-1].outputs)).key] == "GS-2026-0042"
    applicant = session.get(Applicant, ticket.applicant_id)
    assert (applicant.nik, applicant.phone, applicant.name) == (CITIZEN_NIK, CITIZEN_E164, "Rina Marlina")
    scans = session.exec(select(Attachment).where(Attachment.ticket_id == ticket.id)).all()
    assert sorted(a.content_type for a in scans) == ["application/pdf", "image/jpeg"]
    assert {(a.message_id, a.uploaded_by_id) for a in scans} == {(None, operator_id)}
    assert {e.actor_id for e in session.exec(select(StageEvent).where(StageEvent.ticket_id == ticket.id))} == {operator_id}

    # The first Dinas step's deadline: the SOP's minutes, counted in working time from the submission.
    first_dinas = definition.stage(ticket.stage)
    assert ticket.due_at is not None and working_time_between(ticket.stage_entered_at, ticket.due_at) == first_dinas.sla

    # The Dinas works it on the queue and ticket pages (each queue row shows its deadline); the village
    # hands the document over and archives on the submission's page.
    for stage in definition.chain[len(steps):]:
        if stage.role in operator_roles:
            http.cookies.clear()
            login(http, OPERATOR)
            own = http.get(f"/pekon/{number}")
            assert f"Langkah Anda: {stage.name}" in unescape(own.text)
            assert "Unduh dokumen (PDF)" in own.text, "the village prints the document it hands over"
            version = re.search(r'name="version" value="(\d+)"', own.text)
            assert version
            done = http.post(f"/pekon/{number}/langkah", data={
                "csrf_token": csrf_token(own.text), "version": version.group(1), **valid_outputs(stage)})
            assert f'Langkah "{stage.name}" untuk pengajuan {number} sudah dicatat.' in unescape(done.text)
            continue
        session.expire_all()
        due = session.get(Ticket, ticket.id).due_at
        queue = _dinas_works_stage(http, definition, number, stage.key)
        row = re.search(rf'data-number="{number}">.*?</tr>', queue, flags=re.S)
        assert row and f"{format_wib(due)} WIB" in row.group(0), f"{stage.key}: the queue shows no deadline"

    session.expire_all()
    assert session.get(Ticket, ticket.id).stage == definition.done_stage.key

    http.cookies.clear()
    login(http, OPERATOR)
    listing = unescape(http.get("/pekon/").text)
    row = re.search(rf'data-number="{number}">.*?</tr>', listing, flags=re.S)
    assert row and "Selesai" in row.group(0) and "Unduh dokumen (PDF)" in row.group(0)
    download = http.get(f"/pekon/{number}/dokumen")
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    issued = session.exec(select(IssuedDocument).where(IssuedDocument.ticket_id == ticket.id)).one()
    assert hashlib.sha256(download.content).hexdigest() == issued.original_sha256
    shown = {(a.action, a.staff_id) for a in session.exec(select(AuditRecord).where(AuditRecord.ticket_id == ticket.id))}
    assert {(AuditAction.VIEW_DOCUMENT, operator_id), (AuditAction.VIEW_FULL_NIK, operator_id)} <= shown

    # The citizen gave a WhatsApp number: every milestone after the submission reached it.
    run_jobs()
    sent_to = [m for m in _outbox(app) if m["to"] == f"whatsapp:{CITIZEN_E164}"]
    # Every stage entered after the ticket was created, except "received": the bot's own reply says that.
    reached = [s.milestone for s in definition.chain[1:] + (definition.done_stage,)
               if s.milestone and s.milestone is not Milestone.RECEIVED]
    assert len(sent_to) == len(reached) >= 2
    assert all(number in m["body"] for m in sent_to)
    # Ready at the village office, not "sent as a PDF, the printout goes to the UPT".
    ready = [m["body"] for m in sent_to if "siap diambil" in m["body"]]
    assert len(ready) == 1 and "kantor desa" in ready[0] and not any("UPT" in m["body"] for m in sent_to)


def test_a_rejected_submission_shows_the_reason_and_a_citizen_without_whatsapp_gets_nothing(
        http: requests.Session, session: Session, app: Flask, redis, run_jobs) -> None:  # type: ignore[no-untyped-def]
    definition = village_definition()
    _staff(session, definition)
    login(http, OPERATOR)
    number = _submit(http, definition, whatsapp="")

    ticket = session.exec(select(Ticket).where(Ticket.number == number)).one()
    verifying = definition.stage(ticket.stage)
    http.cookies.clear()
    login(http, str(verifying.role).replace("_", "-"))
    act_via_form(http, number, "claim")
    rejected = act_via_form(http, number, "reject", reason="Pindaian buku nikah tidak terbaca")
    assert f"Tiket {number} ditolak" in unescape(rejected.text)

    http.cookies.clear()
    login(http, OPERATOR)
    row = re.search(rf'data-number="{number}">.*?</tr>', unescape(http.get("/pekon/").text), flags=re.S)
    assert row and "Ditolak" in row.group(0) and "Alasan: Pindaian buku nikah tidak terbaca" in row.group(0)
    page = unescape(http.get(f"/pekon/{number}").text)
    assert "Alasan penolakan:</strong> Pindaian buku nikah tidak terbaca" in page
    assert "tidak ada (kabar disampaikan lewat kantor pekon)" in page

    run_jobs()
    assert _outbox(app) == []
    assert session.exec(select(Message).where(Message.ticket_id == ticket.id)).all() == []
    for name in app.config["RQ_QUEUES"]:  # no job failed, nor waits for a retry
        queue = Queue(name, connection=redis)
        assert FailedJobRegistry(queue=queue).get_job_ids() == []
        assert ScheduledJobRegistry(queue=queue).get_job_ids() == []


def test_bad_input_is_explained_next_to_each_field_and_nothing_typed_is_lost(
        http: requests.Session, session: Session) -> None:
    definition = village_definition()
    _staff(session, definition)
    login(http, OPERATOR)
    form = http.get("/pekon/baru")
    typed = citizen_fields(nik="1806 0157 0890", whatsapp="0722 21234", nama="Rina 2", pekon="")
    response = post_form(http, form.text, typed)
    page = unescape(response.text)
    assert response.status_code == 422
    assert 'id="nik-error">NIK harus 16 angka, yang Anda kirim 12 angka.' in page
    assert 'id="whatsapp-error">Nomor ini bukan nomor HP/WhatsApp.' in page
    assert 'id="nama-error">Nama harus 2-100 huruf, tanpa angka.' in page
    assert 'id="pekon-error">Pilih pekon/kelurahan tempat tinggal pemohon.' in page
    assert 'id="berkas-error">Unggah minimal satu pindaian berkas' in page
    for stage in village_steps(definition, submitter_roles(definition)):
        for out in stage.outputs:
            assert f"{out.label}: " in page, f"{out.key}: the unticked step has no message"
    assert 'value="1806 0157 0890"' in page and 'value="0722 21234"' in page and 'value="Rina 2"' in page
    assert ">KK baru karena menikah</textarea>" in page
    assert session.exec(select(Ticket)).first() is None


def test_an_operator_sees_only_their_own_submissions(http: requests.Session, session: Session) -> None:
    definition = village_definition()
    _staff(session, definition)
    make_staff(session, *submitter_roles(definition), username="aparat-pekon-lain")
    login(http, OPERATOR)
    number = _submit(http, definition)
    scan_id = session.exec(select(Attachment.id).where(col(Attachment.ticket_id).is_not(None))).first()
    assert http.get(f"/pekon/berkas/{scan_id}").status_code == 200
    assert AuditAction.VIEW_ATTACHMENT in session.exec(select(AuditRecord.action)).all()

    http.cookies.clear()
    login(http, "aparat-pekon-lain")
    assert number not in http.get("/pekon/").text
    for path in (f"/pekon/{number}", f"/pekon/{number}/dokumen", f"/pekon/berkas/{scan_id}"):
        assert http.get(path).status_code == 404, path
    page = http.get("/pekon/baru")
    other = http.post(f"/pekon/{number}/langkah", data={"csrf_token": csrf_token(page.text), "version": "1"})
    assert other.status_code == 404

    http.cookies.clear()
    login(http, str(definition.stage(session.exec(select(Ticket)).one().stage).role).replace("_", "-"))
    assert http.get("/pekon/").status_code == 403, "Dinas staff have no village submissions page"


def test_the_same_form_sent_twice_makes_one_ticket(http: requests.Session, session: Session) -> None:
    definition = village_definition()
    _staff(session, definition)
    login(http, OPERATOR)
    form = http.get("/pekon/baru")
    fields = {**citizen_fields(whatsapp=CITIZEN_WA), **step_values(definition, submitter_roles(definition))}
    first = post_form(http, form.text, fields, [("kk.pdf", pdf_bytes(3000), "application/pdf")])
    second = post_form(http, form.text, fields, [("kk.pdf", pdf_bytes(3000), "application/pdf")])
    assert first.status_code == second.status_code == 200
    assert first.url == second.url
    assert len(session.exec(select(Ticket)).all()) == 1


def test_scans_too_big_together_get_a_page_that_says_so(session: Session, app: Flask) -> None:
    definition = village_definition()
    _staff(session, definition)
    client = app.test_client()  # the live server would drop the connection while the body still comes
    page = client.get("/masuk").get_data(as_text=True)
    client.post("/masuk", data={"csrf_token": csrf_token(page), "username": OPERATOR, "password": PASSWORD})
    form = client.get("/pekon/baru").get_data(as_text=True)
    limit = SCAN_LIMIT * 8 + 1024 * 1024  # every scan at its largest, plus the typed fields
    with io.BytesIO(b"%PDF-" + b"0" * limit) as scan:  # encoded in memory: the client's own temp file stays shut
        boundary, body = encode_multipart(MultiDict({"csrf_token": csrf_token(form), **citizen_fields(),
                                                     "berkas": FileStorage(scan, "semua.pdf")}))
    response = client.post("/pekon/baru", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "Berkas yang dipilih bersama-sama melebihi" in unescape(response.get_data(as_text=True))
    assert session.exec(select(Ticket)).first() is None


def test_returned_to_the_village_the_operator_adds_a_scan_asks_the_citizen_and_sends_it_on_again(
        http: requests.Session, session: Session) -> None:
    definition = village_definition()
    _staff(session, definition)
    operator_roles = submitter_roles(definition)
    steps = village_steps(definition, operator_roles)
    asking = next(s for s in steps if Action.ASK_CITIZEN in s.actions)
    login(http, OPERATOR)
    number = _submit(http, definition)

    dinas = definition.stage(session.exec(select(Ticket.stage)).one())
    http.cookies.clear()
    login(http, str(dinas.role).replace("_", "-"))
    act_via_form(http, number, "claim")
    act_via_form(http, number, "return", to_stage=asking.key, reason="Pindaian KK lama terpotong di bagian bawah")

    http.cookies.clear()
    login(http, OPERATOR)
    page = unescape(http.get(f"/pekon/{number}").text)
    assert f"Langkah Anda: {asking.name}" in page
    assert "Catatan petugas:</strong> Pindaian KK lama terpotong di bagian bawah" in page
    page_html = http.get(f"/pekon/{number}").text
    refused = http.post(f"/pekon/{number}/berkas", data={"csrf_token": csrf_token(page_html)},
                        files=[("berkas", ("kk-ulang.pdf", pdf_bytes(2500), "application/pdf")),
                               ("berkas", ("catatan.pdf", b"bukan pdf", "application/pdf"))])
    assert refused.status_code == 422 and "catatan.pdf</strong>: isi file bukan PDF" in unescape(refused.text)
    added = http.post(f"/pekon/{number}/berkas", data={"csrf_token": csrf_token(page_html)},
                      files=[("berkas", ("kk-ulang-2.jpg", jpeg_bytes(2600), "image/jpeg"))])
    assert "1 berkas ditambahkan" in unescape(added.text)
    ticket_id = session.exec(select(Ticket.id)).one()
    assert len(session.exec(select(Attachment).where(Attachment.ticket_id == ticket_id)).all()) == 3
    empty = _post_on_page(http, number, "kelengkapan", reason="")
    assert empty.status_code == 422 and 'id="reason-error"' in empty.text
    waiting = _post_on_page(http, number, "kelengkapan", reason="Bawa KK lama yang asli untuk dipindai ulang")
    page = unescape(waiting.text)
    assert "Menunggu kelengkapan dari pemohon" in page and "Bawa KK lama yang asli" in page

    back = _post_on_page(http, number, "lengkap")
    assert f"Langkah Anda: {asking.name}" in unescape(back.text)
    for stage in steps[steps.index(asking):]:
        done = _post_on_page(http, number, "langkah", **valid_outputs(stage))
        assert f'Langkah "{stage.name}" untuk pengajuan {number} sudah dicatat.' in unescape(done.text)
    session.expire_all()
    assert session.exec(select(Ticket.stage)).one() == dinas.key


def _post_on_page(http: requests.Session, number: str, action: str, **fields: str) -> requests.Response:
    """Send one of the submission page's forms with the page's token and the ticket's version."""
    page = http.get(f"/pekon/{number}")
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version, "no form on the submission page"
    return http.post(f"/pekon/{number}/{action}", data={"csrf_token": csrf_token(page.text),
                                                        "version": version.group(1), **fields})
