"""The UI toolkit comes from this app: Bootstrap's CSS and JS are served locally and no page names another host."""

from __future__ import annotations

import re

import requests
from sqlmodel import Session

from tests.tickets.conftest import login, make_staff
from tickets.accounts import ADMIN_ROLE, known_roles

ASSET = re.compile(r'<(?:link|script)\b[^>]*?(?:href|src)="([^"]+)"')
REMOTE = re.compile(r'(?:href|src)="(?:https?:)?//')


def test_bootstrap_is_served_by_this_app_and_no_page_loads_from_elsewhere(session: Session,
                                                                          http: requests.Session) -> None:
    make_staff(session, ADMIN_ROLE, *sorted(known_roles() - {ADMIN_ROLE}), username="admin", full_name="Admin Semua Peran")
    pages = [http.get("/masuk").text, login(http, "admin").text, http.get("/dasbor/").text]
    assets = {url for page in pages for url in ASSET.findall(page)}
    assert {"/bootstrap/static/css/bootstrap.min.css", "/bootstrap/static/js/bootstrap.min.js"} <= assets
    for url in assets:
        assert url.startswith("/") and not url.startswith("//"), url
        assert http.get(url).status_code == 200, url
    for page in pages:
        assert not REMOTE.search(page), "a page loads or links to another host"
