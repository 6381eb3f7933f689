"""Staff passwords: at least 12 characters, and none a guesser tries first (the list of common passwords,
a known word dressed with digits and signs, key walks, the username)."""

from __future__ import annotations

from html import unescape

import pytest
from sqlmodel import select

from layanan.cli import load_demo_command
from tests.tickets.conftest import PASSWORD, csrf_token, login, make_staff
from tickets.accounts import PasswordProblem, create_staff, password_problem
from tickets.staff import StaffUser


@pytest.mark.parametrize(("password", "problem"), [
    ("demo12345", PasswordProblem.TOO_SHORT),
    ("Rahasia-123", PasswordProblem.TOO_SHORT),
    ("baseballbaseball", PasswordProblem.COMMON),  # a common word twice
    ("1qaz2wsx3edc", PasswordProblem.COMMON),
    ("sunshine12345", PasswordProblem.COMMON),
    ("demo123456789", PasswordProblem.COMMON),  # the old demo password, made long
    ("Demo12345!!!", PasswordProblem.COMMON),
    ("P@ssw0rd-2026!", PasswordProblem.COMMON),
    ("superman2026!!", PasswordProblem.COMMON),
    ("Tanggamus2026!", PasswordProblem.COMMON),  # the regency
    ("disdukcapil#1", PasswordProblem.COMMON),  # the office
    ("123456789012", PasswordProblem.COMMON),
    ("081234567890", PasswordProblem.COMMON),  # a phone number: digits only
    ("qwertyuiopas", PasswordProblem.COMMON),
    ("zzzzzzzzzzzz", PasswordProblem.COMMON),
    ("ab1212121212", PasswordProblem.COMMON),
    ("sorter-kuat-2026", PasswordProblem.LIKE_USERNAME),
])
def test_guessable_passwords_are_refused(password: str, problem: PasswordProblem | None) -> None:
    assert password_problem(password, "sorter") == problem


@pytest.mark.parametrize("password", [
    "demo-tanggamus-2026", PASSWORD, "kopi pahit di kota agung", "x9#kP2$mQ7!z", "Budi.Santoso.1985",
])
def test_uncommon_passwords_of_twelve_or_more_characters_are_taken(password: str) -> None:
    assert password_problem(password, "sorter") is None


def test_create_staff_refuses_a_common_password(session) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="terlalu umum"):
        create_staff(session, username="budi", full_name="Budi", roles=["sorter"], password="Password2026!")
    assert session.exec(select(StaffUser)).all() == []


def test_the_admin_pages_refuse_a_common_password_and_say_why(http, session) -> None:  # type: ignore[no-untyped-def]
    sorter = make_staff(session, "sorter")
    make_staff(session, "admin")
    login(http, "admin")

    page = http.get("/admin/staf/baru")
    created = http.post("/admin/staf/baru", data={
        "csrf_token": csrf_token(page.text), "username": "sari.loket", "full_name": "Sari", "roles": ["sorter"],
        "password": "demo123456789", "password_confirm": "demo123456789"})
    assert created.status_code == 422
    assert "terlalu umum atau mudah ditebak" in unescape(created.text)
    assert session.exec(select(StaffUser).where(StaffUser.username == "sari.loket")).first() is None

    path = f"/admin/staf/{sorter.id}"
    reset = http.post(f"{path}/sandi", data={"csrf_token": csrf_token(http.get(path).text),
                                             "password": "sorter-sandi-baru", "password_confirm": "sorter-sandi-baru"})
    assert reset.status_code == 422
    assert "tidak boleh memuat nama pengguna" in unescape(reset.text)
    http.cookies.clear()
    assert login(http, "sorter").url.endswith("/antrian")  # the old password still works


def test_the_demo_password_keeps_the_rules(app, session) -> None:  # type: ignore[no-untyped-def]
    forced = [] if app.config["DATABASE_URL"].startswith("sqlite") else ["--paksa"]  # CI on PostgreSQL
    result = app.test_cli_runner().invoke(load_demo_command, forced)
    assert result.exit_code == 0, result.output
    password = result.output.rsplit("kata sandi: ", 1)[1].strip()
    assert password_problem(password) is None
    assert len(session.exec(select(StaffUser)).all()) > 5
