"""The dashboard's outreach chart: residents served per kecamatan by the visits held in the period.

Registered with the dashboard (tickets.dashboard_views.register_panel); shown for the outreach SOP only. A
resident recorded by name counts in his or her own kecamatan (a visit may serve neighbouring pekon); a visit
recorded before that, as counts per service, counts in the visit's kecamatan. Visits are counted in the
kecamatan they went to; cancelled requests do not count.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, url_for
from sqlmodel import Session, col, select

from outreach.models import OutreachPerson, OutreachRequest
from outreach.services import outreach_definition
from routing.definition import Definition
from tickets import charts
from tickets.dashboard_queries import Period
from tickets.dashboard_views import Builder, Panel, register_panel
from tickets.kecamatan import BY_CODE
from tickets.models import Ticket

KEY = "jemput-bola-per-kecamatan"


def init_app(app: Flask) -> None:
    """Add the outreach chart to the dashboard."""
    register_panel(app, KEY, per_kecamatan)


@dataclass
class Row:
    code: str
    name: str
    visits: int = 0
    reported: int = 0  # visits with their results recorded
    served: int = 0


def counts(session: Session, definition: Definition, period: Period) -> list[Row]:
    """Per kecamatan with a visit scheduled in the period: visits, visits reported, residents served."""
    query = (select(OutreachRequest).join(Ticket, col(Ticket.id) == OutreachRequest.ticket_id)
             .where(col(OutreachRequest.scheduled_date) >= period.first,
                    col(OutreachRequest.scheduled_date) <= period.last))
    if definition.rejected_stage is not None:
        query = query.where(Ticket.stage != definition.rejected_stage.key)
    rows: dict[str, Row] = {}

    def row(code: str) -> Row:
        return rows.setdefault(code, Row(code, BY_CODE[code].name if code in BY_CODE else code))

    requests = list(session.exec(query))
    people = session.exec(select(OutreachPerson.request_id, OutreachPerson.kecamatan_code).where(
        col(OutreachPerson.request_id).in_([r.id for r in requests]))).all() if requests else []
    with_people = {request_id for request_id, _ in people}
    for request_id, code in people:
        row(code).served += 1
    for request in requests:
        visited = row(request.kecamatan_code)
        visited.visits += 1
        visited.reported += request.results_at is not None
        if request.id not in with_people:
            visited.served += sum(request.results.values())
    return sorted(rows.values(), key=lambda r: (-r.served, r.name))


def per_kecamatan(b: Builder) -> Panel | None:
    """Residents served per kecamatan by the outreach visits of the period, the most first."""
    definition = outreach_definition()
    if b.definition.key != definition.key:
        return None
    rows = counts(b.session, definition, b.period)
    bars = [charts.Bar(r.name, r.served, f"{charts.number(r.served)} warga · {r.visits} kunjungan"
                       + (f" ({r.visits - r.reported} belum lapor)" if r.reported < r.visits else ""))
            for r in rows]
    title = "Warga terlayani jemput bola per kecamatan"
    month = b.period.first.strftime("%Y-%m")
    return Panel(KEY, title, f"Kunjungan jemput bola yang dijadwalkan {b.period.label}: jumlah warga yang "
                 "dilayani menurut laporan ketua tim.",
                 charts.horizontal_bars(title, bars, description="; ".join(f"{x.label}: {x.text}" for x in bars)),
                 ("kode_kecamatan", "kecamatan", "kunjungan", "kunjungan_dilaporkan", "warga_dilayani"),
                 [(r.code, r.name, r.visits, r.reported, r.served) for r in rows],
                 links=((f"Rekap bulanan {month}", url_for("outreach.report", bulan=month)),))
