"""Unknown URLs, refused pages and CSV downloads: an Indonesian page instead of Werkzeug's English one, one
charset."""

from __future__ import annotations

import requests
from sqlmodel import Session

from berita_acara.stages import handover_stages
from routing import workflow
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import login, make_staff


def assert_indonesian_not_found(response: requests.Response) -> None:
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>Tidak ditemukan</h1>" in response.text and '<html lang="id"' in response.text
    assert "Not Found" not in response.text and "requested URL" not in response.text


def test_an_unknown_url_gets_the_indonesian_not_found_page(session: Session, http: requests.Session) -> None:
    assert_indonesian_not_found(http.get("/halaman-yang-tidak-ada"))
    assert_indonesian_not_found(http.get("/berita-acara/verifikasi/"))  # under a blueprint, no route
    make_staff(session, handover_stages(workflow(TANGGAMUS)).creator_role)
    login(http, "kasi-inovasi")
    assert_indonesian_not_found(http.get("/berita-acara/999999"))
    wrong_method = http.get("/berita-acara/buat")  # a form's address opened as a page
    assert wrong_method.status_code == 405 and "<h1>Tidak ditemukan</h1>" in wrong_method.text


def test_a_page_the_accounts_roles_do_not_allow_gets_the_indonesian_refusal(session: Session,
                                                                           http: requests.Session) -> None:
    make_staff(session, "sorter")
    login(http, "sorter")
    # The dashboard's blueprint has no refusal page of its own (staff_pages.guard): the app's answers.
    for url in ("/dasbor/", "/audit-akses/"):
        response = http.get(url)
        assert response.status_code == 403, url
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert "<h1>Akses ditolak</h1>" in response.text and '<html lang="id"' in response.text
        assert "Forbidden" not in response.text and "permission" not in response.text
        assert "Kembali ke halaman utama" in response.text


def test_csv_downloads_name_their_charset_once(session: Session, http: requests.Session) -> None:
    make_staff(session, "sorter")
    login(http, "sorter")
    response = http.get("/berita-acara/pemilahan/laporan.csv", params={"batch": "1"})
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
