"""Login, CSRF protection and security headers for every response."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, render_template, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger(__name__)
csrf = CSRFProtect()
# Files and folders this service creates are its user's alone: citizens' data, keys, the database.
PRIVATE_UMASK = 0o077
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Silakan masuk terlebih dahulu."
login_manager.session_protection = "strong"


@login_manager.user_loader
def _load_user(login_id: str):  # type: ignore[no-untyped-def]
    """The account of a session, if it is active and the session is not older than its session version."""
    from layanan import db
    from tickets.staff import StaffUser

    user_id, _, version = login_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None  # a session from before session versions: log in again
    user = db.session().get(StaffUser, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def keep_files_private() -> None:
    """From now on every file this process (and each child it starts) creates is 0600, each folder 0700."""
    os.umask(PRIVATE_UMASK)


def private_paths(config: Mapping[str, Any]) -> list[Path]:
    """The folders and files holding the service's data: the instance folder, the media, outbox and
    document folders, and an SQLite database with its journal files, wherever they are configured."""
    paths = [Path(config[key]) for key in ("INSTANCE_PATH", "MEDIA_PATH", "OUTBOX_PATH", "DOCUMENTS_PATH")
             if config.get(key)]
    url = str(config.get("DATABASE_URL") or "")
    if url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        database = Path(url.removeprefix("sqlite:///"))
        paths += [database, *(database.with_name(database.name + end) for end in ("-journal", "-wal", "-shm"))]
    return paths


def _tree(root: Path) -> Iterator[str]:
    yield str(root)
    if root.is_dir() and not root.is_symlink():
        for folder, dirs, files in os.walk(root):  # symlinks are not followed
            for name in (*dirs, *files):
                yield os.path.join(folder, name)


def make_private(roots: list[Path]) -> list[str]:
    """Take group and world access away from these folders and files and everything under them (older
    files, written before the umask was set); returns the paths changed. Links and other users' files
    are left alone."""
    changed = []
    uid = os.getuid()
    for root in roots:
        for path in _tree(root):
            try:
                info = os.lstat(path)
                if stat.S_ISLNK(info.st_mode) or info.st_uid != uid or not info.st_mode & 0o077:
                    continue
                os.chmod(path, stat.S_IMODE(info.st_mode) & 0o700)
            except FileNotFoundError:
                continue  # removed meanwhile (a temporary file renamed into place)
            except OSError as exc:
                log.warning("could not make %s private: %s", path, exc)
                continue
            changed.append(path)
    if changed:
        log.info("made %d files and folders readable by the service's user only", len(changed))
    return changed


# Every response carries these, unless its view set its own (the status page's longer CSP).
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy":
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
}


def _security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _csrf_refused(_exc: CSRFError) -> tuple[str, int]:
    """Any form without its token (blueprints may show their own page): explained, nothing changed."""
    return render_template("tickets/csrf.html"), 400


def _bad_request(exc: Exception) -> tuple[str, int, dict[str, str]]:
    """A request no page of this service writes (e.g. an id past what an id column holds); the reason, when
    the code that refused it gave one (the webhook names the missing field), is said too."""
    reason = getattr(exc, "description", None)
    said = f" ({reason})" if reason and reason != BadRequest.description else ""
    return (f"Permintaan tidak sah dan tidak diproses{said}. Kembali ke halaman sebelumnya, muat ulang, lalu coba "
            "lagi.", 400, {"Content-Type": "text/plain; charset=utf-8"})


def _too_large(_exc: Exception) -> tuple[str, int, dict[str, str]]:
    return ("Kiriman terlalu besar dan tidak diproses. Perkecil file atau isian, lalu kirim lagi.", 413,
            {"Content-Type": "text/plain; charset=utf-8"})


def _refuse_nul_bytes() -> tuple[str, int, dict[str, str]] | None:
    """A NUL character in the path, query or form: no person types it, PostgreSQL cannot store it."""
    values = [request.path, *request.args.keys(), *request.args.values()]
    # Webhook forms are left to their blueprint, which first narrows the body size it will read.
    if request.blueprint != "webhooks" and request.mimetype in ("application/x-www-form-urlencoded",
                                                                  "multipart/form-data"):
        values += [*request.form.keys(), *request.form.values()]
    if any("\x00" in value for value in values):
        return ("Permintaan memuat karakter yang tidak sah dan tidak diproses.", 400,
                {"Content-Type": "text/plain; charset=utf-8"})
    return None


def init_app(app: Flask) -> None:
    """CSRF on every form (webhooks and the token API opt out), login sessions, headers."""
    # Flask's defaults already hold these keys (SameSite None, Secure False), so setdefault would
    # never apply; set them unless the configuration asked for something stricter.
    behind_https = app.config["PUBLIC_BASE_URL"].startswith("https://")
    for cookie in ("SESSION_COOKIE", "REMEMBER_COOKIE"):
        app.config[f"{cookie}_HTTPONLY"] = True
        app.config[f"{cookie}_SAMESITE"] = app.config.get(f"{cookie}_SAMESITE") or "Lax"
        app.config[f"{cookie}_SECURE"] = bool(app.config.get(f"{cookie}_SECURE")) or behind_https
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        # The client's address, scheme and host as the trusted proxies saw them (login limits, audit, the
        # CSRF referrer check over HTTPS). Twilio's signatures are checked against PUBLIC_BASE_URL, whatever
        # the proxy forwards; no prefix is taken, so URLs built on PUBLIC_BASE_URL keep theirs.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies,  # type: ignore[method-assign]
                                x_host=proxies)
    csrf.init_app(app)
    login_manager.init_app(app)
    app.before_request(_refuse_nul_bytes)
    app.after_request(_security_headers)
    app.register_error_handler(CSRFError, _csrf_refused)
    app.register_error_handler(400, _bad_request)
    app.register_error_handler(413, _too_large)
