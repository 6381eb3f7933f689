"""The back office's UI toolkit: Bootstrap 5 served by this app from the installed package, never a CDN."""

from __future__ import annotations

from flask import Flask
from flask_bootstrap import Bootstrap5

bootstrap = Bootstrap5()


def init_app(app: Flask) -> None:
    """Serve Bootstrap's CSS and JS bundle from this app (the CSP allows scripts and styles from 'self' only)."""
    app.config["BOOTSTRAP_SERVE_LOCAL"] = True
    bootstrap.init_app(app)
