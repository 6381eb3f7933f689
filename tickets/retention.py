"""Retention (UU 27/2022 PDP): what is kept of a finished ticket once RETENTION_DAYS_AFTER_DONE have passed.

A ticket is finished when it reaches its SOP's done or rejected stage; the days count from then. The purge
removes the citizen's files (the stored file, its thumbnail and the attachment row's storage), the bodies of
the ticket's WhatsApp messages, and through the features' purgers what they rendered from such tickets (the
berita acara PDFs). It keeps the statistics: the ticket rows, stage events, attachment and message rows with
their counts, sizes and types. Each run writes a RetentionRun row with what it removed, or in a dry run what
it would remove without changing anything else.

Features register a purger with `add_purger(app, purger, labels)`: purger(session, config, expired, dry_run)
-> counts by key, where `expired` selects the ids of every ticket finished before the cutoff (purged in this
run or before); it commits its own changes and is idempotent (counting nothing the second time). `labels`
name its count keys in the report.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import JSON, Column, Select, and_, exists, false, func, or_, update
from sqlmodel import Field, Session, SQLModel, col, select

from layanan.clock import format_wib, utcnow
from layanan.images import thumbnail_path
from routing import definitions
from tickets.constants import AttachmentStatus
from tickets.messages import Attachment, Message
from tickets.models import Ticket
from tickets.types import UTCDateTime

log = logging.getLogger(__name__)
EXTENSION = "retention_purgers"
LABELS_EXTENSION = "retention_count_labels"
BATCH = 200  # tickets per transaction

Purger = Callable[[Session, Mapping[str, Any], Select, bool], Mapping[str, int]]


class RetentionRun(SQLModel, table=True):
    """One run of the purge, real or dry: what it removed, or would have removed."""

    __tablename__ = "retention_run"
    id: int | None = Field(default=None, primary_key=True)
    dry_run: bool
    retention_days: int
    cutoff: datetime = Field(sa_type=UTCDateTime)  # tickets finished before this were purged
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    tickets: int = Field(default=0)
    # What was (or would be) removed, by kind: files, bytes, messages, reports ...
    counts: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class PurgedTicket(SQLModel, table=True):
    """A finished ticket whose personal content is gone; its row, stage events and counts stay."""

    __tablename__ = "purged_ticket"
    ticket_id: int = Field(foreign_key="ticket.id", primary_key=True)
    run_id: int = Field(foreign_key="retention_run.id", index=True)
    purged_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# What a run's counts mean, as the CLI and the README name them.
COUNT_LABELS = {
    "attachments": "lampiran dikosongkan",
    "media_files": "file warga dihapus",
    "media_bytes": "byte file warga",
    "thumbnails": "gambar kecil dihapus",
    "messages": "isi pesan WhatsApp dihapus",
}


def add_purger(app: Flask, purger: Purger, labels: Mapping[str, str]) -> None:
    """Let a feature remove, with each run, what it keeps of finished tickets; labels name its counts."""
    app.extensions.setdefault(EXTENSION, []).append(purger)
    app.extensions.setdefault(LABELS_EXTENSION, {}).update(labels)


def finished_before(cutoff: datetime) -> Any:
    """Tickets in their SOP's done or rejected stage, entered before the cutoff."""
    terminal = or_(false(), *[
        and_(col(Ticket.workflow) == d.key, col(Ticket.stage).in_([s.key for s in d.stages if s.is_terminal]))
        for d in definitions()])
    return and_(terminal, col(Ticket.stage_entered_at) < cutoff)


def expired_ticket_ids(cutoff: datetime, only: Any = None) -> Select:
    """The ids of every ticket finished before the cutoff (of those `only` selects, when given)."""
    return select(Ticket.id).where(finished_before(cutoff), *(() if only is None else (only,)))


def purged_at(session: Session, ticket_id: int | None) -> datetime | None:
    """When the ticket's personal content was purged, if it was."""
    row = session.get(PurgedTicket, ticket_id) if ticket_id is not None else None
    return row.purged_at if row else None


def purge(session: Session, config: Mapping[str, Any], *, dry_run: bool, now: datetime | None = None,
          batch: int = BATCH, only: Any = None) -> RetentionRun | None:
    """Purge the tickets finished more than RETENTION_DAYS_AFTER_DONE ago (none when it is 0) and record the
    run; a dry run records what it would remove and changes nothing else. Commits per batch of tickets.
    `only` (a condition on Ticket) purges just those tickets, as soon as they are finished: a citizen's
    approved request to delete their data."""
    days = int(config["RETENTION_DAYS_AFTER_DONE"])
    if days <= 0 and only is None:
        return None
    now = now or utcnow()
    cutoff = now if only is not None else now - timedelta(days=days)
    run = RetentionRun(dry_run=dry_run, retention_days=days, cutoff=cutoff, started_at=now)
    session.add(run)
    session.commit()
    counts: Counter[str] = Counter()
    after = 0
    while True:
        ids = list(session.exec(
            expired_ticket_ids(run.cutoff, only).where(
                col(Ticket.id) > after, ~exists().where(col(PurgedTicket.ticket_id) == col(Ticket.id)))
            .order_by(col(Ticket.id)).limit(batch)).all())
        if not ids:
            break
        after = ids[-1]
        counts.update(_purge_messages(session, ids, dry_run))
        counts.update(_purge_attachments(session, Path(config["MEDIA_PATH"]), ids, dry_run))
        run.tickets += len(ids)
        if not dry_run:
            session.add_all(PurgedTicket(ticket_id=i, run_id=run.id, purged_at=now) for i in ids)
        session.commit()
    for purger in current_app.extensions.get(EXTENSION, []):
        counts.update(purger(session, config, expired_ticket_ids(run.cutoff, only), dry_run))
    run.counts = {key: value for key, value in sorted(counts.items())}
    run.finished_at = utcnow()
    session.add(run)
    session.commit()
    log.info("retention %s: %d ticket(s) finished before %s, %s", "dry run" if dry_run else "purge",
             run.tickets, run.cutoff.date().isoformat(), run.counts)
    return run


def _purge_messages(session: Session, ids: list[int], dry_run: bool) -> dict[str, int]:
    """Empty the body, the bot's reply and the sender's profile name of the tickets' WhatsApp messages."""
    holding = and_(col(Message.ticket_id).in_(ids),
                   or_(col(Message.body) != "", col(Message.reply).is_not(None), col(Message.profile_name).is_not(None)))
    if dry_run:
        return {"messages": session.exec(select(func.count()).select_from(Message).where(holding)).one()}
    done = session.execute(update(Message).where(holding).values(body="", reply=None, profile_name=None))
    return {"messages": done.rowcount}


def _purge_attachments(session: Session, root: Path, ids: list[int], dry_run: bool) -> dict[str, int]:
    """Delete the tickets' stored files (and thumbnails) no other attachment still needs, and empty the rows'
    storage; the rows keep their type and size."""
    rows = list(session.exec(select(Attachment).where(col(Attachment.ticket_id).in_(ids),
                                                      col(Attachment.storage_path).is_not(None))).all())
    if not rows:
        return {}
    paths = {str(a.storage_path) for a in rows}
    # Files are stored by content: another ticket (or a draft) may hold the same file.
    shared = set(session.exec(select(Attachment.storage_path).where(
        col(Attachment.storage_path).in_(paths),
        or_(col(Attachment.ticket_id).is_(None), col(Attachment.ticket_id).not_in(ids)))).all())
    counts = Counter({"attachments": len(rows)})
    media = root.resolve()
    digests = {str(a.storage_path): a.sha256 for a in rows}
    for relative in sorted(paths - shared):
        path = (media / relative).resolve()
        if path.is_relative_to(media) and path.is_file():
            counts["media_files"] += 1
            counts["media_bytes"] += path.stat().st_size
            if not dry_run:
                path.unlink()
        digest = digests.get(relative)
        thumb = thumbnail_path(media, digest) if digest else None
        if thumb is not None and thumb.is_file():
            counts["thumbnails"] += 1
            if not dry_run:
                thumb.unlink()
    if not dry_run:
        for attachment in rows:
            attachment.storage_path = None
            attachment.source_url = None
            attachment.status = AttachmentStatus.PURGED
            session.add(attachment)
    return dict(counts)


def describe(run: RetentionRun | None) -> str:
    """The run's report in a few Indonesian lines (for the CLI and the job's log)."""
    if run is None:
        return "Masa retensi tidak diatur (RETENTION_DAYS_AFTER_DONE = 0): tidak ada yang dihapus."
    verb = "akan dihapus" if run.dry_run else "dihapus"
    lines = [f"{'Uji coba (tidak ada yang diubah)' if run.dry_run else 'Pembersihan'}: tiket selesai sebelum "
             f"{format_wib(run.cutoff)} WIB (masa retensi {run.retention_days} hari).",
             f"  tiket: {run.tickets}"]
    labels = {**COUNT_LABELS, **current_app.extensions.get(LABELS_EXTENSION, {})}
    for key, value in run.counts.items():
        lines.append(f"  {labels.get(key, key)}: {value}")
    lines.append(f"Laporan tersimpan sebagai run #{run.id}; {verb} seperti di atas.")
    return "\n".join(lines)


def purge_job() -> int:
    """Job (run nightly by the clock process): purge what is past retention; returns the tickets purged."""
    from layanan.db import job_session
    from layanan.jobs import job_app

    app = job_app()
    with app.app_context(), job_session(app) as session:
        run = purge(session, app.config, dry_run=False)
        return run.tickets if run else 0


@click.command("purge-retention")
@click.option("--dry-run", is_flag=True, help="Hanya laporkan apa yang akan dihapus; tidak ada yang diubah.")
@with_appcontext
def purge_retention_command(dry_run: bool) -> None:
    """Remove files, message bodies and rendered reports of tickets finished longer ago than the retention period."""
    from layanan import db

    click.echo(describe(purge(db.session(), current_app.config, dry_run=dry_run)))
