"""The Siaga home visits on the visits calendar (visit_calendar), named by their pekon: the calendar and its
feed reach people who need not know who the vulnerable resident is."""

from __future__ import annotations

from datetime import date

from flask import Flask, url_for
from sqlmodel import Session, col, select

from siaga.models import SiagaReport
from siaga.services import siaga_definition
from tickets.kecamatan import BY_CODE
from tickets.models import Ticket
from visit_calendar.registry import PlannedVisit, register_visit_source

COLOUR = "#b5488f"
TITLE = "Kunjungan Dukcapil Siaga"


def init_app(app: Flask) -> None:
    """Put the scheduled home visits on the calendar."""
    register_visit_source(app, "siaga", "Dukcapil Siaga", COLOUR, planned_visits)


def planned_visits(session: Session, first: date, last: date) -> list[PlannedVisit]:
    """The home visits scheduled from `first` to `last`, except those of rejected reports."""
    rejected = siaga_definition().rejected_stage
    query = (select(SiagaReport, Ticket).join(Ticket, col(Ticket.id) == SiagaReport.ticket_id)
             .where(col(SiagaReport.visit_date) >= first, col(SiagaReport.visit_date) <= last))
    if rejected is not None:
        query = query.where(Ticket.stage != rejected.key)
    return [PlannedVisit(day=report.visit_date, title=TITLE, place=_place(report, ticket),  # type: ignore[arg-type]
                         path=url_for("siaga.report", number=ticket.number), uid=f"siaga-{report.id}")
            for report, ticket in session.exec(query)]


def _place(report: SiagaReport, ticket: Ticket) -> str:
    kecamatan = BY_CODE[ticket.kecamatan_code].name if ticket.kecamatan_code in BY_CODE else None
    return f"Pekon {report.pekon}" + (f", Kec. {kecamatan}" if kecamatan else "")
