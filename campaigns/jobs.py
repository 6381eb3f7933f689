"""The campaign's PDFs rendered in the worker: the year's report and the school's berita acara draft."""

from __future__ import annotations

from layanan import renderings
from layanan.clock import utcnow
from layanan.db import job_session
from layanan.jobs import job_app
from campaigns.handover import handover_pdf
from campaigns.models import SchoolVisit
from campaigns.report import build_report, report_pdf


def render_report(key: str, year: int) -> None:
    """Render the year's campaign report."""
    app = job_app()
    with app.app_context(), job_session(app) as session:
        renderings.store(key, report_pdf(build_report(session, year, utcnow())))


def render_handover(key: str, visit_id: int) -> None:
    """Render the school's berita acara as it stands (a draft until signed)."""
    app = job_app()
    with app.app_context(), job_session(app) as session:
        visit = session.get(SchoolVisit, visit_id)
        if visit is not None:
            renderings.store(key, handover_pdf(session, visit))
