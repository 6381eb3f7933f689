"""Staff administration through the admin pages."""

from __future__ import annotations

from html import unescape
from typing import Any
from urllib.parse import urlsplit

import requests
from sqlmodel import select

from tests.tickets.conftest import PASSWORD, csrf_token, login, make_staff
from tickets.staff import StaffUser


def submit(http: requests.Session, path: str, data: dict[str, Any]) -> requests.Response:
    """Post the form of the page at path, with that page's token."""
    page = http.get(path)
    return http.post(path, data={"csrf_token": csrf_token(page.text), **data})


def test_admin_creates_an_account_that_can_log_in(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "admin")
    login(http, "admin")

    response = submit(http, "/admin/staf/baru", {
        "username": "Sari.Loket", "full_name": "Sari Wulandari", "nip": "198001012005012001",
        "roles": ["registration_counter", "pickup_counter"], "password": "sandi-awal-1",
        "password_confirm": "sandi-awal-1"})

    assert urlsplit(response.url).path == "/admin/staf"
    assert "Akun sari.loket sudah dibuat." in response.text
    assert 'data-username="sari.loket"' in response.text
    http.cookies.clear()
    queue = login(http, "sari.loket", "sandi-awal-1")
    assert "Antrian: Petugas Loket Pendaftaran" in queue.text
    assert "Petugas Loket Pengambilan" in queue.text  # the role switcher


def test_upt_account_needs_a_kecamatan(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "admin")
    login(http, "admin")
    fields = {"username": "upt.gisting", "full_name": "Petugas UPT Gisting", "roles": ["upt_officer"],
              "password": "sandi-awal-1", "password_confirm": "sandi-awal-1"}

    refused = submit(http, "/admin/staf/baru", fields)
    assert refused.status_code == 422
    assert "wajib memilih kecamatan" in refused.text

    submit(http, "/admin/staf/baru", {**fields, "kecamatan_code": "180620"})
    account = session.exec(select(StaffUser).where(StaffUser.username == "upt.gisting")).one()
    assert (account.roles, account.kecamatan_code) == (["upt_officer"], "180620")


def test_create_refuses_bad_input_and_keeps_what_was_typed(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "admin")
    make_staff(session, "sorter")
    login(http, "admin")

    taken = submit(http, "/admin/staf/baru", {"username": "sorter", "full_name": "Orang Lain",
                                              "roles": ["sorter"], "password": "sandi-awal-1",
                                              "password_confirm": "sandi-awal-1"})
    assert taken.status_code == 422 and "sudah dipakai" in taken.text
    assert 'value="Orang Lain"' in taken.text

    bad = submit(http, "/admin/staf/baru", {"username": "x", "full_name": "", "roles": ["penyihir"],
                                            "password": "pendek", "password_confirm": "pendek"})
    text = unescape(bad.text)
    assert bad.status_code == 422
    for message in ("Nama pengguna 3–60 karakter", "Nama lengkap wajib diisi", "Ada peran yang tidak dikenal",
                    "Kata sandi minimal 12 karakter"):
        assert message in text
    mismatch = submit(http, "/admin/staf/baru", {"username": "baru", "full_name": "Baru", "roles": ["sorter"],
                                                 "password": "sandi-awal-1", "password_confirm": "sandi-awal-2"})
    assert "tidak sama" in mismatch.text
    assert len(session.exec(select(StaffUser)).all()) == 2


def test_admin_edits_roles_and_deactivates(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "admin")
    sorter = make_staff(session, "sorter")
    login(http, "admin")

    submit(http, f"/admin/staf/{sorter.id}", {"full_name": "Pemilah Baru", "roles": ["sorter", "courier_officer"],
                                              "active": "on"})
    session.expire_all()
    assert (sorter.full_name, sorter.roles, sorter.active) == ("Pemilah Baru", ["courier_officer", "sorter"], True)

    saved = submit(http, f"/admin/staf/{sorter.id}", {"full_name": "Pemilah Baru", "roles": ["sorter"]})
    assert "Perubahan akun sorter sudah disimpan." in saved.text
    session.expire_all()
    assert sorter.active is False
    http.cookies.clear()
    assert "Nama pengguna atau kata sandi salah" in login(http, "sorter").text


def test_admin_resets_a_password(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "admin")
    sorter = make_staff(session, "sorter")
    login(http, "admin")
    path = f"/admin/staf/{sorter.id}"

    short = http.post(f"{path}/sandi", data={"csrf_token": csrf_token(http.get(path).text),
                                              "password": "pendek", "password_confirm": "pendek"})
    assert short.status_code == 422
    done = http.post(f"{path}/sandi", data={"csrf_token": csrf_token(http.get(path).text),
                                             "password": "sandi-baru-99", "password_confirm": "sandi-baru-99"})
    assert "Kata sandi baru untuk sorter sudah disimpan." in done.text

    http.cookies.clear()
    assert "Nama pengguna atau kata sandi salah" in login(http, "sorter", PASSWORD).text
    assert urlsplit(login(http, "sorter", "sandi-baru-99").url).path == "/antrian"


def test_admin_cannot_lock_themselves_out(http, session) -> None:  # type: ignore[no-untyped-def]
    admin = make_staff(session, "admin")
    login(http, "admin")

    response = submit(http, f"/admin/staf/{admin.id}", {"full_name": "Admin", "roles": ["sorter"], "active": "on"})

    assert response.status_code == 422
    assert "tidak dapat mencabut peran administrator" in response.text
    session.expire_all()
    assert admin.roles == ["admin"]


def test_unknown_account_is_404(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "admin")
    login(http, "admin")
    assert http.get("/admin/staf/9999").status_code == 404
