"""The buku registrasi pages: the year's entries, and the book as PDF, CSV and XLSX, for those who keep it."""

from __future__ import annotations

from uuid import uuid4

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from berita_acara import jobs, register_book
from berita_acara.views import FORMATS, download, record_view, rendered_or_wait
from tickets.access import allowed
from layanan import db, renderings
from layanan.clock import office_year, utcnow

bp = Blueprint("register_book", __name__, url_prefix="/buku-registrasi")
PAGE_SIZE = 100


@bp.app_context_processor
def _nav() -> dict[str, object]:
    return {"register_book_roles": register_book.keeper_roles()}


@bp.get("/")
@allowed(register_book.keeper_roles)
def index() -> str:
    """The year's book, a page of entries at a time, in the order of their numbers."""
    this_year = office_year(utcnow())
    year = _number(request.args.get("tahun"), this_year, 2000, this_year)
    session = db.session()
    total = register_book.count(session, year)
    pages = max(1, -(-total // PAGE_SIZE))
    page = _number(request.args.get("halaman"), 1, 1, pages)
    rows = register_book.entries(session, year, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render_template("berita_acara/register_book.html", year=year, this_year=this_year, rows=rows,
                           total=total, page=page, pages=pages, headings=register_book.HEADINGS)


@bp.get("/<int(min=2000, max=9999):year>.<fmt>")  # bounded: a longer number is no year (404)
@allowed(register_book.keeper_roles)
def export(year: int, fmt: str) -> Response:
    """The year's whole book as CSV or XLSX; the PDF is printed by the worker."""
    if fmt not in FORMATS or not 2000 <= year <= office_year(utcnow()):
        abort(404)
    name = f"buku-registrasi-{year}"
    if fmt == "pdf":
        key = f"registrasi-{uuid4().hex}"
        renderings.request(db.session(), jobs.render_register_book, key, year)
        return redirect(url_for(".result", key=key))
    rows = register_book.entries(db.session(), year)
    record_view()
    body = register_book.book_csv(year, rows) if fmt == "csv" else register_book.book_xlsx(year, rows)
    return download(body, FORMATS[fmt], f"{name}.{fmt}")


@bp.get("/hasil/<key>")
@allowed(register_book.keeper_roles)
def result(key: str) -> Response | tuple[str, int]:
    """The printed book, or a page that reloads itself until the worker has made it."""
    return rendered_or_wait(key, "buku-registrasi.pdf")


def _number(raw: str | None, default: int, lowest: int, highest: int) -> int:
    """A whole number from the address within bounds, else the default."""
    try:
        value = int(raw or "")
    except ValueError:
        return default
    return min(max(value, lowest), highest)
