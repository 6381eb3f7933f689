"""The school visits on the visits calendar (visit_calendar): the school and its kecamatan."""

from __future__ import annotations

from datetime import date

from flask import Flask, url_for
from sqlmodel import Session, col, select

from campaigns.models import School, SchoolVisit
from tickets.kecamatan import BY_CODE
from visit_calendar.registry import PlannedVisit, register_visit_source

COLOUR = "#2f6fb0"


def init_app(app: Flask) -> None:
    """Put the planned school visits on the calendar."""
    register_visit_source(app, "sekolah", "Perekaman KTP-el di sekolah", COLOUR, planned_visits)


def planned_visits(session: Session, first: date, last: date) -> list[PlannedVisit]:
    """The school visits dated from `first` to `last`."""
    rows = session.exec(select(SchoolVisit, School).join(School, col(School.id) == SchoolVisit.school_id)
                        .where(SchoolVisit.visit_date >= first, SchoolVisit.visit_date <= last))
    return [PlannedVisit(day=visit.visit_date, title=f"Perekaman KTP-el {school.name}",
                         place=f"Kec. {BY_CODE[school.kecamatan_code].name}" if school.kecamatan_code in BY_CODE
                         else school.kecamatan_code,
                         path=url_for("campaigns.visit", visit_id=visit.id), uid=f"sekolah-{visit.id}")
            for visit, school in rows]
