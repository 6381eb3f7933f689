"""The canned replies page (admin only): the texts staff start a message to a citizen from."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse
from flask import Response

from bot.canned_replies import VARIABLES, CannedReply, all_replies, problems
from layanan import db
from layanan.clock import utcnow
from layanan.ids import parse_id
from tickets.access import roles_required, user
from tickets.accounts import ADMIN_ROLE
from tickets.staff_pages import guard

log = logging.getLogger(__name__)
bp = Blueprint("canned_replies", __name__, url_prefix="/admin/balasan-cepat")
guard(bp)


@bp.get("/")
@roles_required(ADMIN_ROLE)
def index() -> str:
    """Every canned reply, and a form for a new one."""
    return _page(None, {}, [])


@bp.post("/")
@roles_required(ADMIN_ROLE)
def save() -> BaseResponse | tuple[str, int]:
    """Add a canned reply, or change one (`id`)."""
    session = db.session()
    reply_id = parse_id(request.form.get("id"))
    stored = session.get(CannedReply, reply_id) if reply_id else None
    if reply_id and stored is None:
        abort(404)
    title = " ".join((request.form.get("title") or "").split())
    body = (request.form.get("body") or "").strip().replace("\r\n", "\n")
    found = problems(title, body)
    if found:
        return _page(stored, {"title": title, "body": body}, found), 422
    stored = stored or CannedReply(title=title, body=body)
    stored.title, stored.body, stored.updated_by_id, stored.updated_at = title, body, user().id, utcnow()
    session.add(stored)
    session.commit()
    log.info("admin %s saved canned reply %s", user().username, stored.id)
    flash(f"Balasan cepat \"{title}\" disimpan.", "ok")
    return redirect(url_for("canned_replies.index"), code=303)


@bp.get("/<id:reply_id>")
@roles_required(ADMIN_ROLE)
def edit(reply_id: int) -> str:
    """One canned reply in the form, to change it."""
    stored = db.session().get(CannedReply, reply_id)
    if stored is None:
        abort(404)
    return _page(stored, {"title": stored.title, "body": stored.body}, [])


@bp.post("/<id:reply_id>/hapus")
@roles_required(ADMIN_ROLE)
def delete(reply_id: int) -> BaseResponse:
    """Remove a canned reply from the reply boxes."""
    session = db.session()
    stored = session.get(CannedReply, reply_id)
    if stored is not None:
        session.delete(stored)
        session.commit()
        flash(f"Balasan cepat \"{stored.title}\" dihapus.", "ok")
    return redirect(url_for("canned_replies.index"), code=303)


@bp.get("/pilih.js")
@roles_required()
def picker_script() -> Response:
    """Puts a chosen canned reply into its reply box (served here: the CSP forbids inline scripts)."""
    return Response(render_template("bot/canned_picker.js"), mimetype="text/javascript")


def _page(editing: CannedReply | None, values: dict[str, str], errors: list[str]) -> str:
    return render_template("bot/canned_replies.html", replies=all_replies(db.session()), editing=editing,
                           values=values, errors=errors, variables=VARIABLES)
