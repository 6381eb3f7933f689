"""Every page carries the security headers, and the session cookie cannot be read by scripts,
sent cross-site, or (behind HTTPS) sent in clear."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from sqlmodel import select

from tests.hostile.conftest import concrete_path
from tests.tickets.conftest import csrf_token, make_staff
from tickets.staff import StaffUser

REQUIRED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
# A page may be stricter than the default (the public status page sends no referrer at all).
REFERRER_POLICIES = ("same-origin", "no-referrer")


def _assert_headers(response: requests.Response, where: str) -> None:
    for name, value in REQUIRED.items():
        assert response.headers.get(name) == value, f"{where}: {name} is {response.headers.get(name)!r}"
    referrer = response.headers.get("Referrer-Policy")
    assert referrer in REFERRER_POLICIES, f"{where}: Referrer-Policy is {referrer!r}"
    policy = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, f"{where}: CSP {policy!r}"
    assert "unsafe-eval" not in policy and "script-src *" not in policy


def test_every_get_route_has_the_headers_for_staff_and_strangers(app, staff, http, session, ticket) -> None:  # type: ignore[no-untyped-def]
    staff_id = session.exec(select(StaffUser)).first().id
    paths = [concrete_path(app, rule.rule, ticket, staff_id, "+6281234567890")
             for rule in app.url_map.iter_rules() if "GET" in rule.methods]
    paths += ["/tidak-ada-halaman-ini", f"/tiket/{ticket.number}?q=%3Cscript%3E"]
    for client, who in ((staff, "staff"), (http, "anonymous")):
        for path in paths:
            response = client.get(path, allow_redirects=False)
            # /healthz answers 503 on purpose here: no RQ worker runs beside this test.
            degraded_health = path == "/healthz" and response.status_code == 503
            assert response.status_code < 500 or degraded_health, f"{who} {path} answered {response.status_code}"
            _assert_headers(response, f"{who} {path} ({response.status_code})")


def test_back_office_pages_are_not_cached(staff, ticket) -> None:  # type: ignore[no-untyped-def]
    for path in ("/antrian", f"/tiket/{ticket.number}"):
        assert "no-store" in staff.get(path).headers.get("Cache-Control", "")


def _login_cookie(http: requests.Session, username: str) -> str:
    page = http.get("/masuk")
    response = http.post("/masuk", data={"csrf_token": csrf_token(page.text), "username": username,
                                         "password": "rahasia-uji-123"}, allow_redirects=False)
    assert response.status_code == 302
    cookies = [c for c in response.raw.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert len(cookies) == 1
    return cookies[0]


def test_session_cookie_is_httponly_and_lax(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")
    cookie = _login_cookie(http, "sorter").lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie.replace("samesite", "")  # plain-HTTP development: a Secure cookie would never come back


class TestBehindHttps:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        app_config["PUBLIC_BASE_URL"] = "https://layanan.disdukcapil.tanggamus.go.id"
        return app_config

    def test_session_cookie_is_secure(self, http) -> None:  # type: ignore[no-untyped-def]
        """The login page opens the session (it holds the form token); over HTTPS only."""
        response = http.get("/masuk")
        cookies = [c.lower() for c in response.raw.headers.getlist("Set-Cookie") if c.startswith("session=")]
        assert len(cookies) == 1
        assert "; secure" in cookies[0]
        assert "httponly" in cookies[0] and "samesite=lax" in cookies[0]
