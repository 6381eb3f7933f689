"""The inbox page (grouped by kind, mark one or all read) and the staff member's own digest settings."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from layanan import db
from layanan.clock import utcnow
from tickets import inbox
from tickets.access import roles_required, user
from tickets.inbox_settings import DEFAULT_TIME, apply, may_get_digest, read_digest_fields
from tickets.staff_pages import guard

bp = Blueprint("inbox", __name__, url_prefix="/kotak-masuk")
guard(bp)


@bp.get("")
@roles_required()
def index() -> str:
    """What waits for the logged-in staff member, newest first in each group; items since the last visit marked new."""
    session, account = db.session(), user()
    groups = inbox.unread_groups(session, account)
    before = inbox.opened(session, account)
    return render_template("tickets/inbox.html", groups=groups, last_opened=before, now=utcnow(),
                           ago=relative_time, digest=may_get_digest(account))


@bp.post("/baca")
@roles_required()
def mark_one() -> Response:
    """Mark one item read."""
    kind, ref = request.form.get("kind", ""), request.form.get("ref", "")
    if kind and ref:
        inbox.mark_read(db.session(), user(), kind, ref)
    return redirect(url_for("inbox.index"), code=303)


@bp.post("/baca-semua")
@roles_required()
def mark_all() -> Response:
    """Mark everything in the inbox read."""
    inbox.mark_all_read(db.session(), user())
    flash("Semua pemberitahuan ditandai sudah dibaca.", "ok")
    return redirect(url_for("inbox.index"), code=303)


@bp.route("/ringkasan-harian", methods=["GET", "POST"])
@roles_required()
def digest_settings() -> Response | str | tuple[str, int]:
    """The staff member's own WhatsApp number and daily digest choice."""
    account = user()
    if request.method == "GET":
        return render_template("tickets/inbox_settings.html", choice=None, account=account, errors={},
                               digest=may_get_digest(account), default_time=DEFAULT_TIME)
    choice = read_digest_fields(request.form, account)
    if choice.errors:
        return render_template("tickets/inbox_settings.html", choice=choice, account=account, errors=choice.errors,
                               digest=may_get_digest(account), default_time=DEFAULT_TIME), 422
    apply(account, choice)
    session = db.session()
    session.add(account)
    session.commit()
    flash("Pengaturan ringkasan harian tersimpan.", "ok")
    return redirect(url_for("inbox.digest_settings"), code=303)


def relative_time(moment: datetime, now: datetime) -> str:
    """How long ago, as people say it: "baru saja", "5 menit lalu", "3 jam lalu", "kemarin", "4 hari lalu"."""
    seconds = (now - moment).total_seconds()
    if seconds < 0:
        return "baru saja"
    minutes = int(seconds // 60)
    if minutes < 1:
        return "baru saja"
    if minutes < 60:
        return f"{minutes} menit lalu"
    hours = minutes // 60
    if hours < 24:
        return f"{hours} jam lalu"
    days = hours // 24
    return "kemarin" if days == 1 else f"{days} hari lalu"
