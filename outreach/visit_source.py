"""The scheduled outreach visits on the visits calendar (visit_calendar): who asked, the pekon and kecamatan."""

from __future__ import annotations

from datetime import date

from flask import Flask, url_for
from sqlmodel import Session, col, select

from outreach.models import OutreachRequest
from outreach.services import outreach_definition
from tickets.kecamatan import BY_CODE
from tickets.models import Ticket
from visit_calendar.registry import PlannedVisit, register_visit_source

COLOUR = "#0b6e4f"


def init_app(app: Flask) -> None:
    """Put the scheduled outreach visits on the calendar."""
    register_visit_source(app, "jemput-bola", "Jemput bola (SIJARLA)", COLOUR, planned_visits)


def planned_visits(session: Session, first: date, last: date) -> list[PlannedVisit]:
    """The outreach visits scheduled from `first` to `last`, except cancelled requests."""
    rejected = outreach_definition().rejected_stage
    query = (select(OutreachRequest, Ticket).join(Ticket, col(Ticket.id) == OutreachRequest.ticket_id)
             .where(col(OutreachRequest.scheduled_date) >= first, col(OutreachRequest.scheduled_date) <= last))
    if rejected is not None:
        query = query.where(Ticket.stage != rejected.key)
    return [PlannedVisit(day=request.scheduled_date, title=f"Jemput bola {request.requester}",  # type: ignore[arg-type]
                         place=f"{request.pekon}, Kec. " + (BY_CODE[request.kecamatan_code].name
                                                            if request.kecamatan_code in BY_CODE
                                                            else request.kecamatan_code),
                         path=url_for("outreach.detail", request_id=request.id), uid=f"jemput-bola-{request.id}")
            for request, ticket in session.exec(query)]
