"""The Surat Tugas pages: issue it from the visit, wait while the worker renders it, download it, and the public
page its QR code opens."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response as BaseResponse

from layanan import db
from outreach import assignment_letter as letters
from outreach.assignment_letter_models import AssignmentLetter
from outreach.models import OutreachRequest
from outreach.services import OutreachError
from tickets.access import allowed, user
from tickets.accounts import ADMIN_ROLE
from tickets.models import Ticket
from tickets.staff_pages import guard

bp = Blueprint("assignment_letter", __name__)
guard(bp)


@bp.app_context_processor
def _helpers() -> dict[str, object]:
    """The visit's page links its letters for those who may read them."""
    return {"may_read_letters": lambda req: letters.may_read(user(), req, ADMIN_ROLE)}


def _readable(request_id: int) -> tuple[OutreachRequest, Ticket]:
    """The visit, when this account may read its letters; 404 or 403 otherwise."""
    session = db.session()
    found = session.get(OutreachRequest, request_id)
    ticket = session.get(Ticket, found.ticket_id) if found is not None else None
    if found is None or ticket is None:
        abort(404)
    if not letters.may_read(user(), found, ADMIN_ROLE):
        abort(403)
    return found, ticket


@bp.get("/jemput-bola/<id:request_id>/surat-tugas")
@allowed(lambda: ())  # any known role; who may read is decided per visit
def page(request_id: int) -> str:
    """The visit's letters, the latest first; reloads itself while the latest is being rendered."""
    found, ticket = _readable(request_id)
    session = db.session()
    issued = letters.letters_of(session, found)
    try:
        due = letters.is_outdated(issued[0] if issued else None, letters.current_content(session, found))
        problem = None
    except OutreachError as exc:
        due, problem = False, str(exc)
    failed = bool(issued) and letters.render_failed(issued[0])
    return render_template("outreach/assignment_letter.html", req=found, ticket=ticket, letters=issued,
                           due=due, problem=problem, issues=user().has_role(*letters.issuer_roles()),
                           rendering=bool(issued) and issued[0].pdf is None and not failed, failed=failed)


@bp.post("/jemput-bola/<id:request_id>/surat-tugas")
@allowed(letters.issuer_roles)
def issue(request_id: int) -> BaseResponse:
    """Number the letter for the visit's date and team; the worker renders it."""
    found, _ = _readable(request_id)
    try:
        made = letters.issue(db.session(), found, user())
    except OutreachError as exc:
        flash(str(exc), "error")
    else:
        flash(f"Surat tugas nomor {made.number} diterbitkan.")
    return redirect(url_for(".page", request_id=request_id), code=303)


@bp.post("/jemput-bola/<id:request_id>/surat-tugas/<id:letter_id>/buat-lagi")
@allowed(letters.issuer_roles)
def render_again(request_id: int, letter_id: int) -> BaseResponse:
    """Run the rendering of a letter whose PDF could not be made again; the page waits once more."""
    _readable(request_id)
    letter = db.session().get(AssignmentLetter, letter_id)
    if letter is None or letter.request_id != request_id:
        abort(404)
    if letters.render_again(letter):
        flash(f"Surat tugas nomor {letter.number} sedang dibuat lagi.")
    else:
        flash("Surat tugas ini tidak sedang gagal dibuat; tidak ada yang diulang.", "error")
    return redirect(url_for(".page", request_id=request_id), code=303)


@bp.get("/jemput-bola/<id:request_id>/surat-tugas/<id:letter_id>.pdf")
@allowed(lambda: ())
def pdf(request_id: int, letter_id: int) -> Response | BaseResponse:
    """The letter's PDF; back to the waiting page while it is being rendered."""
    _readable(request_id)
    letter = db.session().get(AssignmentLetter, letter_id)
    if letter is None or letter.request_id != request_id:
        abort(404)
    if letter.pdf is None:
        return redirect(url_for(".page", request_id=request_id), code=303)
    name = "surat-tugas-" + letter.number.replace("/", "-").replace(".", "-") + ".pdf"
    return Response(letter.pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/surat-tugas/verifikasi/<code>")
def verify(code: str) -> str | tuple[str, int]:
    """Public: whether a Surat Tugas with this QR code was issued by the office, and to whom."""
    letter = letters.by_code(db.session(), code)
    if letter is None:
        return render_template("pdf_delivery/verification_unknown.html"), 404
    return render_template("outreach/assignment_letter_verification.html", letter=letter, c=letter.content)
