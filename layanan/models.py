"""Imports every table module so the metadata is complete (for Alembic and tests)."""

import berita_acara.models  # noqa: F401
import bot.call_center.models  # noqa: F401
import bot.consent  # noqa: F401
import bot.deletion_requests  # noqa: F401
import bot.canned_replies  # noqa: F401
import bot.pending_replies  # noqa: F401
import bot.simulator_models  # noqa: F401
import bot.survey  # noqa: F401
import bot.faq_store  # noqa: F401
import bot.upt_directory  # noqa: F401
import campaigns.models  # noqa: F401
import complaints.models  # noqa: F401
import outreach.assignment_letter_models  # noqa: F401
import outreach.models  # noqa: F401
import tickets.messages  # noqa: F401
import layanan.outbox  # noqa: F401
import pdf_delivery.delivery_models  # noqa: F401
import pdf_delivery.models  # noqa: F401
import siaga.models  # noqa: F401
import tickets.assignment  # noqa: F401
import tickets.audit  # noqa: F401
import tickets.inbox_models  # noqa: F401
import tickets.models  # noqa: F401
import tickets.retention  # noqa: F401
import tickets.staff  # noqa: F401
import visit_calendar.models  # noqa: F401
