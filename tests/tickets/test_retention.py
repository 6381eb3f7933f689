"""Retention (UU 27/2022 PDP): after RETENTION_DAYS_AFTER_DONE a finished ticket loses its citizen's files,
message bodies and rendered reports, keeps its statistics, and every run (real or dry) writes its report."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import func
from sqlmodel import Session, select

from berita_acara.models import BeritaAcara, BeritaAcaraItem, BeritaAcaraStatus
from layanan.clock import utcnow
from layanan.images import thumbnail_path
from routing import workflow
from tests.support.documents import document_pdf
from tests.support.media_server import png_bytes
from tests.tickets.conftest import login, make_attachment, make_message, make_staff, make_ticket
from tickets.constants import AttachmentStatus
from tickets.messages import Attachment, Message
from tickets.models import StageEvent, Ticket
from tickets.retention import PurgedTicket, RetentionRun, purge, purge_job

DAYS = 730
LONG_AGO = timedelta(days=DAYS + 10)


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "RETENTION_DAYS_AFTER_DONE": DAYS}


def _finished(session: Session, ago: timedelta, **overrides: Any) -> Ticket:
    """A ticket that reached its SOP's done stage `ago`."""
    ticket = make_ticket(session, **overrides)
    ticket.stage = workflow(ticket.workflow).done_stage.key
    ticket.stage_entered_at = utcnow() - ago
    session.add(ticket)
    session.commit()
    return ticket


@dataclass
class Office:
    old: Ticket
    recent: Ticket
    working: Ticket
    own_file: Path
    shared_file: Path
    thumbnail: Path
    recent_file: Path
    old_ba: BeritaAcara
    mixed_ba: BeritaAcara
    draft_rendering: Path
    old_sorting: Path
    new_sorting: Path


def _office(session: Session, app: Flask) -> Office:
    """Tickets finished long ago and lately, one still in work, their files, messages and berita acara."""
    media = Path(app.config["MEDIA_PATH"])
    old = _finished(session, LONG_AGO)
    recent = _finished(session, timedelta(days=30), phone="+6281311112222")
    working = make_ticket(session, phone="+6281399998888")
    working.stage_entered_at = utcnow() - LONG_AGO
    session.add(working)
    session.commit()
    own = make_attachment(session, str(media), old, document_pdf("KK lama"), "application/pdf")
    photo = png_bytes()
    shared = make_attachment(session, str(media), old, photo)
    make_attachment(session, str(media), recent, photo)  # the same photo sent again for a later ticket
    recent_own = make_attachment(session, str(media), recent, document_pdf("Akta"), "application/pdf")
    thumb = thumbnail_path(media, str(own.sha256))
    thumb.parent.mkdir(parents=True, exist_ok=True)
    thumb.write_bytes(b"jpeg kecil")
    make_message(session, ticket_id=old.id, body="NIK saya 1806014505900001", reply="Terima kasih",
                 profile_name="Siti")
    make_message(session, ticket_id=old.id, body="ini fotonya", num_media=1)
    make_message(session, ticket_id=recent.id, body="masih diproses?")
    staff = make_staff(session, "kasi_inovasi")
    old_ba = _berita_acara(session, staff.id, 1, [old])
    mixed_ba = _berita_acara(session, staff.id, 2, [_finished(session, LONG_AGO, phone="+6281277771234"), recent])
    laporan = Path(app.config["INSTANCE_PATH"]) / "laporan"
    laporan.mkdir(parents=True, exist_ok=True)
    draft = laporan / f"ba-{old_ba.id}-1767225600000.pdf"
    old_sorting, new_sorting = laporan / "pemilahan-lama0001.pdf", laporan / "pemilahan-baru0001.pdf"
    for path in (draft, old_sorting, new_sorting, laporan / f"ba-{mixed_ba.id}-1767225600000.pdf"):
        path.write_bytes(b"%PDF-1.7 cetakan")
    two_days_ago = (utcnow() - timedelta(days=2)).timestamp()
    os.utime(old_sorting, (two_days_ago, two_days_ago))
    return Office(old, recent, working, media / str(own.storage_path), media / str(shared.storage_path), thumb,
                  media / str(recent_own.storage_path), old_ba, mixed_ba, draft, old_sorting, new_sorting)


def _berita_acara(session: Session, staff_id: int | None, seq: int, tickets: list[Ticket]) -> BeritaAcara:
    made = BeritaAcara(number=f"470/{seq:03d}/BA-UPT/Disdukcapil/2024", year=2024, seq=seq, kecamatan_code="180601",
                       status=BeritaAcaraStatus.RECEIVED_COMPLETE, document_date=date(2024, 1, 5),
                       created_by_id=staff_id or 0, signed_pdf=document_pdf("Berita acara"))
    session.add(made)
    session.commit()
    for position, ticket in enumerate(tickets, start=1):
        session.add(BeritaAcaraItem(berita_acara_id=made.id, ticket_id=ticket.id, position=position,
                                    ticket_number=ticket.number, applicant_name="Siti", service=ticket.service,
                                    nik_masked="1806********0001"))
    session.commit()
    return made


def _snapshot(session: Session) -> tuple[Any, ...]:
    """What the statistics rest on: tickets with their stages, events, attachment and message counts."""
    session.expire_all()
    return (
        [(t.id, t.stage, t.stage_entered_at) for t in session.exec(select(Ticket).order_by(Ticket.id))],
        session.exec(select(func.count()).select_from(StageEvent)).one(),
        [(a.ticket_id, a.content_type, a.size) for a in session.exec(select(Attachment).order_by(Attachment.id))],
        [(m.ticket_id, m.num_media, m.created_at) for m in session.exec(select(Message).order_by(Message.id))],
        session.exec(select(func.count()).select_from(BeritaAcaraItem)).one(),
    )


EXPECTED = {"attachments": 2, "media_files": 1, "thumbnails": 1, "messages": 2, "berita_acara_pdfs": 1,
            "berita_acara_renderings": 1, "sorting_report_renderings": 1}


def _counts(run: RetentionRun) -> dict[str, int]:
    return {k: v for k, v in run.counts.items() if k != "media_bytes"}


def test_a_dry_run_reports_what_it_would_remove_and_changes_nothing(session: Session, app: Flask) -> None:
    office = _office(session, app)
    before = _snapshot(session)
    files = [office.own_file, office.shared_file, office.thumbnail, office.recent_file, office.draft_rendering,
             office.old_sorting, office.new_sorting]

    run = purge(session, app.config, dry_run=True)

    assert run is not None and run.dry_run and run.finished_at is not None
    assert run.tickets == 2 and _counts(run) == EXPECTED
    assert run.counts["media_bytes"] == office.own_file.stat().st_size
    assert _snapshot(session) == before
    assert all(path.exists() for path in files)
    assert session.exec(select(PurgedTicket)).all() == []
    assert [m.body for m in session.exec(select(Message).where(Message.ticket_id == office.old.id))] \
        == ["NIK saya 1806014505900001", "ini fotonya"]
    assert session.get(BeritaAcara, office.old_ba.id).signed_pdf is not None
    assert len(session.exec(select(RetentionRun)).all()) == 1, "the dry run's report is kept"


def test_the_purge_removes_content_keeps_statistics_and_runs_once(session: Session, app: Flask) -> None:
    office = _office(session, app)
    before = _snapshot(session)

    run = purge(session, app.config, dry_run=False)

    assert run is not None and not run.dry_run and run.tickets == 2 and _counts(run) == EXPECTED
    assert _snapshot(session) == before
    assert not office.own_file.exists() and not office.thumbnail.exists() and not office.draft_rendering.exists()
    assert office.shared_file.exists(), "the later ticket still needs the same photo"
    assert office.recent_file.exists() and office.new_sorting.exists() and not office.old_sorting.exists()
    old_files = session.exec(select(Attachment).where(Attachment.ticket_id == office.old.id)).all()
    assert {(a.status, a.storage_path, a.source_url) for a in old_files} == {(AttachmentStatus.PURGED, None, None)}
    assert {a.status for a in session.exec(select(Attachment).where(Attachment.ticket_id == office.recent.id))} \
        == {AttachmentStatus.STORED}
    old_messages = session.exec(select(Message).where(Message.ticket_id == office.old.id)).all()
    assert {(m.body, m.reply, m.profile_name) for m in old_messages} == {("", None, None)}
    assert session.exec(select(Message).where(Message.ticket_id == office.recent.id)).one().body == "masih diproses?"
    assert session.get(BeritaAcara, office.old_ba.id).signed_pdf is None
    assert session.get(BeritaAcara, office.mixed_ba.id).signed_pdf is not None, "it lists a ticket still kept"
    assert office.old.id in [p.ticket_id for p in session.exec(select(PurgedTicket))]

    again = purge(session, app.config, dry_run=False)
    assert again is not None and again.tickets == 0 and again.counts == {}
    assert purge(session, {**app.config, "RETENTION_DAYS_AFTER_DONE": 0}, dry_run=False) is None


def test_staff_see_that_the_content_is_gone(http: requests.Session, session: Session, app: Flask) -> None:
    office = _office(session, app)
    purge(session, app.config, dry_run=False)
    make_staff(session, "kasi_identitas")
    login(http, "kasi-identitas")

    page = http.get(f"/tiket/{office.old.number}").text
    assert "sudah dihapus pada" in page and "Lampiran 1 sudah dihapus karena masa retensi berakhir." in page
    assert "1806014505900001" not in page.split("Percakapan WhatsApp")[1]
    http.cookies.clear()
    login(http, "kasi-inovasi")
    gone = http.get(f"/berita-acara/{office.old_ba.id}/berita-acara.pdf")
    assert gone.status_code == 410 and "sudah dihapus" in gone.text and "%PDF" not in gone.text


def test_the_cli_reports_a_dry_run_and_the_clock_runs_the_purge_nightly(session: Session, app: Flask) -> None:
    _office(session, app)
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["purge-retention", "--dry-run"])

    assert dry.exit_code == 0, dry.output
    assert "Uji coba (tidak ada yang diubah)" in dry.output and "tiket: 2" in dry.output
    assert "file warga dihapus: 1" in dry.output and "PDF berita acara ber-TTE dihapus: 1" in dry.output
    assert session.exec(select(PurgedTicket)).all() == []

    from rq import cron

    import layanan.periodic  # noqa: F401  (declares the clock's jobs)

    [nightly] = [j for j in cron._job_data_registry if j["name"] == "purge-retention"]
    assert nightly["func"] is purge_job and nightly["cron"]
    with app.app_context():
        assert purge_job() == 2
    assert len(session.exec(select(PurgedTicket)).all()) == 2

    app.config["RETENTION_DAYS_AFTER_DONE"] = 0
    off = runner.invoke(args=["purge-retention"])
    assert off.exit_code == 0 and "tidak ada yang dihapus" in off.output
