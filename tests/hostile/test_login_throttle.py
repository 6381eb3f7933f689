"""Guessing one account's password is slowed down without locking its owner out: after a few free
failures each try waits, the wait doubling up to a cap; the browser the owner logged in from before
skips the wait; the administrator can lift it; the owner hears of the failures at the next login."""

from __future__ import annotations

import threading
import time
from html import unescape
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from layanan import create_app
from layanan.rate_limits import wait_after
from tests.conftest import LiveServer, _BaseUrlSession
from tests.tickets.conftest import PASSWORD, csrf_token, login, make_staff

TOO_MANY = "Terlalu banyak percobaan masuk"
WRONG = "Nama pengguna atau kata sandi salah"
FREE = 3


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config.update(LOGIN_LIMIT_PER_IP="1000 per 15 minutes", LOGIN_FREE_FAILURES=FREE,
                      LOGIN_FIRST_WAIT_SECONDS=2, LOGIN_MAX_WAIT_SECONDS=4, LOGIN_KNOWN_BROWSER_FAILURES=3)
    return app_config


def browser(http: requests.Session) -> requests.Session:
    """A fresh browser on the same server, one the accounts never logged in from."""
    return _BaseUrlSession(http.base)  # type: ignore[attr-defined]


def use_up_free_failures(client: requests.Session, name: str) -> None:
    for _ in range(FREE):
        assert WRONG in login(client, name, "tebakan-salah").text
    assert WRONG in login(client, name, "tebakan-salah").text  # the first held try goes through, then waits


def logged_in(response: requests.Response) -> bool:
    return urlsplit(response.url).path in ("/antrian", "/tugas/kurir")  # the courier lands on his phone page


@pytest.mark.parametrize(("strike", "wait"), [(1, 0), (3, 0), (4, 15), (5, 30), (6, 60), (7, 120), (8, 240),
                                              (9, 300), (40, 300), (10**6, 300)])
def test_the_wait_doubles_after_the_free_failures_and_is_capped(strike: int, wait: float) -> None:
    assert wait_after(strike, free=3, first=15, cap=300) == wait


def test_failures_hold_the_name_for_a_while_then_the_right_password_works(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")
    make_staff(session, "courier_officer")
    use_up_free_failures(http, "sorter")

    held = login(browser(http), "SORTER ", PASSWORD)  # the right password, however the name is typed
    assert held.status_code == 429
    assert TOO_MANY in held.text
    assert 1 <= int(held.headers["Retry-After"]) <= 2
    assert logged_in(login(browser(http), "courier-officer"))  # other accounts are not affected

    time.sleep(2.1)
    assert logged_in(login(browser(http), "sorter"))  # never locked: after the wait the owner is in


def test_the_wait_grows_with_each_failure_and_a_good_login_resets_it(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")
    use_up_free_failures(http, "sorter")
    time.sleep(2.1)
    assert WRONG in login(http, "sorter", "tebakan-lagi").text  # the next try, after the first wait
    assert int(login(http, "sorter", PASSWORD).headers["Retry-After"]) in (3, 4)  # now the wait is 4 s

    time.sleep(4.1)
    assert logged_in(login(http, "sorter"))
    client = browser(http)
    for _ in range(FREE):  # the free failures are free again
        assert WRONG in login(client, "sorter", "tebakan-salah").text


def test_the_owners_browser_is_never_held(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")
    owner = browser(http)
    page = login(owner, "sorter")
    owner.post("/keluar", data={"csrf_token": csrf_token(page.text)})

    guesser = browser(http)
    use_up_free_failures(guesser, "sorter")
    assert login(guesser, "sorter", "tebakan-lagi").status_code == 429

    welcome = login(owner, "sorter")  # at once, from the browser it logged in from before
    assert logged_in(welcome)
    assert f"Ada {FREE + 1} percobaan masuk yang gagal ke akun Anda sejak" in unescape(welcome.text)
    assert login(guesser, "sorter", "tebakan-ketiga").status_code == 429  # the guesser still waits


def test_a_known_browser_that_keeps_failing_waits_like_any_other(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")
    login(http, "sorter")
    for _ in range(3 + FREE + 1):  # its own limit of 3, then the name's free failures and first held try
        assert WRONG in login(http, "sorter", "tebakan-salah").text
    assert login(http, "sorter", PASSWORD).status_code == 429


def test_a_browser_pass_ends_with_a_new_password(http, session) -> None:  # type: ignore[no-untyped-def]
    sorter = make_staff(session, "sorter")
    make_staff(session, "admin")
    owner = browser(http)
    login(owner, "sorter")
    admin = browser(http)
    login(admin, "admin")
    path = f"/admin/staf/{sorter.id}"
    admin.post(f"{path}/sandi", data={"csrf_token": csrf_token(admin.get(path).text),
                                      "password": "sandi-baru-pemilah", "password_confirm": "sandi-baru-pemilah"})

    use_up_free_failures(browser(http), "sorter")
    assert login(owner, "sorter", "sandi-baru-pemilah").status_code == 429


def test_unknown_names_are_held_just_like_accounts(http, session) -> None:  # type: ignore[no-untyped-def]
    """The throttle gives away nothing about which names are accounts."""
    make_staff(session, "sorter")
    answers = {}
    for name in ("sorter", "tidak-ada"):
        client = browser(http)
        answers[name] = [login(client, name, "tebakan-salah").status_code for _ in range(FREE + 3)]
    assert answers["sorter"] == answers["tidak-ada"] == [200] * (FREE + 1) + [429, 429]


def test_a_burst_of_parallel_guesses_gets_one_try_per_wait(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")
    use_up_free_failures(http, "sorter")
    time.sleep(2.1)
    clients = [browser(http) for _ in range(8)]
    tokens = [csrf_token(c.get("/masuk").text) for c in clients]
    statuses: list[int] = []

    def guess(client: requests.Session, token: str) -> None:
        response = client.post("/masuk", data={"csrf_token": token, "username": "sorter", "password": "tebakan"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=guess, args=pair) for pair in zip(clients, tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [429] * 7


def test_the_hold_is_shared_by_every_web_process(app_config, http, session, redis) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")
    use_up_free_failures(http, "sorter")
    assert redis.keys("*batas/akun/sorter*"), "the counters live in the app's Redis"

    other = LiveServer(create_app(app_config))
    try:
        assert login(_BaseUrlSession(other.url), "sorter", PASSWORD).status_code == 429
    finally:
        other.stop()
        other.app.extensions["db_engine"].dispose()


def test_while_redis_is_down_names_are_still_held(app_config, session) -> None:  # type: ignore[no-untyped-def]
    app_config["RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:1/0"  # nothing listens there
    server = LiveServer(create_app(app_config))
    try:
        client = _BaseUrlSession(server.url)
        make_staff(session, "sorter")
        use_up_free_failures(client, "sorter")
        assert login(_BaseUrlSession(server.url), "sorter", PASSWORD).status_code == 429
        time.sleep(2.1)
        assert logged_in(login(_BaseUrlSession(server.url), "sorter"))
    finally:
        server.stop()
        server.app.extensions["db_engine"].dispose()


def test_the_administrator_sees_the_failures_and_lifts_the_hold(http, session) -> None:  # type: ignore[no-untyped-def]
    sorter = make_staff(session, "sorter")
    make_staff(session, "admin")
    make_staff(session, "courier_officer")
    use_up_free_failures(browser(http), "sorter")
    path = f"/admin/staf/{sorter.id}"

    other_staff = browser(http)
    login(other_staff, "courier-officer")
    refused = other_staff.post(f"{path}/buka-tahanan", data={"csrf_token": csrf_token(other_staff.get("/antrian").text)})
    assert refused.status_code == 403

    admin = browser(http)
    login(admin, "admin")
    assert f"{FREE + 1} kali gagal masuk" in admin.get("/admin/staf").text
    page = unescape(admin.get(path).text)
    assert f"{FREE + 1} percobaan masuk gagal sejak" in page
    assert "Masuk dari perangkat baru ditahan" in page
    lifted = admin.post(f"{path}/buka-tahanan", data={"csrf_token": csrf_token(admin.get(path).text)})
    assert "sorter dapat mencoba masuk lagi sekarang" in unescape(lifted.text)
    assert "Masuk dari perangkat baru ditahan" not in unescape(lifted.text)

    welcome = login(browser(http), "sorter")
    assert logged_in(welcome)
    assert f"Ada {FREE + 1} percobaan masuk yang gagal ke akun Anda" in unescape(welcome.text)
    again = browser(http)
    assert "percobaan masuk yang gagal" not in unescape(login(again, "sorter").text)  # told once
