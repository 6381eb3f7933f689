"""Staff administration: accounts, their roles, their kecamatan and password resets (admin only)."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass

from flask import Blueprint, abort, flash, get_template_attribute, redirect, render_template, request, url_for
from flask_login import login_user
from sqlmodel import col, select
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from layanan import db
from layanan.rate_limits import login_throttle
from routing import definitions, roles_with_duty
from routing.definition import RoleDuty
from tickets.access import roles_required, user
from tickets.accounts import (ADMIN_ROLE, MIN_PASSWORD_LENGTH, create_staff, end_sessions, hash_password, known_roles,
                              password_problem)
from tickets.inbox_settings import DEFAULT_TIME, DigestChoice, apply as apply_digest, read_digest_fields
from tickets.kecamatan import BY_CODE, KECAMATAN
from tickets.staff import StaffUser
from tickets.staff_pages import guard

log = logging.getLogger(__name__)
bp = Blueprint("admin", __name__, url_prefix="/admin")
guard(bp)
MESSAGES = "tickets/messages.txt"
_USERNAME = re.compile(r"^[a-z0-9._-]{3,60}$")


@dataclass(frozen=True)
class StaffForm:
    """The submitted account fields; `errors` maps a field to an error code the template explains."""

    username: str
    full_name: str
    nip: str | None
    roles: list[str]
    kecamatan_code: str | None
    active: bool
    errors: dict[str, str]


@bp.get("/")
@roles_required(ADMIN_ROLE)
def index() -> Response:
    """The administration starts at the staff list."""
    return redirect(url_for("admin.staff_list"))


@bp.get("/staf")
@roles_required(ADMIN_ROLE)
def staff_list() -> str:
    """Every staff account with its roles and state."""
    accounts = db.session().exec(
        select(StaffUser).order_by(col(StaffUser.active).desc(), col(StaffUser.username))
    ).all()
    return render_template("admin/staff_list.html", accounts=accounts)


@bp.route("/staf/baru", methods=["GET", "POST"])
@roles_required(ADMIN_ROLE)
def staff_create() -> Response | str | tuple[str, int]:
    """Create an account with its roles, kecamatan (for UPT) and first password."""
    if request.method == "GET":
        return _form_page("admin/staff_create.html", form=None)
    session = db.session()
    form = read_form(request.form, creating=True)
    digest = read_digest_fields(request.form)
    errors = dict(form.errors) | digest.errors
    taken = select(StaffUser).where(col(StaffUser.username) == form.username)
    if "username" not in errors and session.exec(taken).first():
        errors["username"] = "taken"
    errors.update(_password_errors(request.form, form.username))
    if errors:
        return _form_page("admin/staff_create.html", form=form, errors=errors, choice=digest), 422
    account = create_staff(session, username=form.username, full_name=form.full_name, roles=form.roles,
                           password=request.form["password"], kecamatan_code=form.kecamatan_code, nip=form.nip)
    apply_digest(account, digest)
    session.add(account)
    session.commit()
    log.info("admin %s created staff %s with roles %s", user().username, account.username, account.roles)
    flash(get_template_attribute(MESSAGES, "staff_created")(username=account.username))
    return redirect(url_for("admin.staff_list"), code=303)


@bp.route("/staf/<id:staff_id>", methods=["GET", "POST"])
@roles_required(ADMIN_ROLE)
def staff_edit(staff_id: int) -> Response | str | tuple[str, int]:
    """Change an account's name, roles, kecamatan, daily digest and whether it may log in."""
    session = db.session()
    account = session.get(StaffUser, staff_id)
    if account is None:
        abort(404)
    if request.method == "GET":
        return _form_page("admin/staff_edit.html", form=None, account=account)
    form = read_form(request.form, creating=False)
    digest = read_digest_fields(request.form, account)
    errors = dict(form.errors) | digest.errors
    if account.id == user().id and (ADMIN_ROLE not in form.roles or not form.active):
        errors["self"] = "self_lockout"
    if errors:
        return _form_page("admin/staff_edit.html", form=form, errors=errors, account=account, choice=digest), 422
    if account.active and not form.active:
        end_sessions(account)  # switched on again later, its old sessions stay dead
    account.full_name, account.nip, account.roles = form.full_name, form.nip, form.roles
    account.kecamatan_code, account.active = form.kecamatan_code, form.active
    apply_digest(account, digest)
    session.add(account)
    session.commit()
    log.info("admin %s changed staff %s: roles %s, active %s", user().username, account.username,
             account.roles, account.active)
    flash(get_template_attribute(MESSAGES, "staff_saved")(username=account.username))
    return redirect(url_for("admin.staff_list"), code=303)


@bp.post("/staf/<id:staff_id>/sandi")
@roles_required(ADMIN_ROLE)
def staff_password(staff_id: int) -> Response | tuple[str, int]:
    """Set a new password the administrator hands over to the staff member."""
    session = db.session()
    account = session.get(StaffUser, staff_id)
    if account is None:
        abort(404)
    errors = _password_errors(request.form, account.username)
    if errors:
        return _form_page("admin/staff_edit.html", form=None, errors=errors, account=account), 422
    account.password_hash = hash_password(request.form["password"])
    end_sessions(account)
    session.add(account)
    session.commit()
    if account.id == user().id:
        login_user(account)  # the administrator's own new password: this session goes on, the others end
    log.info("admin %s reset the password of staff %s", user().username, account.username)
    flash(get_template_attribute(MESSAGES, "password_reset")(username=account.username))
    return redirect(url_for("admin.staff_edit", staff_id=account.id), code=303)


@bp.post("/staf/<id:staff_id>/buka-tahanan")
@roles_required(ADMIN_ROLE)
def staff_unhold(staff_id: int) -> Response:
    """Lift the wait after failed logins, so the staff member may try again at once from any browser."""
    account = db.session().get(StaffUser, staff_id)
    if account is None:
        abort(404)
    login_throttle().unlock(account.username)
    log.info("admin %s lifted the login wait of staff %s", user().username, account.username)
    flash(get_template_attribute("auth/messages.txt", "unheld")(username=account.username))
    return redirect(url_for("admin.staff_edit", staff_id=account.id), code=303)






def read_form(form: MultiDict[str, str], *, creating: bool) -> StaffForm:
    """Read and check the account fields of a submitted form."""
    get = form.get
    roles = sorted(set(form.getlist("roles")))
    errors: dict[str, str] = {}
    username = (get("username") or "").strip().lower() if creating else ""
    if creating and not _USERNAME.match(username):
        errors["username"] = "invalid"
    full_name = (get("full_name") or "").strip()
    if not full_name or len(full_name) > 120:
        errors["full_name"] = "required"
    nip = (get("nip") or "").strip() or None
    if nip is not None and len(nip) > 30:
        errors["nip"] = "too_long"
    if not roles:
        errors["roles"] = "required"
    elif set(roles) - known_roles():
        errors["roles"] = "unknown"
    kecamatan_code = (get("kecamatan_code") or "").strip() or None
    if not set(roles) & set(roles_with_duty(RoleDuty.KECAMATAN_BOUND)):
        kecamatan_code = None  # only UPT work is tied to one kecamatan
    elif kecamatan_code not in BY_CODE:
        errors["kecamatan_code"] = "required"
    active = True if creating else get("active") == "on"
    return StaffForm(username, full_name, nip, roles, kecamatan_code, active, errors)


def _password_errors(form: Mapping[str, str], username: str) -> dict[str, str]:
    password = form.get("password") or ""
    problem = password_problem(password, username)
    if problem is not None:
        return {"password": problem.value}
    if password != (form.get("password_confirm") or ""):
        return {"password": "mismatch"}
    return {}


def _form_page(template: str, *, form: StaffForm | None, errors: Mapping[str, str] | None = None,
               account: StaffUser | None = None, choice: DigestChoice | None = None) -> str:
    held_for = login_throttle().held_for(account.username) if account is not None else 0
    return render_template(template, form=form, errors=errors or {}, account=account, role_groups=_role_groups(),
                           kecamatan_options=KECAMATAN, min_password=MIN_PASSWORD_LENGTH, held_for=held_for,
                           choice=choice, default_time=DEFAULT_TIME)


@dataclass(frozen=True)
class RoleOption:
    key: str
    name: str
    shown_in: str | None = None  # a role shared with an SOP listed earlier is ticked there


def _role_groups() -> list[tuple[str, list[RoleOption]]]:
    """The roles of every SOP, grouped by SOP; a role two SOPs share is one post, ticked once."""
    groups: list[tuple[str, list[RoleOption]]] = []
    first: dict[str, str] = {}
    for definition in definitions():
        title = f"{definition.name} ({definition.office})"
        options = [RoleOption(r.key, r.name, first.get(r.key)) for r in definition.roles]
        for role in definition.roles:
            first.setdefault(role.key, definition.name)
        groups.append((title, options))
    groups.append(("Sistem", [RoleOption(ADMIN_ROLE, "Administrator")]))
    return groups
