"""The pick-up counter's phone page: documents waiting to be collected, found by ticket number or the
citizen's name or the last four digits of their number, and the hand-over recorded with big choices.

The step is the ticket's own advance out of the stage with the `pickup` duty, through the same workflow
service as the ticket page: the stage's outputs (who took it, how related, which ID was shown) are asked
as the SOP lists them, its checkboxes are the confirmation, and the citizen hears of it as from the ticket
page. Bad input comes back beside its field with everything typed kept.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, or_
from sqlmodel import Session, col, select
from werkzeug.wrappers import Response

from layanan import db
from routing import definitions, workflow
from routing.definition import Action, Definition, FieldType, OutputField, Stage, StageDuty
from routing.engine import MissingOutput, TransitionError
from tickets.access import allowed, can_view_ticket, user
from tickets.models import Applicant, KecamatanRow, Ticket
from tickets.privacy import pseudonym
from tickets.workflow_service import act

bp = Blueprint("loket", __name__, url_prefix="/tugas/pengambilan")
FEATURE = "loket pengambilan"
PAGE_SIZE = 50
_LAST_FOUR = re.compile(r"[0-9]{4}")


def pickup_stages() -> tuple[tuple[Definition, Stage], ...]:
    """Each SOP's stage where the citizen collects the document."""
    return tuple((d, d.stage_for(StageDuty.PICKUP, FEATURE)) for d in definitions() if d.has_duty(StageDuty.PICKUP))


def pickup_roles() -> tuple[str, ...]:
    """Who hands documents over at the counter, in any SOP."""
    return tuple(dict.fromkeys(str(stage.role) for _, stage in pickup_stages()))


def staff_outputs(stage: Stage) -> list[OutputField]:
    """The outputs the counter fills, in the SOP's order (checkboxes last: they confirm the rest)."""
    own = [o for o in stage.outputs if not o.system_assigned]
    return [o for o in own if o.type is not FieldType.CHECK] + [o for o in own if o.type is FieldType.CHECK]


@bp.app_context_processor
def _helpers() -> dict[str, object]:
    return {"pickup_roles": pickup_roles}


@bp.get("/")
@allowed(pickup_roles)
def waiting() -> str:
    """Documents waiting for their citizen at this account's counter, searchable."""
    session = db.session()
    search = request.args.get("q", "").strip()[:60]
    rows = _waiting(session, search)
    return render_template("berita_acara/field/pickup_list.html", rows=rows, search=search,
                           kecamatan=_kecamatan_names(session), full=len(rows) >= PAGE_SIZE)


@bp.get("/<number>")
@allowed(pickup_roles)
def form(number: str) -> str | Response:
    """The hand-over form of one document: who takes it, relation, ID shown, and the confirmation."""
    session = db.session()
    ticket, stage = _at_counter(session, number)
    if stage is None:
        flash(f"Dokumen tiket {ticket.number} sudah tercatat diserahkan.", "success")
        return redirect(url_for(".waiting"), code=303)
    return _form(session, ticket, stage, values={}, errors={})


@bp.post("/<number>")
@allowed(pickup_roles)
def hand_over(number: str) -> str | tuple[str, int] | Response:
    """Record the hand-over: claim the ticket if needed and advance it with the counter's outputs."""
    session = db.session()
    ticket, stage = _at_counter(session, number)
    if stage is None:  # a second tap, or someone else was quicker
        flash(f"Dokumen tiket {ticket.number} sudah tercatat diserahkan; tidak dicatat dua kali.", "success")
        return redirect(url_for(".waiting"), code=303)
    values = {o.key: request.form.get("isian-" + o.key, "").strip() for o in staff_outputs(stage)}
    outputs: dict[str, Any] = {k: v for k, v in values.items() if v != ""}
    account = user()
    roles = set(account.roles)
    try:
        if ticket.claimed_by_id != account.id:
            ticket, _, _ = act(session, ticket, Action.CLAIM, actor_id=account.id, actor_roles=roles,
                               expected_version=ticket.version)
        ticket, _, _ = act(session, ticket, Action.ADVANCE, actor_id=account.id, actor_roles=roles,
                           expected_version=ticket.version, payload={"outputs": outputs})
    except MissingOutput as exc:
        return _form(session, ticket, stage, values=values, errors=exc.fields), 422
    except TransitionError as exc:
        return _form(session, ticket, stage, values=values, errors={}, problem=exc.message), 422
    taker = values.get(_first_text(stage) or "", "")
    flash(f"Dokumen tiket {ticket.number} tercatat diserahkan{' kepada ' + taker if taker else ''}. "
          f"Tiket diteruskan ke tahap '{workflow(ticket.workflow).stage(ticket.stage).name}'.", "success")
    return redirect(url_for(".waiting"), code=303)


def _form(session: Session, ticket: Ticket, stage: Stage, *, values: dict[str, str], errors: dict[str, str],
          problem: str | None = None) -> str:
    applicant = session.get(Applicant, ticket.applicant_id)
    return render_template("berita_acara/field/pickup_form.html", ticket=ticket, stage=stage,
                           fields=staff_outputs(stage), values=values, errors=errors, problem=problem,
                           name=_name(ticket, applicant), phone_end=_phone_end(ticket, applicant),
                           kecamatan=_kecamatan_names(session), suggested=_first_text(stage))


def _at_counter(session: Session, number: str) -> tuple[Ticket, Stage | None]:
    """The ticket (404 if unknown or not the account's to see) and its pick-up stage, None once past it."""
    ticket = session.exec(select(Ticket).where(Ticket.number == number[:20])).first()
    if ticket is None or not can_view_ticket(user(), ticket) or not _own_counter(ticket):
        abort(404)
    stage = next((s for d, s in pickup_stages() if d.key == ticket.workflow), None)
    return ticket, stage if stage is not None and ticket.stage == stage.key else None


def _own_counter(ticket: Ticket) -> bool:
    """A counter bound to a kecamatan (its UPT) serves only that kecamatan's documents."""
    own = user().kecamatan_code
    return own is None or ticket.kecamatan_code == own


def _waiting(session: Session, search: str) -> list[dict[str, Any]]:
    account = user()
    mine = [(d.key, s.key) for d, s in pickup_stages() if account.has_role(str(s.role))]
    if not mine:
        return []
    query = (select(Ticket, Applicant).join(Applicant, col(Applicant.id) == col(Ticket.applicant_id))
             .where(or_(*[(Ticket.workflow == sop) & (Ticket.stage == key) for sop, key in mine])))
    if account.kecamatan_code:
        query = query.where(Ticket.kecamatan_code == account.kecamatan_code)
    if search:
        query = query.where(_matches(search))
    rows = session.exec(query.order_by(col(Ticket.stage_entered_at)).limit(PAGE_SIZE)).all()
    return [{"ticket": t, "name": _name(t, a), "phone_end": _phone_end(t, a)}
            for t, a in rows if can_view_ticket(account, t)]


def _matches(search: str) -> Any:
    """A ticket number (or part of it), a name (or part of it), or the last four digits of the number; a
    confidential filer is never found by name or number."""
    like = f"%{search.lower()}%"
    open_identity = col(Ticket.confidential).is_(False)
    conditions = [func.lower(Ticket.number).like(like), open_identity & func.lower(Applicant.name).like(like)]
    if _LAST_FOUR.fullmatch(search):
        conditions.append(open_identity & col(Applicant.phone).like(f"%{search}"))
    return or_(*conditions)


def _name(ticket: Ticket, applicant: Applicant | None) -> str:
    if ticket.confidential:
        return pseudonym(ticket.number)
    return (applicant.name if applicant else None) or "-"


def _phone_end(ticket: Ticket, applicant: Applicant | None) -> str | None:
    """Only the last four digits: enough to ask "nomor Anda berakhiran …?", nothing more."""
    if ticket.confidential or applicant is None or not applicant.phone:
        return None
    return applicant.phone[-4:]


def _first_text(stage: Stage) -> str | None:
    """The first text output (who took the document), which the applicant's own name may fill."""
    return next((o.key for o in staff_outputs(stage) if o.type is FieldType.TEXT), None)


def _kecamatan_names(session: Session) -> dict[str, str]:
    return {k.code: k.name for k in session.exec(select(KecamatanRow))}
