"""What every blueprint of staff pages shares: no cached copies of personal data, and the refusal,
not-found and stale-form pages in Bahasa Indonesia."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response


def never_cache(response: Response) -> Response:
    """Staff pages carry personal data: no browser or proxy may keep a copy."""
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response


def forbidden(_exc: Exception) -> tuple[str, int]:
    return render_template("tickets/forbidden.html"), 403


def not_found(_exc: Exception) -> tuple[str, int]:
    return render_template("tickets/not_found.html"), 404


def csrf_failed(_exc: CSRFError) -> tuple[str, int]:
    """A missing or wrong form token: nothing was changed."""
    return render_template("tickets/csrf.html"), 400


def guard(bp: Blueprint) -> None:
    """Give a blueprint of staff pages the shared headers and error pages."""
    bp.after_request(never_cache)
    bp.register_error_handler(403, forbidden)
    bp.register_error_handler(404, not_found)
    bp.register_error_handler(CSRFError, csrf_failed)
