"""Rate limits (Flask-Limiter) kept in the app's Redis, so every web process counts together; in each
process's memory while Redis is unreachable."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address

LOGIN_ENDPOINT = "auth.login"


def storage_uri(redis_url: str | None) -> str:
    """The limits storage URI for the app's Redis URL.

    Without REDIS_URL the process runs its own embedded Redis, started only when first needed;
    such a process is alone anyway (`layanan.serve` hands web and worker a REDIS_URL), so its
    counters can live in memory.
    """
    if not redis_url:
        return "memory://"
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url[len("unix://"):]
    return redis_url


def login_account_key() -> str:
    """The account a login attempt is aimed at, however it is typed."""
    return "akun:" + request.form.get("username", "").strip().lower()[:80]


def login_ip_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_IP"]


def login_account_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


def failed_login(response) -> bool:  # type: ignore[no-untyped-def]
    """Only failed attempts count: a good login answers with a redirect."""
    return response.status_code != 302


def _too_many(exc: RateLimitExceeded) -> tuple[str, int]:
    return render_template("auth/rate_limited.html"), 429


def init_app(app: Flask) -> None:
    """Limit failed logins per account and per IP address, counted in the app's Redis.

    Called after the blueprints are registered: the limits wrap the login view of this app. Each
    app gets its own Limiter, because a Limiter keeps the storage of the app it was bound to.
    """
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage_uri(app.config.get("REDIS_URL")))
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 2, "socket_timeout": 2})
    # Redis unreachable: the same limits counted in this process's memory (Flask-Limiter tries Redis again
    # now and then), so guessing is still slowed down and staff are not locked out.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    limiter = Limiter(key_func=get_remote_address, key_prefix="batas", headers_enabled=True)
    limiter.init_app(app)
    app.extensions["layanan_limiter"] = limiter
    login = app.view_functions[LOGIN_ENDPOINT]
    login = limiter.limit(login_ip_limit, methods=["POST"], deduct_when=failed_login, scope="ip")(login)
    login = limiter.limit(login_account_limit, key_func=login_account_key, methods=["POST"],
                          deduct_when=failed_login, scope="akun")(login)
    app.view_functions[LOGIN_ENDPOINT] = login
    app.register_error_handler(RateLimitExceeded, _too_many)
