"""Login, CSRF protection and security headers for every response."""

from __future__ import annotations

from flask import Flask, Response
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Silakan masuk terlebih dahulu."
login_manager.session_protection = "strong"


@login_manager.user_loader
def _load_user(user_id: str):  # type: ignore[no-untyped-def]
    from layanan import db
    from tickets.staff import StaffUser

    user = db.session().get(StaffUser, int(user_id))
    return user if user is not None and user.active else None


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    )
    return response


def init_app(app: Flask) -> None:
    """CSRF on every form (webhooks and the token API opt out), login sessions, headers."""
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_SECURE", app.config["PUBLIC_BASE_URL"].startswith("https://"))
    csrf.init_app(app)
    login_manager.init_app(app)
    app.after_request(_security_headers)
