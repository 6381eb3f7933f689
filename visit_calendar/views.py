"""The calendar pages: the month of planned visits for section heads, and its feed for calendar apps."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from layanan import db
from layanan.clock import to_wib, utcnow
from layanan.indonesian_words import month_name
from routing.definition import RoleDuty
from tickets.access import duty_required, duty_roles, user
from tickets.staff_pages import guard
from visit_calendar import feed, tokens
from visit_calendar.month import WEEKDAYS, Month
from visit_calendar.registry import kinds, visits_between

bp = Blueprint("visit_calendar", __name__, url_prefix="/kalender")
guard(bp)
FEED_PAST = timedelta(days=62)  # the feed's window: two months back, a year ahead
FEED_AHEAD = timedelta(days=366)


def reader_roles() -> tuple[str, ...]:
    """Who reads the calendar: the section heads (the SOPs' `supervise` duty) and admin."""
    return duty_roles(RoleDuty.SUPERVISE, admin=True)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    """The back-office menu links the calendar for its readers."""
    return {"visit_calendar_roles": reader_roles()}


@bp.get("/")
@duty_required(RoleDuty.SUPERVISE, admin=True)
def month() -> str:
    """The month's planned visits in a grid, coloured by kind; the feed's address is made here."""
    today = to_wib(utcnow()).date()
    shown = Month.parse(request.args.get("bulan", ""), today)
    weeks = shown.weeks()
    by_day: dict[Any, list[Any]] = {}
    for kind, visit in visits_between(db.session(), weeks[0][0], weeks[-1][-1]):
        by_day.setdefault(visit.day, []).append((kind, visit))
    return render_template("visit_calendar/month.html", shown=shown, weeks=weeks, by_day=by_day, today=today,
                           weekdays=WEEKDAYS, month_name=month_name, kinds=kinds(), has_feed=tokens.has_token(db.session(), user()))


@bp.post("/langganan")
@duty_required(RoleDuty.SUPERVISE, admin=True)
def make_feed() -> BaseResponse:
    """Make (or replace) this account's feed address and show it once."""
    token = tokens.make_token(db.session(), user())
    flash("Alamat langganan kalender (salin sekarang; alamat ini hanya ditampilkan sekali, alamat lama tidak "
          f"berlaku lagi): {current_app.config['PUBLIC_BASE_URL']}{url_for('.ics', token=token)}", "feed")
    return redirect(url_for(".month") + "#langganan", code=303)


@bp.get("/langganan/<token>.ics")
def ics(token: str) -> Response:
    """The feed behind a secret address (calendar apps cannot log in); 404 for an unknown or revoked one."""
    session = db.session()
    owner = tokens.owner(session, token)
    if owner is None or not owner.has_role(*reader_roles()):
        abort(404)
    today = to_wib(utcnow()).date()
    base = str(current_app.config["PUBLIC_BASE_URL"])
    body = feed.ics(visits_between(session, today - FEED_PAST, today + FEED_AHEAD), base,
                    urlsplit(base).hostname or "localhost", utcnow())
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": 'inline; filename="kunjungan-disdukcapil.ics"'})
