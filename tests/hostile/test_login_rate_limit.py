"""Guessing staff passwords is slowed down: failed logins are limited per account and per address,
counted in Redis so every web process shares the count."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from layanan import create_app
from tests.conftest import LiveServer, _BaseUrlSession
from tests.tickets.conftest import PASSWORD, csrf_token, login, make_staff

TOO_MANY = "Terlalu banyak percobaan masuk"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config.update(LOGIN_LIMIT_PER_ACCOUNT="3 per 15 minutes", LOGIN_LIMIT_PER_IP="6 per 15 minutes")
    return app_config


def test_an_account_is_locked_after_repeated_wrong_passwords(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")
    make_staff(session, "courier_officer")
    for _ in range(3):
        assert login(http, "sorter", "tebakan-salah").status_code == 200

    blocked = login(http, "SORTER ", PASSWORD)  # even the right password, however the name is typed

    assert blocked.status_code == 429
    assert TOO_MANY in blocked.text
    assert "Retry-After" in blocked.headers
    assert urlsplit(login(http, "courier-officer").url).path == "/antrian"  # other accounts are not affected


def test_one_address_guessing_many_accounts_is_stopped(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")
    for i in range(6):
        assert login(http, f"akun-{i}", "tebakan").status_code == 200

    blocked = login(http, "sorter", PASSWORD)

    assert blocked.status_code == 429
    assert TOO_MANY in blocked.text


def test_good_logins_do_not_use_up_the_limit(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")
    for _ in range(8):
        response = login(http, "sorter")
        assert urlsplit(response.url).path == "/antrian"
        page = http.get("/antrian")
        http.post("/keluar", data={"csrf_token": csrf_token(page.text)})


def test_the_count_is_shared_by_every_web_process(app_config, http, session, redis) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")
    for _ in range(3):
        login(http, "sorter", "tebakan-salah")
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


def test_a_redis_outage_does_not_lock_staff_out(app, http, session) -> None:  # type: ignore[no-untyped-def]
    """The limit is a guard, not a gate: with its storage gone the password check still decides."""
    make_staff(session, "sorter")
    app.extensions["layanan_limiter"]._storage = _unreachable_storage()
    assert urlsplit(login(http, "sorter").url).path == "/antrian"


def _unreachable_storage():  # type: ignore[no-untyped-def]
    from limits.storage import storage_from_string

    return storage_from_string("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)

