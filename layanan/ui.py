"""The back office's UI toolkit, served by this app from installed packages, never a CDN: Bootstrap 5 from
the Bootstrap-Flask package, htmx from the npm package `htmx.org` (installed by `npm ci`)."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, Flask, abort, send_from_directory, url_for
from flask_bootstrap import Bootstrap5
from werkzeug.wrappers import Response

from layanan.settings import PROJECT_ROOT

bootstrap = Bootstrap5()
HTMX_DIST = PROJECT_ROOT / "node_modules" / "htmx.org" / "dist"
YEAR = 365 * 24 * 3600

assets = Blueprint("assets", __name__)


def htmx_version(dist: Path = HTMX_DIST) -> str:
    """The installed htmx's version (part of its URL, so a new version is fetched at once); "0" if missing."""
    try:
        return str(json.loads((dist.parent / "package.json").read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return "0"


@assets.get("/aset/htmx-<version>.min.js")
def htmx_script(version: str) -> Response:
    """htmx from the installed package; the versioned address may be cached for a year."""
    if version != htmx_version() or not (HTMX_DIST / "htmx.min.js").is_file():
        abort(404)
    response = send_from_directory(HTMX_DIST, "htmx.min.js", mimetype="text/javascript", max_age=YEAR)
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response


def init_app(app: Flask) -> None:
    """Serve Bootstrap's CSS and JS bundle and htmx from this app (the CSP allows scripts and styles from
    'self' only)."""
    app.config["BOOTSTRAP_SERVE_LOCAL"] = True
    bootstrap.init_app(app)
    app.register_blueprint(assets)
    version = htmx_version()
    app.jinja_env.globals["htmx_src"] = lambda: url_for("assets.htmx_script", version=version)
