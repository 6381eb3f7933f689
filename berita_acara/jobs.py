"""Rendering PDFs in the worker: a large berita acara takes seconds, which a web request should not hold.

A rendering is kept under INSTANCE_PATH/laporan/<key>.pdf; the key names what was rendered and from
which state, so a finished file is served again and a changed draft gets a new one. The pages ask for a
rendering through `layanan.renderings.request` (the outbox: with Redis down it waits in the database for the
sweeper, as every background job does).
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

from flask import current_app

from berita_acara.document import build_document
from berita_acara.models import BeritaAcara
from berita_acara import register_book
from berita_acara.render import Person, berita_acara_pdf, register_book_pdf, sorting_report_pdf
from berita_acara.sorting import Period, batch_report, period_report
from berita_acara.stages import handover_chains
from layanan import renderings
from layanan.db import job_session
from layanan.jobs import job_app
from tickets.staff import StaffUser

_KEY = re.compile(r"^[a-z0-9-]{8,80}$")
RENDERINGS = "laporan"  # the folder of renderings, under INSTANCE_PATH


def rendering_path(key: str) -> Path:
    """Where the rendering with this key is kept (keys are checked: they come from URLs)."""
    if not _KEY.match(key):
        raise ValueError("kunci berkas laporan tidak sah")
    return Path(current_app.config["INSTANCE_PATH"]) / RENDERINGS / f"{key}.pdf"


def draft_key(berita_acara: BeritaAcara) -> str:
    """The key of a draft's rendering: it changes whenever the draft does."""
    return f"ba-{berita_acara.id}-{int(berita_acara.updated_at.timestamp() * 1000)}"


def render_berita_acara(key: str, ba_id: int) -> None:
    """Render a draft berita acara to its file."""
    app = job_app()
    with app.app_context(), job_session(app) as session:
        berita_acara = session.get(BeritaAcara, ba_id)
        if berita_acara is None:
            return  # deleted meanwhile: nothing to render
        _store(key, berita_acara_pdf(build_document(session, berita_acara)))


def render_sorting_report(key: str, first: str | None, last: str | None, sorter_id: int | None,
                          number: str | None) -> None:
    """Render the numbered sorting report for a period (ISO dates) or, without dates, the current batch,
    signed by the sorter (blank lines to sign by hand without one)."""
    app = job_app()
    with app.app_context(), job_session(app) as session:
        if first and last:
            report = period_report(session, Period(date.fromisoformat(first), date.fromisoformat(last)))
        else:
            report = batch_report(session)
        sorter = session.get(StaffUser, sorter_id) if sorter_id else None
        _store(key, sorting_report_pdf(report, report_signatory(sorter), number))


def report_signatory(sorter: StaffUser | None) -> Person:
    """The sorting report's signatory: the sorter's name and NIP under the name of his role in the SOP."""
    chains = handover_chains()
    chain = next((c for c in chains if sorter is not None and sorter.has_role(str(c.sorting.role))), chains[0])
    label = chain.definition.role(str(chain.sorting.role)).name
    return Person(label, sorter.full_name, sorter.nip) if sorter else Person(label)


def _store(key: str, data: bytes) -> None:
    path = rendering_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_bytes(data)
    partial.replace(path)  # atomic: a reader sees no file or the whole file


def render_register_book(key: str, year: int) -> None:
    """Render the year's registration book."""
    app = job_app()
    with app.app_context(), job_session(app) as session:
        _store(key, register_book_pdf(year, register_book.entries(session, year)))
