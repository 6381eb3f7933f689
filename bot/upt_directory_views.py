"""The UPT directory pages (admin only): each kecamatan's UPT as the arrival message and the status page
describe it."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, get_template_attribute, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from bot.upt_directory import FIELD_LIMITS, UptOffice, directory, upt_for
from layanan import db
from layanan.clock import utcnow
from tickets.access import roles_required, user
from tickets.accounts import ADMIN_ROLE
from tickets.kecamatan import BY_CODE
from tickets.staff_pages import guard

log = logging.getLogger(__name__)
bp = Blueprint("upt_directory", __name__, url_prefix="/admin/upt")
guard(bp)
MESSAGES = "bot/upt_messages.txt"
OPTIONAL = frozenset({"contact"})


@bp.get("/")
@roles_required(ADMIN_ROLE)
def index() -> str:
    """Every kecamatan's UPT with its address, hours, contact and what to bring."""
    return render_template("bot/upt_list.html", offices=directory(db.session()), kecamatan=BY_CODE)


@bp.route("/<kecamatan_code>", methods=["GET", "POST"])
@roles_required(ADMIN_ROLE)
def edit(kecamatan_code: str) -> Response | str | tuple[str, int]:
    """Change what citizens are told about one kecamatan's UPT."""
    if kecamatan_code not in BY_CODE:
        abort(404)
    session = db.session()
    office = upt_for(session, kecamatan_code)
    if request.method == "GET":
        return render_template("bot/upt_edit.html", office=office, values=None, errors={},
                               kecamatan=BY_CODE[kecamatan_code], limits=FIELD_LIMITS)
    values, errors = read_form(request.form)
    if errors:
        return render_template("bot/upt_edit.html", office=office, values=values, errors=errors,
                               kecamatan=BY_CODE[kecamatan_code], limits=FIELD_LIMITS), 422
    stored = session.get(UptOffice, kecamatan_code) or UptOffice(kecamatan_code=kecamatan_code, **values)
    for name, value in values.items():
        setattr(stored, name, value)
    stored.updated_by_id, stored.updated_at = user().id, utcnow()
    session.add(stored)
    session.commit()
    log.info("admin %s changed the UPT directory entry of kecamatan %s", user().username, kecamatan_code)
    flash(get_template_attribute(MESSAGES, "saved")(name=stored.name))
    return redirect(url_for("upt_directory.index"), code=303)


def read_form(form: MultiDict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The submitted fields, spaces collapsed, and what is wrong with them ("required" or "too_long")."""
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name, limit in FIELD_LIMITS.items():
        value = " ".join((form.get(name) or "").split())
        if not value and name not in OPTIONAL:
            errors[name] = "required"
        elif len(value) > limit:
            errors[name] = "too_long"
        values[name] = value
    return values, errors
