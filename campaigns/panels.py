"""The dashboard's school campaign chart: per kecamatan, the visits done and the students recorded on them.

Registered with the dashboard (tickets.dashboard_views.register_panel); shown for the school campaign SOP only.
A visit is done when its ticket reached the SOP's done stage; a student counts as recorded when the team
recorded him or her at the visit (not one recorded before, nor a duplicate of a student listed earlier).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, url_for
from sqlmodel import Session, col, select

from campaigns.models import School, SchoolVisit, Student, StudentStatus
from campaigns.services import campaign_definition
from routing.definition import Definition
from tickets import charts
from tickets.dashboard_queries import Period
from tickets.dashboard_views import Builder, Panel, register_panel
from tickets.kecamatan import BY_CODE
from tickets.models import Ticket

KEY = "sekolah-per-kecamatan"


def init_app(app: Flask) -> None:
    """Add the campaign chart to the dashboard."""
    register_panel(app, KEY, per_kecamatan)


@dataclass
class Row:
    code: str
    name: str
    visits: int = 0
    done: int = 0
    recorded: int = 0


def counts(session: Session, definition: Definition, period: Period) -> list[Row]:
    """Per kecamatan with a visit dated in the period: visits, visits done, students recorded; by kecamatan name."""
    done_stage = definition.done_stage.key
    visits = session.exec(
        select(SchoolVisit.id, School.kecamatan_code, Ticket.stage)
        .join(School, col(School.id) == SchoolVisit.school_id).join(Ticket, col(Ticket.id) == SchoolVisit.ticket_id)
        .where(SchoolVisit.visit_date >= period.first, SchoolVisit.visit_date <= period.last)).all()
    rows: dict[str, Row] = {}
    kecamatan_of: dict[int, str] = {}
    for visit_id, code, stage in visits:
        row = rows.setdefault(code, Row(code, BY_CODE[code].name if code in BY_CODE else code))
        row.visits += 1
        row.done += stage == done_stage
        kecamatan_of[int(visit_id)] = code
    if kecamatan_of:
        recorded = session.exec(select(Student.visit_id).where(
            col(Student.visit_id).in_(kecamatan_of), Student.status == StudentStatus.RECORDED,
            col(Student.duplicate_of_id).is_(None))).all()
        for visit_id in recorded:
            rows[kecamatan_of[visit_id]].recorded += 1
    return sorted(rows.values(), key=lambda r: r.name)


def per_kecamatan(b: Builder) -> Panel | None:
    """Visits done and students recorded per kecamatan, for visits dated in the period."""
    definition = campaign_definition()
    if b.definition.key != definition.key:
        return None
    rows = counts(b.session, definition, b.period)
    bars = [charts.Bar(r.name, r.recorded, f"{charts.number(r.recorded)} siswa · {r.done}/{r.visits} kunjungan selesai")
            for r in rows]
    title = "Perekaman di sekolah per kecamatan"
    return Panel(KEY, title, f"Kunjungan sekolah bertanggal {b.period.label}: siswa yang direkam tim pada "
                 "kunjungan itu, dan kunjungan yang sudah selesai dari yang terjadwal.",
                 charts.horizontal_bars(title, bars, description="; ".join(f"{x.label}: {x.text}" for x in bars)),
                 ("kode_kecamatan", "kecamatan", "kunjungan", "kunjungan_selesai", "siswa_direkam"),
                 [(r.code, r.name, r.visits, r.done, r.recorded) for r in rows],
                 links=((f"Laporan perekaman sekolah {b.period.first.year}",
                         url_for("campaigns.report", tahun=b.period.first.year)),))
