"""Logging staff in and out.

Failed logins are throttled per account name (`layanan.rate_limits.LoginThrottle`): a few free failures,
then a doubling wait. A browser the account logged in from before carries a signed pass for it (a cookie
only the login page reads, void once the password changes) and skips the wait, so someone guessing never
keeps the owner out of their usual browser; the owner is told of the failures at the next login.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import secrets
from urllib.parse import urlsplit

from flask import (Blueprint, current_app, flash, get_template_attribute, redirect, render_template, request,
                   url_for)
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFError
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import update
from sqlmodel import col, select
from werkzeug.wrappers import Response

from layanan import db
from layanan.clock import format_wib, utcnow
from layanan.rate_limits import login_name, login_throttle
from tickets.access import home_endpoint, user
from tickets.accounts import MIN_PASSWORD_LENGTH, end_sessions, hash_password, password_problem, verify_password
from tickets.staff import StaffUser

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__)
MESSAGES = "auth/messages.txt"
KNOWN_BROWSER_COOKIE = "peramban_dikenal"
KNOWN_BROWSER_DAYS = 180
KNOWN_BROWSER_ACCOUNTS = 5  # a shared office computer remembers this many accounts


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
def login() -> Response | str | tuple[str, int, dict[str, str]]:
    """The login form; a good username and password open the user's queue (or the local `next` page)."""
    next_target = safe_next(request.values.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_target or url_for(home_endpoint(user())))
    failed = False
    username = ""
    if request.method == "POST":
        username = login_name(request.form.get("username", ""))
        password = request.form.get("password", "")
        account = db.session().exec(select(StaffUser).where(col(StaffUser.username) == username)).first()
        throttle = login_throttle()
        browser = _known_browser(account)
        if browser is not None and not throttle.browser_trusted(browser):
            browser = None  # this browser failed too often itself: it waits like any other
        if browser is None:
            wait = throttle.admit(username)
            if wait:
                log.info("login for %r held for %d s", username[:60], wait)
                return render_template("auth/rate_limited.html", wait=wait), 429, {"Retry-After": str(wait)}
        good = verify_password(account or _dummy_account(), password)
        if account is not None and good and account.active:
            if browser is None:
                throttle.succeeded(username)  # a known browser's login says nothing of the failures elsewhere
            _tell_of_failures(account)
            login_user(account)
            log.info("staff %s logged in", account.username)
            response = redirect(next_target or url_for(home_endpoint(account)))
            _remember_browser(response, account)
            return response
        # One message for unknown name, wrong password and inactive account: nothing to probe.
        log.info("failed login for %r", username[:60])
        if browser is not None:
            throttle.browser_failed(browser)
        if account is not None:
            _count_failure(account)
        failed = True
    return render_template("auth/login.html", failed=failed, username=username, next=next_target)


def _tell_of_failures(account: StaffUser) -> None:
    """Show the account holder the failed logins since their last good one, then forget them."""
    if account.failed_logins and account.failed_login_since is not None:
        notice = get_template_attribute(MESSAGES, "failed_logins")
        flash(notice(count=account.failed_logins, since=format_wib(account.failed_login_since)), "error")
    account.failed_logins, account.failed_login_since = 0, None
    db.session().add(account)
    db.session().commit()


def _count_failure(account: StaffUser) -> None:
    """One more failed login for the account holder to hear about (counted in the database, atomically)."""
    session = db.session()
    session.exec(update(StaffUser).where(col(StaffUser.id) == account.id)
                 .values(failed_logins=col(StaffUser.failed_logins) + 1))
    session.exec(update(StaffUser).where(col(StaffUser.id) == account.id, col(StaffUser.failed_login_since).is_(None))
                 .values(failed_login_since=utcnow()))
    session.commit()


def _browser_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="peramban-dikenal")


def _password_mark(account: StaffUser) -> str:
    """Changes with the password: a browser's pass ends when the password is reset."""
    return hashlib.sha256(account.password_hash.encode()).hexdigest()[:16]


def _browser_passes() -> list[list]:
    """The passes this browser holds: [account id, password mark, browser id] each."""
    raw = request.cookies.get(KNOWN_BROWSER_COOKIE)
    if not raw:
        return []
    try:
        passes = _browser_serializer().loads(raw, max_age=KNOWN_BROWSER_DAYS * 86400)
    except BadData:
        return []
    if not isinstance(passes, list):
        return []
    return [p for p in passes if isinstance(p, list) and len(p) == 3 and all(isinstance(v, (int, str)) for v in p)]


def _known_browser(account: StaffUser | None) -> str | None:
    """This browser's id, if it logged in to the account before with its current password."""
    if account is None:
        return None
    for account_id, mark, browser in _browser_passes():
        if account_id == account.id and hmac.compare_digest(str(mark), _password_mark(account)):
            return str(browser)
    return None


def _remember_browser(response: Response, account: StaffUser) -> None:
    """Give the browser a fresh pass for the account (a new id: its failures so far are left behind)."""
    passes = [p for p in _browser_passes() if p[0] != account.id][-(KNOWN_BROWSER_ACCOUNTS - 1):]
    passes.append([account.id, _password_mark(account), secrets.token_urlsafe(16)])
    response.set_cookie(KNOWN_BROWSER_COOKIE, _browser_serializer().dumps(passes),
                        max_age=KNOWN_BROWSER_DAYS * 86400, path=url_for("auth.login"), httponly=True,
                        secure=current_app.config["SESSION_COOKIE_SECURE"], samesite="Lax")


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


@bp.route("/akun/sandi", methods=["GET", "POST"])
@login_required
def change_password() -> Response | str | tuple[str, int]:
    """The staff member's own new password: the current one first; every other session of theirs ends."""
    if request.method == "GET":
        return render_template("auth/password.html", errors={}, min_password=MIN_PASSWORD_LENGTH)
    account = user()
    errors = _new_password_errors(account)
    if errors:
        return render_template("auth/password.html", errors=errors, min_password=MIN_PASSWORD_LENGTH), 422
    account.password_hash = hash_password(request.form["password"])
    end_sessions(account)
    db.session().add(account)
    db.session().commit()
    login_user(account)  # this session goes on
    log.info("staff %s changed their password", account.username)
    flash(get_template_attribute(MESSAGES, "password_changed")())
    response = redirect(url_for(home_endpoint(account)), code=303)
    _remember_browser(response, account)  # the pass of this browser follows the new password
    return response


def _new_password_errors(account: StaffUser) -> dict[str, str]:
    """What is wrong with the form: the current password (guesses held like logins), then the new one."""
    throttle = login_throttle()
    wait = throttle.admit(account.username)
    if wait:
        return {"current_password": "held"}
    if not verify_password(account, request.form.get("current_password", "")):
        return {"current_password": "wrong"}
    throttle.succeeded(account.username)
    password = request.form.get("password", "")
    problem = password_problem(password, account.username)
    if problem is not None:
        return {"password": problem.value}
    if password != request.form.get("password_confirm", ""):
        return {"password": "mismatch"}
    return {}


@bp.errorhandler(CSRFError)
def csrf_failed(_exc: CSRFError) -> tuple[str, int]:
    """An expired or missing form token: ask to reload instead of a bare error."""
    return render_template("tickets/csrf.html"), 400
