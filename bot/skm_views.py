"""The SKM for those who supervise: the index per period, service and kecamatan on the dashboard and as a PDF
report under the office letterhead (/skm/laporan?dari=&sampai=), and the citizens' suggestions (/skm/saran)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, Response, current_app, render_template, url_for
from sqlmodel import Session, col, select

from berita_acara.render import Person, office, render_pdf
from bot.skm import ELEMENTS, Index, decimal, index_of
from bot.survey import SurveyResponse, SurveyStatus, answered_between
from layanan import db
from layanan.clock import WIB, utcnow
from routing.definition import RoleDuty
from tickets import charts
from tickets import dashboard_queries as q
from tickets.access import duty_required
from tickets.constants import Service
from tickets.dashboard_views import Builder, Panel, period_from_request, register_panel
from tickets.kecamatan import BY_CODE
from tickets.models import Ticket
from tickets.staff_pages import guard

bp = Blueprint("skm", __name__, url_prefix="/skm")
guard(bp)
TITLE = "Laporan Survei Kepuasan Masyarakat"
NO_KECAMATAN = "Tanpa kecamatan"
SUGGESTIONS_PAGE = 100


def init_app(app: Flask) -> None:
    """The dashboard's SKM chart."""
    register_panel(app, "skm", skm_panel)


@dataclass(frozen=True)
class Group:
    label: str
    index: Index | None


@dataclass(frozen=True)
class Report:
    """The SKM of a period: over all, per service and per kecamatan."""

    period: q.Period
    made_at: datetime
    overall: Index | None
    services: tuple[Group, ...]
    kecamatan: tuple[Group, ...]


def _complete(rows: Sequence[SurveyResponse]) -> list[tuple[int, ...]]:
    return [tuple(int(v or 0) for v in r.answers()) for r in rows]


def _grouped(rows: Sequence[SurveyResponse], key: Callable[[SurveyResponse], str]) -> tuple[Group, ...]:
    groups: dict[str, list[SurveyResponse]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return tuple(Group(label, index_of(_complete(found))) for label, found in sorted(groups.items()))


def _service_label(row: SurveyResponse) -> str:
    try:
        return Service(row.service).label
    except ValueError:
        return row.service


def _kecamatan_name(row: SurveyResponse) -> str:
    found = BY_CODE.get(row.kecamatan_code or "")
    return found.name if found else NO_KECAMATAN


def build_report(session: Session, period: q.Period, now: datetime, workflow: str | None = None) -> Report:
    """The SKM of the surveys filled in the period (of one SOP's tickets, when named)."""
    rows = answered_between(session, *period.bounds())
    if workflow is not None:
        rows = [r for r in rows if r.workflow == workflow]
    return Report(period, now, index_of(_complete(rows)), _grouped(rows, _service_label),
                  _grouped(rows, _kecamatan_name))


def skm_panel(b: Builder) -> Panel | None:
    """SKM per service and kecamatan for the chosen SOP's tickets; links the PDF report and the suggestions.
    None (no chart) while no survey of the SOP's tickets was filled in the period."""
    report = build_report(b.session, b.period, b.now, b.definition.key)
    if report.overall is None:
        return None
    rows = [("Semua layanan", report.overall)] + [(f"Layanan: {g.label}", g.index) for g in report.services] \
        + [(f"Kec. {g.label}", g.index) for g in report.kecamatan]
    bars = [charts.Bar(label, float(index.skm), f"{decimal(index.skm)} ({index.grade.letter}, "
                       f"{charts.number(index.respondents)} responden)", highlight=index.grade.letter in "CD")
            for label, index in rows if index is not None]
    title = "Indeks Kepuasan Masyarakat (SKM)"
    args = {"dari": b.period.first.isoformat(), "sampai": b.period.last.isoformat()}
    return Panel("skm", title, f"Survei yang diisi warga {b.period.label}, dihitung menurut PermenPANRB 14/2017 "
                 "(skala 25-100; A ≥ 88,31, B ≥ 76,61, C ≥ 65,00, D di bawahnya); merah: mutu C atau D.",
                 charts.horizontal_bars(title, bars, description="; ".join(f"{x.label}: {x.text}" for x in bars),
                                        maximum=100),
                 ("kelompok", "responden", "skm", "mutu"),
                 [(label, index.respondents, f"{float(index.skm):.2f}", index.grade.letter)
                  for label, index in rows if index is not None],
                 links=(("Laporan SKM (PDF)", url_for("skm.report_pdf", **args)),
                        ("Saran dari warga", url_for("skm.suggestions")),
                        ("Permintaan hapus data", url_for("deletion_requests.index"))))


@bp.get("/laporan")
@duty_required(RoleDuty.SUPERVISE, admin=True)
def report_pdf() -> Response:
    """The SKM of the period (this month by default) as an A4 PDF under the letterhead, signed by the head."""
    period, error = period_from_request()
    if error:
        return Response(error, status=400, mimetype="text/plain")
    report = build_report(db.session(), period, utcnow())
    body = render_pdf(render_template("bot/skm_report_pdf.html", report=report, title=TITLE, office=office(),
                                      elements=ELEMENTS, decimal=decimal, signatory=_head(current_app.config),
                                      made_at=_made_at(report.made_at),
                                      printed_on=q.indonesian_date(report.made_at.astimezone(WIB).date())))
    name = f"skm-{period.first.isoformat()}_{period.last.isoformat()}.pdf"
    return Response(body, content_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _head(config: Any) -> Person:
    nip = str(config.get("SIGNER_NIP") or "").strip()
    return Person(str(config["SIGNER_TITLE"]), str(config["SIGNER_NAME"]), nip if nip not in ("", "-") else None)


def _made_at(moment: datetime) -> str:
    local = moment.astimezone(WIB)
    return f"{q.indonesian_date(local.date())} pukul {local:%H.%M} WIB"


@bp.get("/saran")
@duty_required(RoleDuty.SUPERVISE, admin=True)
def suggestions() -> str:
    """The citizens' suggestions, newest first, with the ticket they are about (NIKs masked)."""
    session = db.session()
    rows = session.exec(select(SurveyResponse, Ticket.number).join(Ticket, col(Ticket.id) == SurveyResponse.ticket_id)
                        .where(SurveyResponse.status == SurveyStatus.COMPLETE,
                               col(SurveyResponse.suggestion).is_not(None))
                        .order_by(col(SurveyResponse.completed_at).desc()).limit(SUGGESTIONS_PAGE)).all()
    return render_template("bot/skm_suggestions.html", rows=rows, service_label=_service_label,
                           kecamatan_name=_kecamatan_name, limit=SUGGESTIONS_PAGE)
