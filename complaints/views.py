"""The complaint desk: the queue per unit, the canned answers, and the complaint panel of the ticket page
with its LAPOR! tracking number."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from complaints import canned, dispositions, lapor
from complaints import queue as complaint_queue
from complaints.definitions import (answer_output, chosen, desk_roles, editor_roles, is_complaint_workflow,
                                    options_of, value_of)
from complaints.models import CannedAnswer
from layanan import db
from layanan.clock import utcnow
from routing import workflow
from routing.definition import OutputMeaning, StageDuty
from tickets import services
from tickets.access import can_view_ticket, roles_required, sees_identity, user
from tickets.detail import OUTPUT_PREFIX, TimelineItem
from tickets.models import Ticket
from tickets.staff_pages import guard

log = logging.getLogger(__name__)
bp = Blueprint("complaints", __name__, url_prefix="/pengaduan")
guard(bp)


def only(roles: tuple[str, ...]) -> None:
    """Refuse (403) a logged-in account holding none of these roles (asked per request, from the SOPs)."""
    if not user().has_role(*roles):
        abort(403)


@bp.app_context_processor
def complaint_desk_helpers() -> dict[str, Any]:
    """The back-office menu links the complaint queue for the complaint SOPs' roles and the administrator."""
    return {"complaint_desk_roles": desk_roles(), "canned_answer_editor_roles": editor_roles()}


@bp.get("/")
@roles_required()
def queue() -> str:
    """Open complaints: those not yet disposed, or those of one unit, overdue first, then by deadline."""
    only(desk_roles())
    session = db.session()
    account = user()
    now = utcnow()
    tabs = complaint_queue.tabs(session, now)
    unit = request.args.get("unit", complaint_queue.UNDISPOSED)
    if unit not in {t.unit for t in tabs}:
        abort(404)
    rows = complaint_queue.rows(session, unit, now, lambda ticket: sees_identity(account, ticket))
    return render_template("complaints/queue.html", tabs=tabs, unit=unit, rows=rows,
                           undisposed=complaint_queue.UNDISPOSED)


@bp.get("/jawaban-baku")
@roles_required()
def canned_answers() -> str:
    """Every canned answer, the active ones first."""
    only(editor_roles())
    return render_template("complaints/canned_list.html", answers=canned.every_answer(db.session()))


@bp.route("/jawaban-baku/baru", methods=["GET", "POST"])
@roles_required()
def canned_create() -> BaseResponse | str | tuple[str, int]:
    """Write a new canned answer."""
    only(editor_roles())
    return _canned_form(None)


@bp.route("/jawaban-baku/<id:answer_id>", methods=["GET", "POST"])
@roles_required()
def canned_edit(answer_id: int) -> BaseResponse | str | tuple[str, int]:
    """Change a canned answer."""
    only(editor_roles())
    return _canned_form(_canned(answer_id))


@bp.post("/jawaban-baku/<id:answer_id>/status")
@roles_required()
def canned_status(answer_id: int) -> BaseResponse:
    """Stop offering a canned answer, or offer it again."""
    only(editor_roles())
    answer = _canned(answer_id)
    active = request.form.get("active") == "1"
    canned.set_active(db.session(), answer, active, user().id)
    flash(f"Jawaban baku \"{answer.title}\" {'diaktifkan kembali' if active else 'dinonaktifkan'}.", "ok")
    return redirect(url_for("complaints.canned_answers"), code=303)


def _canned(answer_id: int) -> CannedAnswer:
    answer = db.session().get(CannedAnswer, answer_id)
    if answer is None:
        abort(404)
    return answer


def _canned_form(answer: CannedAnswer | None) -> BaseResponse | str | tuple[str, int]:
    """The create or edit form; a checked POST saves and goes back to the list."""
    page = {"answer": answer, "categories": options_of(OutputMeaning.CATEGORY), "body_max": canned.body_max(),
            "title_max": canned.TITLE_MAX}
    if request.method == "GET":
        return render_template("complaints/canned_form.html", form=answer, errors={}, **page)
    form = canned.read_form(request.form)
    if form.errors:
        return render_template("complaints/canned_form.html", form=form, errors=form.errors, **page), 422
    saved = canned.save(db.session(), answer, form, user().id)
    log.info("staff %s saved canned answer %s", user().username, saved.id)
    flash(f"Jawaban baku \"{saved.title}\" tersimpan.", "ok")
    return redirect(url_for("complaints.canned_answers"), code=303)


@bp.post("/<number>/lapor")
@roles_required()
def record_lapor(number: str) -> BaseResponse:
    """Record or change the SP4N-LAPOR! tracking number of a complaint (its SOP's roles only)."""
    only(desk_roles())
    session = db.session()
    ticket = services.get_by_number(session, number)
    if ticket is None or not is_complaint_workflow(workflow(ticket.workflow)):
        abort(404)
    if not _records_lapor(ticket):
        abort(403)
    tracking = lapor.parse_tracking_number(request.form.get("tracking_number"))
    if tracking is None:
        flash(f"Nomor pelacakan LAPOR! wajib diisi: huruf dan angka (boleh dengan tanda - . /), paling banyak "
              f"{lapor.MAX_LENGTH} karakter.", "error")
    else:
        lapor.record(session, int(ticket.id or 0), tracking, user().id)
        log.info("staff %s recorded the LAPOR! number of %s", user().username, ticket.number)
        flash(f"Nomor pelacakan LAPOR! {tracking} tercatat untuk {ticket.number}.", "ok")
    return redirect(url_for("backoffice.ticket_detail", number=ticket.number) + "#pengaduan", code=303)


def _records_lapor(ticket: Ticket) -> bool:
    """Whether the user may record the ticket's LAPOR! number: its SOP's roles, on a ticket they may open."""
    account = user()
    return can_view_ticket(account, ticket) and account.has_role(*(r.key for r in workflow(ticket.workflow).roles))


@bp.app_template_global()
def complaint_panel(ticket: Ticket, can_advance: bool, timeline: list[TimelineItem]) -> dict[str, Any] | None:
    """For the ticket page (its related tickets are the core's section): what was chosen, the timeline of dispositions
    (from the page's timeline), the LAPOR! number and, at the answer stage for whoever may write the answer,
    the canned answers."""
    definition = workflow(ticket.workflow)
    if not is_complaint_workflow(definition):
        return None
    session = db.session()
    answering = (can_advance and definition.has_duty(StageDuty.ANSWER)
                 and ticket.stage == definition.stage_for(StageDuty.ANSWER).key)
    return {
        "chosen": chosen(definition, ticket.outputs),
        "dispositions": dispositions.entries(session, definition, ticket, timeline),
        "lapor": lapor.recorded(session, int(ticket.id or 0)),
        "may_record_lapor": _records_lapor(ticket),
        "lapor_max": lapor.MAX_LENGTH,
        "canned": canned.offered(session, value_of(definition, ticket.outputs, OutputMeaning.CATEGORY))
        if answering else [],
        "answer_field": OUTPUT_PREFIX + answer_output(definition).key if answering else None,
    }


@bp.get("/jawaban-baku.js")
def picker_script() -> Response:
    """Puts a chosen canned answer into the answer field (served here: the CSP forbids inline scripts)."""
    return Response(render_template("complaints/picker.js"), mimetype="text/javascript")
