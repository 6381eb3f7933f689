"""What the berita acara keeps of finished tickets, removed when their retention ends (see tickets.retention).

A berita acara lists many tickets: its signed PDF and its draft renderings go once every ticket it lists is
past retention; its row and items (numbers, who received what) stay for the statistics. Sorting reports are
rendered for one download: a rendering older than a day is removed with each run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Select, exists, func, update
from sqlmodel import Session, col, select

from berita_acara.jobs import RENDERINGS
from berita_acara.models import BeritaAcara, BeritaAcaraItem
from layanan.clock import utcnow

LABELS = {
    "berita_acara_pdfs": "PDF berita acara ber-TTE dihapus",
    "berita_acara_renderings": "cetakan konsep berita acara dihapus",
    "sorting_report_renderings": "cetakan laporan pemilahan dihapus",
}
SORTING_REPORT_KEPT = timedelta(days=1)
_DRAFT = re.compile(r"^ba-(\d+)-\d+\.pdf$")


def purge_reports(session: Session, config: Mapping[str, Any], expired: Select, dry_run: bool) -> dict[str, int]:
    """Remove the signed PDF and renderings of every berita acara whose tickets are all past retention, and
    sorting report renderings older than a day; count them (and only count them in a dry run)."""
    item = col(BeritaAcaraItem.berita_acara_id) == col(BeritaAcara.id)
    finished = exists().where(item) & ~exists().where(item, col(BeritaAcaraItem.ticket_id).not_in(expired))
    holding = finished & col(BeritaAcara.signed_pdf).is_not(None)
    counts = {"berita_acara_pdfs": session.exec(select(func.count()).select_from(BeritaAcara).where(holding)).one()}
    if not dry_run and counts["berita_acara_pdfs"]:
        session.execute(update(BeritaAcara).where(holding).values(signed_pdf=None))
        session.commit()
    folder = Path(config["INSTANCE_PATH"]) / RENDERINGS
    files = sorted(folder.glob("*.pdf")) if folder.is_dir() else []
    drafts: dict[int, list[Path]] = {}
    for f in files:
        if (m := _DRAFT.match(f.name)):
            drafts.setdefault(int(m.group(1)), []).append(f)
    done = set(session.exec(select(BeritaAcara.id).where(finished, col(BeritaAcara.id).in_(list(drafts)))).all()) \
        if drafts else set()
    old = (utcnow() - SORTING_REPORT_KEPT).timestamp()
    gone = {
        "berita_acara_renderings": [f for ba_id in done for f in drafts[ba_id]],
        "sorting_report_renderings": [f for f in files if f.name.startswith("pemilahan-") and f.stat().st_mtime < old],
    }
    for key, paths in gone.items():
        counts[key] = len(paths)
        if not dry_run:
            for path in paths:
                path.unlink(missing_ok=True)
    return {key: value for key, value in counts.items() if value}
