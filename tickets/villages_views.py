"""The pekon list pages (admin only): each kecamatan's pekon and kelurahan, added, renamed, deactivated.

Never deleted: records keep the name they were given, and a deactivated pekon is only no longer offered.
A refused form comes back after the redirect with what was typed and the error beside its field.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlmodel import Session, col, func, select
from werkzeug.wrappers import Response

from layanan import db
from tickets import kept_forms, villages
from tickets.access import roles_required, user
from tickets.accounts import ADMIN_ROLE
from tickets.kecamatan import BY_CODE, KECAMATAN
from tickets.staff import StaffUser
from tickets.staff_pages import guard
from tickets.villages import MAX_NAME, Pekon, PekonKind

log = logging.getLogger(__name__)
bp = Blueprint("villages", __name__, url_prefix="/admin/pekon")
guard(bp)
ADD = "tambah"
_NAME = re.compile(r"^[^\W\d_](?:[\w .'()-]*\w)?$")  # a letter first; words, spaces, dots, dashes, apostrophes


@bp.get("/")
@roles_required(ADMIN_ROLE)
def index() -> str:
    """Every kecamatan with how many pekon it offers and how many are deactivated."""
    session = db.session()
    counts = {(code, active): n for code, active, n in session.exec(
        select(Pekon.kecamatan_code, Pekon.active, func.count()).group_by(Pekon.kecamatan_code, Pekon.active))}
    rows = [(k, counts.get((k.code, True), 0), counts.get((k.code, False), 0)) for k in KECAMATAN]
    return render_template("villages/index.html", rows=rows)


@bp.get("/<kecamatan_code>")
@roles_required(ADMIN_ROLE)
def kecamatan(kecamatan_code: str) -> str:
    """One kecamatan's pekon: add one, rename one, deactivate or reactivate one."""
    _kecamatan_or_404(kecamatan_code)
    session = db.session()
    rows = session.exec(select(Pekon).where(Pekon.kecamatan_code == kecamatan_code)
                        .order_by(col(Pekon.active).desc(), col(Pekon.name))).all()
    editors = {s.id: s.full_name for s in session.exec(
        select(StaffUser).where(col(StaffUser.id).in_({r.updated_by_id for r in rows if r.updated_by_id})))}
    kept = kept_forms.take(_form_key(kecamatan_code)) or {}
    return render_template("villages/kecamatan.html", kec=BY_CODE[kecamatan_code], rows=rows, editors=editors,
                           kinds=list(PekonKind), kept_action=kept.get("action"), typed=kept.get("typed") or {},
                           errors=kept.get("errors") or {}, max_name=MAX_NAME)


@bp.post("/<kecamatan_code>/tambah")
@roles_required(ADMIN_ROLE)
def add(kecamatan_code: str) -> Response:
    """Add a pekon or kelurahan to the kecamatan's list."""
    _kecamatan_or_404(kecamatan_code)
    session = db.session()
    typed = {"nama": request.form.get("nama", ""), "jenis": request.form.get("jenis", "")}
    name = " ".join(typed["nama"].split())
    errors = _name_errors(session, kecamatan_code, name, None)
    if typed["jenis"] not in set(PekonKind):
        errors["jenis"] = "Pilih jenis: pekon atau kelurahan."
    if errors:
        return _refused(kecamatan_code, ADD, typed, errors)
    row = Pekon(kecamatan_code=kecamatan_code, name=name, kind=typed["jenis"], active=True)
    return _saved(session, row, f"{PekonKind(row.kind).label} {name} ditambahkan.", "added")


@bp.post("/<kecamatan_code>/<id:pekon_id>/nama")
@roles_required(ADMIN_ROLE)
def rename(kecamatan_code: str, pekon_id: int) -> Response:
    """Rename a pekon; records made under the old name keep it."""
    session = db.session()
    row = _pekon_or_404(session, kecamatan_code, pekon_id)
    typed = {"nama": request.form.get("nama", "")}
    name = " ".join(typed["nama"].split())
    errors = _name_errors(session, kecamatan_code, name, row)
    if errors:
        return _refused(kecamatan_code, f"nama-{pekon_id}", typed, errors)
    old, row.name = row.name, name
    return _saved(session, row, f"{old} diganti namanya menjadi {name}.", f"renamed from {old!r} to")


@bp.post("/<kecamatan_code>/<id:pekon_id>/status")
@roles_required(ADMIN_ROLE)
def toggle(kecamatan_code: str, pekon_id: int) -> Response:
    """Deactivate a pekon (no longer offered; old records still show it) or offer it again."""
    session = db.session()
    row = _pekon_or_404(session, kecamatan_code, pekon_id)
    row.active = request.form.get("aktif") == "1"
    message = (f"{row.name} diaktifkan kembali dan ditawarkan lagi di formulir." if row.active else
               f"{row.name} dinonaktifkan: tidak ditawarkan lagi, catatan lama tetap memakai namanya.")
    return _saved(session, row, message, "reactivated" if row.active else "deactivated")


def _kecamatan_or_404(code: str) -> None:
    if code not in BY_CODE:
        abort(404)


def _pekon_or_404(session: Session, kecamatan_code: str, pekon_id: int) -> Pekon:
    row = session.get(Pekon, pekon_id)
    if row is None or row.kecamatan_code != kecamatan_code:
        abort(404)
    return row


def _form_key(kecamatan_code: str) -> str:
    return f"pekon-{kecamatan_code}"


def _name_errors(session: Session, kecamatan_code: str, name: str, row: Pekon | None) -> dict[str, str]:
    """What is wrong with a new name for the kecamatan's list, keyed "nama"."""
    if not name:
        return {"nama": "Isi nama pekon/kelurahan."}
    if len(name) > MAX_NAME:
        return {"nama": f"Nama paling panjang {MAX_NAME} huruf."}
    if not _NAME.fullmatch(name):
        return {"nama": "Tulis nama dengan huruf, contoh: Sukamaju."}
    others = [p for p in villages.pekon_of(session, kecamatan_code, with_inactive=True) if row is None or p.id != row.id]
    same = next((p for p in others if villages.exact_name([p.name], name)), None)
    if same is not None:
        where = BY_CODE[kecamatan_code].name
        return {"nama": f"{same.name} sudah ada di Kecamatan {where}" + ("." if same.active else
                                                                         " (nonaktif): aktifkan kembali saja.")}
    return {}


def _refused(kecamatan_code: str, action: str, typed: dict[str, Any], errors: dict[str, str]) -> Response:
    kept_forms.keep(_form_key(kecamatan_code), action, typed, errors)
    anchor = "tambah" if action == ADD else action
    return redirect(url_for(".kecamatan", kecamatan_code=kecamatan_code, _anchor=anchor), code=303)


def _saved(session: Session, row: Pekon, message: str, what: str) -> Response:
    villages.touch(row, user().id)
    session.add(row)
    session.commit()
    villages.forget(session)
    log.info("admin %s %s pekon %s in kecamatan %s", user().username, what, row.name, row.kecamatan_code)
    flash(message)
    return redirect(url_for(".kecamatan", kecamatan_code=row.kecamatan_code), code=303)
