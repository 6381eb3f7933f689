"""Guessing staff passwords from one address is cut off: failed logins are limited per client address,
counted in Redis so every web process shares the count (in memory while Redis is down). The limit per
account name is in test_login_throttle.py."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from layanan import create_app
from tests.conftest import LiveServer, _BaseUrlSession, sign
from tests.tickets.conftest import PASSWORD, csrf_token, login, make_staff

TOO_MANY = "Terlalu banyak percobaan masuk"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config.update(LOGIN_LIMIT_PER_IP="6 per 15 minutes", LOGIN_FREE_FAILURES=100)
    return app_config


def test_one_address_guessing_many_accounts_is_stopped(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")
    for i in range(6):
        assert login(http, f"akun-{i}", "tebakan").status_code == 200

    blocked = login(http, "sorter", PASSWORD)

    assert blocked.status_code == 429
    assert TOO_MANY in blocked.text
    assert 0 < int(blocked.headers["Retry-After"]) <= 15 * 60


def test_good_logins_do_not_use_up_the_limit(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")
    for _ in range(8):
        response = login(http, "sorter")
        assert urlsplit(response.url).path == "/antrian"
        page = http.get("/antrian")
        http.post("/keluar", data={"csrf_token": csrf_token(page.text)})


def test_the_count_is_shared_by_every_web_process(app_config, http, session, redis) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")
    for i in range(6):
        login(http, f"akun-{i}", "tebakan-salah")
    assert redis.keys("*batas*"), "the counters live in the app's Redis"

    other = LiveServer(create_app(app_config))  # a second web process on the same Redis and database
    try:
        client = _BaseUrlSession(other.url)
        response = login(client, "sorter", PASSWORD)
        assert response.status_code == 429
        assert TOO_MANY in response.text
    finally:
        other.stop()
        other.app.extensions["db_engine"].dispose()


def test_while_redis_is_down_the_limit_is_counted_in_memory(app_config, session) -> None:  # type: ignore[no-untyped-def]
    """Redis unreachable: staff still log in, and guessing is still cut off (in the process's memory)."""
    app_config["RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:1/0"  # nothing listens there
    server = LiveServer(create_app(app_config))
    try:
        client = _BaseUrlSession(server.url)
        make_staff(session, "sorter")
        assert urlsplit(login(client, "sorter").url).path == "/antrian"
        client.cookies.clear()
        for i in range(6):
            assert login(client, f"akun-{i}", "tebakan").status_code == 200
        blocked = login(client, "sorter", PASSWORD)
        assert blocked.status_code == 429
        assert TOO_MANY in blocked.text
    finally:
        server.stop()
        server.app.extensions["db_engine"].dispose()


def test_behind_trusted_proxies_each_client_address_counts_alone(app, http, session) -> None:  # type: ignore[no-untyped-def]
    """Every request reaches the app from the proxy; X-Forwarded-For tells the staff members apart."""
    proxied = create_app({**app.config, "TRUSTED_PROXIES": 1})
    server = LiveServer(proxied)
    try:
        make_staff(session, "sorter")
        guesser = _Proxied(server.url, "203.0.113.7")
        for i in range(6):
            assert login(guesser, f"akun-{i}", "tebakan").status_code == 200
        assert login(guesser, "sorter", PASSWORD).status_code == 429

        colleague = _Proxied(server.url, "203.0.113.8")
        assert urlsplit(login(colleague, "sorter").url).path == "/antrian"
    finally:
        server.stop()
        proxied.extensions["db_engine"].dispose()


def test_without_trusted_proxies_a_forged_forwarded_header_changes_nothing(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")
    for i in range(6):
        forged = _Proxied(http.base, f"198.51.100.{i}")  # type: ignore[attr-defined]
        assert login(forged, f"akun-{i}", "tebakan").status_code == 200
    assert login(_Proxied(http.base, "198.51.100.99"), "sorter", PASSWORD).status_code == 429  # type: ignore[attr-defined]


def test_twilio_signatures_still_hold_behind_the_proxy(app, session) -> None:  # type: ignore[no-untyped-def]
    """Signed for PUBLIC_BASE_URL, delivered through a proxy that forwards the scheme: accepted."""
    from tests.support.whatsapp import Phone

    proxied = create_app({**app.config, "TRUSTED_PROXIES": 1})
    server = LiveServer(proxied)
    proxied.config["PUBLIC_BASE_URL"] = "https://layanan.example"
    try:
        phone = Phone(base_url="https://layanan.example", auth_token=app.config["TWILIO_AUTH_TOKEN"])
        form = phone.form("halo")
        signature = sign(app.config["TWILIO_AUTH_TOKEN"], "https://layanan.example/webhooks/whatsapp", form)
        headers = {"X-Twilio-Signature": signature, "X-Forwarded-For": "54.172.60.1",
                   "X-Forwarded-Proto": "https", "X-Forwarded-Host": "layanan.example"}
        answer = requests.post(f"{server.url}/webhooks/whatsapp", data=form, headers=headers, timeout=30)
        assert answer.status_code == 200
        forged = requests.post(f"{server.url}/webhooks/whatsapp", data={**form, "Body": "lain"}, headers=headers,
                               timeout=30)
        assert forged.status_code == 403
    finally:
        server.stop()
        proxied.extensions["db_engine"].dispose()


class _Proxied(_BaseUrlSession):
    """A browser whose requests the reverse proxy forwards with its address in X-Forwarded-For."""

    def __init__(self, base: str, address: str) -> None:
        super().__init__(base)
        self.headers["X-Forwarded-For"] = address

