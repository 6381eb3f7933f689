"""The pages every unmatched or failed request gets, in Bahasa Indonesia; blueprints may answer their own."""

from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException


def init_app(app: Flask) -> None:
    """Answer an unknown URL with the Indonesian not-found page, a page or action the account's roles do not
    allow with the Indonesian refusal, and an unexpected failure with the Indonesian error page, instead of
    Werkzeug's English ones."""
    app.register_error_handler(403, _forbidden)
    app.register_error_handler(404, _not_found)
    app.register_error_handler(405, _not_found)  # a form's address opened as a page: no page there either
    app.register_error_handler(500, _server_error)


def _forbidden(_exc: HTTPException) -> tuple[str, int]:
    return render_template("tickets/forbidden.html"), 403


def _not_found(exc: HTTPException) -> tuple[str, int]:
    return render_template("tickets/not_found.html"), exc.code or 404


def _server_error(_exc: Exception) -> tuple[str, int]:
    # A page of its own that needs neither the database nor a login: what failed may be either of them.
    return render_template("layanan/server_error.html"), 500
