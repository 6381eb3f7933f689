"""Logging staff in and out."""

from __future__ import annotations

import functools
import logging
from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError
from sqlmodel import col, select
from werkzeug.wrappers import Response

from layanan import db
from tickets.access import home_endpoint, user
from tickets.accounts import end_sessions, hash_password, verify_password
from tickets.staff import StaffUser

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__)


@functools.cache
def _dummy_account() -> StaffUser:
    """Verified against when the username is unknown, so a wrong name costs as long as a wrong password."""
    return StaffUser(username="", full_name="", password_hash=hash_password("tidak-ada-akun-ini"))


def safe_next(target: str | None) -> str | None:
    """The `next` target if it is a path on this site; None for anything that could leave it."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ch.isspace() or ord(ch) < 32 for ch in target):
        return None  # browsers drop tabs and newlines, which would turn "/\t/host" into "//host"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/masuk", methods=["GET", "POST"])
def login() -> Response | str:
    """The login form; a good username and password open the user's queue (or the local `next` page)."""
    next_target = safe_next(request.values.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_target or url_for(home_endpoint(user())))
    failed = False
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "").strip().lower()
        password = request.form.get("password", "")
        account = db.session().exec(select(StaffUser).where(col(StaffUser.username) == username)).first()
        good = verify_password(account or _dummy_account(), password)
        if account is not None and good and account.active:
            login_user(account)
            log.info("staff %s logged in", account.username)
            return redirect(next_target or url_for(home_endpoint(account)))
        # One message for unknown name, wrong password and inactive account: nothing to probe.
        log.info("failed login for %r", username[:60])
        failed = True
    return render_template("auth/login.html", failed=failed, username=username, next=next_target)


@bp.post("/keluar")
def logout() -> Response:
    """End the session, and every copy of it, and go back to the login page."""
    if current_user.is_authenticated:
        account = user()
        end_sessions(account)
        db.session().add(account)
        db.session().commit()
        log.info("staff %s logged out", account.username)
    logout_user()
    return redirect(url_for("auth.login"))


@bp.errorhandler(CSRFError)
def csrf_failed(_exc: CSRFError) -> tuple[str, int]:
    """An expired or missing form token: ask to reload instead of a bare error."""
    return render_template("tickets/csrf.html"), 400
