"""Layanan Pengaduan Online: the application factory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from layanan import settings
from layanan.settings import PROJECT_ROOT

def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the web application; nothing connects to the database or Redis until it is used."""
    from layanan import security

    security.keep_files_private()  # before the instance folder is made: web, worker and CLI alike
    cfg = settings.load(config)
    security.make_private(security.private_paths(cfg))  # files left from before
    app = Flask(
        __name__,
        instance_path=cfg["INSTANCE_PATH"],
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(cfg)
    from layanan.clock import format_wib
    from tickets.privacy import mask_nik_text_filter

    app.jinja_env.filters["wib"] = format_wib
    app.jinja_env.filters["mask_nik_text"] = mask_nik_text_filter  # free text for readers without the full NIK

    from layanan import db, errors, ids, logs, queue, ui

    ids.init_app(app)  # the `<id:...>` URL converter, before any blueprint's routes
    logs.init_app(app)
    db.init_app(app)
    queue.init_app(app)
    security.init_app(app)
    errors.init_app(app)  # Indonesian pages for unknown URLs and failures
    ui.init_app(app)  # Bootstrap, served locally

    from berita_acara import hooks as berita_acara_hooks
    from bot import hooks as bot_hooks
    from campaigns import hooks as campaign_hooks
    from complaints import hooks as complaints_hooks
    from outreach import hooks as outreach_hooks
    from siaga import hooks as siaga_hooks
    from bot import pending_replies
    from pdf_delivery import hooks as pdf_delivery_hooks
    from tickets import assignment, events, inbox

    events.init_app(app)  # features hook into the ticket core through these
    inbox.init_app(app)  # each staff member's inbox; features add their kinds of items
    bot_hooks.init_app(app)
    pdf_delivery_hooks.init_app(app)
    berita_acara_hooks.init_app(app)
    complaints_hooks.init_app(app)
    campaign_hooks.init_app(app)
    siaga_hooks.init_app(app)
    outreach_hooks.init_app(app)
    assignment.init_app(app)  # automatic assignment as tickets enter a stage
    pending_replies.init_app(app)  # staff replies kept outside the 24-hour window go out when the citizen writes

    from berita_acara.views import bp as berita_acara_bp
    from bot.api import bp as api_bp
    from bot.call_center.api import bp as call_center_api_bp
    from bot.call_center.views import bp as call_center_bp
    from bot.help_desk_views import bp as help_desk_bp
    from bot.simulator import bp as simulator_bp
    from bot.status_page import bp as status_page_bp
    from bot.faq_views import bp as faq_bp
    from bot.upt_directory_views import bp as upt_directory_bp
    from bot import webhooks
    from campaigns.views import bp as campaigns_bp
    from layanan.health import bp as health_bp
    from layanan.renderings import bp as renderings_bp
    from pdf_delivery.signing_views import bp as signing_bp
    from pekon.views import bp as pekon_bp
    from complaints.recap_views import bp as complaint_reports_bp
    from complaints.views import bp as complaints_bp
    from bot.ticket_reply import bp as ticket_reply_bp
    from bot.canned_replies_views import bp as canned_replies_bp
    from tickets.assignment_views import bp as assignment_bp
    from pdf_delivery.delivery_views import bp as pdf_sending_bp
    from tickets.admin_views import bp as admin_bp
    from tickets.villages_views import bp as villages_bp
    from tickets.audit_views import bp as audit_bp
    from tickets.auth_views import bp as auth_bp
    from tickets.dashboard_views import bp as dashboard_bp
    from tickets.inbox_views import bp as inbox_bp
    from tickets.views import bp as backoffice_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(renderings_bp)
    webhooks.init_app(app)  # with the inbound messages' path before Flask
    app.register_blueprint(api_bp)
    app.register_blueprint(simulator_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(backoffice_bp)
    app.register_blueprint(inbox_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(villages_bp)
    app.register_blueprint(berita_acara_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(pdf_sending_bp)
    app.register_blueprint(call_center_bp)
    app.register_blueprint(call_center_api_bp)
    app.register_blueprint(help_desk_bp)
    app.register_blueprint(signing_bp)
    app.register_blueprint(pekon_bp)
    app.register_blueprint(status_page_bp)
    app.register_blueprint(upt_directory_bp)
    app.register_blueprint(faq_bp)
    app.register_blueprint(complaint_reports_bp)
    app.register_blueprint(complaints_bp)
    app.register_blueprint(ticket_reply_bp)
    app.register_blueprint(canned_replies_bp)
    app.register_blueprint(assignment_bp)
    app.register_blueprint(campaigns_bp)

    from outreach.views import bp as outreach_bp
    from siaga.views import bp as siaga_bp

    app.register_blueprint(siaga_bp)
    app.register_blueprint(outreach_bp)

    from outreach.assignment_letter_views import bp as assignment_letter_bp
    from visit_calendar.views import bp as visit_calendar_bp

    app.register_blueprint(assignment_letter_bp)
    app.register_blueprint(visit_calendar_bp)

    from complaints import panels as complaint_panels

    complaint_panels.init_app(app)  # the dashboard's complaint charts

    from campaigns import panels as campaign_panels, visit_source as campaign_visits
    from outreach import panels as outreach_panels, visit_source as outreach_visits
    from siaga import panels as siaga_panels, visit_source as siaga_visits

    for feature in (campaign_visits, siaga_visits, outreach_visits):
        feature.init_app(app)  # the visits calendar's sources, each with its colour
    for feature in (campaign_panels, outreach_panels, siaga_panels):
        feature.init_app(app)  # the dashboard's outreach charts

    from bot import consent, skm_views, survey
    from bot.deletion_requests import bp as deletion_requests_bp

    survey.init_app(app)  # the satisfaction survey: closing note, invitation, answers
    consent.init_app(app)  # the privacy notice, `privasi` and `hapus data`
    skm_views.init_app(app)  # the dashboard's SKM chart
    app.register_blueprint(skm_views.bp)
    app.register_blueprint(deletion_requests_bp)

    from layanan import rate_limits

    rate_limits.init_app(app)  # after the blueprints: it wraps the login view

    from bot import status_page

    status_page.init_app(app)  # with the limiter made just above

    from layanan.cli import register_commands

    register_commands(app)
    return app
