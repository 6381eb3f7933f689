"""The visit's results report rendered to PDF in the worker."""

from __future__ import annotations

from flask import render_template

from berita_acara.render import office, render_pdf
from layanan import renderings
from layanan.clock import WIB, utcnow
from layanan.db import job_session
from layanan.indonesian_words import long_date
from layanan.jobs import job_app
from outreach.models import OutreachRequest
from outreach.people import category_label, visit_report
from tickets.kecamatan import BY_CODE
from tickets.privacy import mask_nik

TITLE = "Laporan Pelaksanaan Jemput Bola (SIJARLA)"


def render_results(key: str, request_id: int) -> None:
    """Render the visit's residents by pekon and result, with totals, under the letterhead (NIK masked: a
    printed paper travels)."""
    app = job_app()
    with app.app_context(), job_session(app) as session:
        found = session.get(OutreachRequest, request_id)
        if found is None:
            return
        report = visit_report(session, found)
        html = render_template(
            "outreach/results_pdf.html", report=report, req=found, office=office(), title=TITLE,
            label=category_label, nik=lambda p: mask_nik(p.nik) if p.nik else "-",
            kecamatan=lambda code: BY_CODE[code].name if code in BY_CODE else code,
            printed_on=long_date(utcnow().astimezone(WIB).date()))
        renderings.store(key, render_pdf(html))
