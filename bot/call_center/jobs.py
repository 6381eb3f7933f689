"""The WhatsApp message a caller gets after the call: ticket number and the documents to send."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from sqlmodel import Session

from bot import catalogue
from bot.call_center.models import CallLog
from bot.outbound import SendRefused, Template, TemplateNotConfigured, send_once
from tickets.messages import Message
from bot.services_catalog import required_documents
from layanan.db import job_session
from layanan.jobs import job_app
from tickets.constants import Service
from tickets.models import Ticket

log = logging.getLogger(__name__)


def send_call_followup(call_id: int) -> str:
    """Job: send the caller their ticket number and document list, once per call."""
    app = job_app()
    with app.app_context(), job_session(app) as session:
        call = session.get(CallLog, call_id)
        if call is None or call.ticket_id is None or call.followup_message_id is not None:
            return "nothing to do"
        ticket = session.get(Ticket, call.ticket_id)
        assert ticket is not None  # enforced by the foreign key
        try:
            message = followup(session, call, ticket)
        except TemplateNotConfigured as exc:
            # No retry can fix configuration: record it where the agent sees it and stop.
            return _problem(session, call, str(exc), "template not configured")
        except SendRefused as exc:  # the message is flagged; the agent calls the caller back
            return _problem(session, call, f"ditolak Twilio (kode {exc.code or exc.status}); hubungi penelepon atau catat ulang",
                            "refused by Twilio")
        call.followup_message_id, call.followup_problem = message.id, None
        session.add(call)
        session.commit()
        return "template" if message.content_sid else "session"


def _problem(session: Session, call: CallLog, problem: str, result: str) -> str:
    call.followup_problem = problem
    session.add(call)
    session.commit()
    log.error("call %s: follow-up not sent: %s", call.id, problem)
    return result


def call_followup_gave_up(job: Any, connection: Any, *exc_info: Any) -> None:
    """RQ failure callback: after the last retry, tell the agent the caller got no message."""
    if job.retries_left:
        return
    app = job_app()
    with app.app_context(), job_session(app) as session:
        call = session.get(CallLog, job.args[0])
        if call is None or call.followup_message_id is not None:
            return
        call.followup_problem = "gagal dikirim lewat Twilio; hubungi penelepon atau catat ulang"
        session.add(call)
        session.commit()


def followup(session: Session, call: CallLog, ticket: Ticket) -> Message:
    """Free-form inside the 24-hour window, otherwise the approved template; once per call."""
    service = Service(ticket.service)
    body = catalogue.render("call_followup", number=ticket.number, service_label=service.label,
                            documents=catalogue.format_documents(service))
    # Template variables may not hold line breaks (WhatsApp refuses them): the list goes on one line.
    documents = "; ".join(required_documents(service))
    template = Template(
        current_app.config["TWILIO_CONTENT_SID_CALL_FOLLOWUP"], {"1": ticket.number, "2": service.label, "3": documents},
        catalogue.render("call_followup_template", number=ticket.number, service_label=service.label,
                         documents=documents))
    return send_once(session, phone=call.phone, key=f"call-{call.id}-followup", body=body, template=template,
                     ticket_id=ticket.id)
