"""Logging in and out of the back office through the real login form."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.conftest import _BaseUrlSession
from tests.tickets.conftest import PASSWORD, csrf_token, login, make_staff
from tickets.auth_views import safe_next

WRONG = "Nama pengguna atau kata sandi salah"


def test_good_login_opens_the_users_queue(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "data_lifter", full_name="Budi Santoso")

    response = login(http, "data-lifter")

    assert urlsplit(response.url).path == "/antrian"
    assert "Antrian: Operator Pengangkat Data" in response.text
    assert "Budi Santoso" in response.text
    assert WRONG not in response.text


def test_username_is_not_case_sensitive(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")
    assert urlsplit(login(http, "  SORTER ").url).path == "/antrian"


def test_wrong_password_and_unknown_user_get_the_same_generic_message(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")

    wrong_password = login(http, "sorter", "bukan-sandinya")
    unknown_user = login(http, "tidak-ada", PASSWORD)

    for response in (wrong_password, unknown_user):
        assert response.status_code == 200
        assert urlsplit(response.url).path == "/masuk"
        assert WRONG in response.text
    assert http.get("/antrian", allow_redirects=False).status_code == 302  # still not logged in


def test_inactive_account_cannot_log_in(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter", active=False)

    response = login(http, "sorter")

    assert WRONG in response.text
    assert http.get("/antrian", allow_redirects=False).status_code == 302


def test_deactivating_an_account_ends_its_session(http, session) -> None:  # type: ignore[no-untyped-def]
    account = make_staff(session, "sorter")
    login(http, "sorter")
    assert http.get("/antrian").status_code == 200

    account.active = False
    session.add(account)
    session.commit()

    response = http.get("/antrian", allow_redirects=False)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/masuk"


def test_anonymous_user_is_sent_to_login_and_back(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "call_center_agent")

    first = http.get("/percakapan-bantuan")
    assert urlsplit(first.url).path == "/masuk"
    assert "Silakan masuk terlebih dahulu." in first.text

    response = login(http, "call-center-agent", next="/percakapan-bantuan")
    assert urlsplit(response.url).path == "/percakapan-bantuan"


def test_next_pointing_off_site_is_ignored(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")
    for target in ("https://contoh.example/curi", "//contoh.example/curi", "/\\contoh.example"):
        http.cookies.clear()
        response = login(http, "sorter", next=target)
        assert urlsplit(response.url).netloc == urlsplit(http.base).netloc  # type: ignore[attr-defined]
        assert urlsplit(response.url).path == "/antrian"


def test_administrator_lands_on_the_staff_list(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "admin")
    assert urlsplit(login(http, "admin").url).path == "/admin/staf"


def test_logout_needs_the_form_token_and_then_ends_the_session(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")
    page = login(http, "sorter")

    refused = http.post("/keluar", data={})
    assert refused.status_code == 400
    assert http.get("/antrian").status_code == 200  # still logged in

    out = http.post("/keluar", data={"csrf_token": csrf_token(page.text)})
    assert urlsplit(out.url).path == "/masuk"
    assert urlsplit(http.get("/antrian").url).path == "/masuk"


def test_login_form_needs_its_token(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")
    http.get("/masuk")
    response = http.post("/masuk", data={"username": "sorter", "password": PASSWORD})
    assert response.status_code == 400
    assert "Token keamanan formulir" in response.text


def test_home_page_sends_visitors_to_login_and_the_simulator(http, session) -> None:  # type: ignore[no-untyped-def]
    page = http.get("/")
    assert page.status_code == 200
    assert 'href="/masuk"' in page.text
    assert 'href="/simulator/"' in page.text

    make_staff(session, "sorter")
    login(http, "sorter")
    assert urlsplit(http.get("/").url).path == "/antrian"


def test_home_page_hides_the_simulator_when_twilio_is_on(app, http) -> None:  # type: ignore[no-untyped-def]
    app.config["TWILIO_ENABLED"] = True
    page = http.get("/")
    assert 'href="/masuk"' in page.text
    assert "/simulator/" not in page.text


@pytest.mark.parametrize(("target", "kept"), [
    ("/antrian", True),
    ("/tiket/PGD-2026-000001?x=1", True),
    ("https://contoh.example/", False),
    ("//contoh.example/", False),
    ("/\\contoh.example", False),
    ("/\t/contoh.example", False),
    ("antrian", False),
    ("", False),
])
def test_safe_next(target: str, kept: bool) -> None:
    assert (safe_next(target) == target) is kept


def _copy_of(http, cookies) -> _BaseUrlSession:  # type: ignore[no-untyped-def]
    """Another browser holding a copy of these cookies (a stolen or forgotten session)."""
    other = _BaseUrlSession(http.base)
    other.cookies.update(cookies)
    return other


def _logged_in(client) -> bool:  # type: ignore[no-untyped-def]
    return client.get("/antrian", allow_redirects=False).status_code == 200


def test_a_session_copied_before_logout_is_dead_after_it(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")
    page = login(http, "sorter")
    copy = _copy_of(http, http.cookies)
    assert _logged_in(copy)

    http.post("/keluar", data={"csrf_token": csrf_token(page.text)})

    assert not _logged_in(copy)
    assert urlsplit(login(http, "sorter").url).path == "/antrian"  # a new login works


def test_a_password_reset_ends_every_session_of_the_account(http, session) -> None:  # type: ignore[no-untyped-def]
    sorter = make_staff(session, "sorter")
    make_staff(session, "admin")
    login(http, "sorter")
    copy = _copy_of(http, http.cookies)
    admin = _BaseUrlSession(http.base)
    login(admin, "admin")
    path = f"/admin/staf/{sorter.id}"

    done = admin.post(f"{path}/sandi", data={"csrf_token": csrf_token(admin.get(path).text),
                                             "password": "sandi-baru-untuk-pemilah",
                                             "password_confirm": "sandi-baru-untuk-pemilah"})

    assert "sudah disimpan" in done.text
    assert not _logged_in(http) and not _logged_in(copy)
    assert _logged_in(admin)


def test_an_admin_resetting_their_own_password_stays_logged_in(http, session) -> None:  # type: ignore[no-untyped-def]
    account = make_staff(session, "admin")
    login(http, "admin")
    elsewhere = _copy_of(http, http.cookies)
    path = f"/admin/staf/{account.id}"

    http.post(f"{path}/sandi", data={"csrf_token": csrf_token(http.get(path).text),
                                     "password": "sandi-baru-pengelola", "password_confirm": "sandi-baru-pengelola"})

    assert http.get("/admin/staf", allow_redirects=False).status_code == 200
    assert elsewhere.get("/admin/staf", allow_redirects=False).status_code == 302


def test_deactivation_ends_sessions_for_good(http, session) -> None:  # type: ignore[no-untyped-def]
    """Switched off and on again: a session from before stays dead."""
    sorter = make_staff(session, "sorter")
    make_staff(session, "admin")
    login(http, "sorter")
    copy = _copy_of(http, http.cookies)
    admin = _BaseUrlSession(http.base)
    login(admin, "admin")
    path = f"/admin/staf/{sorter.id}"
    for active in ({}, {"active": "on"}):
        admin.post(path, data={"csrf_token": csrf_token(admin.get(path).text), "full_name": sorter.full_name,
                               "roles": ["sorter"], **active})
    session.refresh(sorter)
    assert sorter.active

    assert not _logged_in(copy)
    assert urlsplit(login(_BaseUrlSession(http.base), "sorter").url).path == "/antrian"


def _change_password(client, current: str, new: str, confirm: str | None = None):  # type: ignore[no-untyped-def]
    page = client.get("/akun/sandi")
    assert page.status_code == 200
    return client.post("/akun/sandi", data={"csrf_token": csrf_token(page.text), "current_password": current,
                                            "password": new, "password_confirm": confirm or new})


def test_staff_change_their_own_password_and_their_other_sessions_end(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")
    login(http, "sorter")
    elsewhere = _copy_of(http, http.cookies)
    assert 'href="/akun/sandi"' in http.get("/antrian").text

    done = _change_password(http, PASSWORD, "kopi-tubruk-pagi-hari")

    assert urlsplit(done.url).path == "/antrian"
    assert "Kata sandi Anda sudah diganti" in done.text
    assert _logged_in(http) and not _logged_in(elsewhere)
    fresh = _BaseUrlSession(http.base)
    assert WRONG in login(fresh, "sorter", PASSWORD).text
    assert urlsplit(login(fresh, "sorter", "kopi-tubruk-pagi-hari").url).path == "/antrian"


def test_a_password_change_needs_the_current_password_and_keeps_the_rules(http, session) -> None:  # type: ignore[no-untyped-def]
    from html import unescape

    make_staff(session, "sorter")
    login(http, "sorter")

    wrong = _change_password(http, "bukan-sandinya", "kopi-tubruk-pagi-hari")
    common = _change_password(http, PASSWORD, "Password2026!")
    mismatch = _change_password(http, PASSWORD, "kopi-tubruk-pagi-hari", "kopi-tubruk-sore-hari")

    assert wrong.status_code == common.status_code == mismatch.status_code == 422
    assert "Kata sandi sekarang salah" in wrong.text
    assert "terlalu umum atau mudah ditebak" in unescape(common.text)
    assert "tidak sama" in mismatch.text
    assert urlsplit(login(_BaseUrlSession(http.base), "sorter").url).path == "/antrian"  # unchanged


def test_the_password_page_needs_a_login(http, session) -> None:  # type: ignore[no-untyped-def]
    assert urlsplit(http.get("/akun/sandi").url).path == "/masuk"
