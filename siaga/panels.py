"""The dashboard's Siaga chart: the open reports by how long they have waited since they came in, oldest first.

Registered with the dashboard (tickets.dashboard_views.register_panel); shown for the Siaga SOP only. It shows
the state now, whatever the period: vulnerable residents waiting long are what the section head must see.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask, url_for
from sqlmodel import Session, col, select

from routing.definition import Definition
from siaga.services import siaga_definition
from tickets import charts
from tickets.dashboard_views import Builder, Panel, register_panel
from tickets.models import Ticket

KEY = "siaga-menunggu"
# (label, waited at least, waited less than), oldest first; the first two are past a week and drawn in red.
BUCKETS: tuple[tuple[str, timedelta, timedelta | None], ...] = (
    ("Lebih dari 14 hari", timedelta(days=15), None),
    ("8–14 hari", timedelta(days=8), timedelta(days=15)),
    ("4–7 hari", timedelta(days=4), timedelta(days=8)),
    ("1–3 hari", timedelta(days=1), timedelta(days=4)),
    ("Kurang dari 1 hari", timedelta(0), timedelta(days=1)),
)
LATE_BUCKETS = 2


def init_app(app: Flask) -> None:
    """Add the Siaga chart to the dashboard."""
    register_panel(app, KEY, waiting)


def ages(session: Session, definition: Definition, now: datetime) -> list[timedelta]:
    """How long each open report has waited since it came in, the longest first."""
    closed = [s.key for s in definition.stages if s.is_terminal]
    created = session.exec(select(Ticket.created_at).where(Ticket.workflow == definition.key,
                                                           col(Ticket.stage).not_in(closed))).all()
    return sorted((now - moment for moment in created), reverse=True)


def bucketed(waited: list[timedelta]) -> list[tuple[str, int, int | None]]:
    """(bucket, reports, the oldest's whole days) for each bucket, oldest bucket first."""
    rows = []
    for label, least, below in BUCKETS:
        inside = [w for w in waited if w >= least and (below is None or w < below)]
        rows.append((label, len(inside), max(inside).days if inside else None))
    return rows


def waiting(b: Builder) -> Panel | None:
    """Open Siaga reports per waiting time, the longest waits first."""
    definition = siaga_definition()
    if b.definition.key != definition.key:
        return None
    waited = ages(b.session, definition, b.now)
    rows = bucketed(waited)
    bars = [charts.Bar(label, n, charts.number(n) + (f" (terlama {days} hari)" if n and days else ""),
                       highlight=i < LATE_BUCKETS and n > 0)
            for i, (label, n, days) in enumerate(rows)]
    title = "Laporan Siaga terbuka menurut lama menunggu"
    oldest = f" Terlama: {waited[0].days} hari." if waited else ""
    return Panel(KEY, title, f"{charts.number(len(waited))} laporan belum selesai saat ini, dihitung sejak laporan "
                 f"masuk; merah: lebih dari seminggu.{oldest}",
                 charts.horizontal_bars(title, bars, description="; ".join(f"{x.label}: {x.text}" for x in bars)),
                 ("lama_menunggu", "laporan_terbuka", "terlama_hari"),
                 [(label, n, "" if days is None else days) for label, n, days in rows],
                 links=(("Antrean Siaga", url_for("siaga.queue")),))
