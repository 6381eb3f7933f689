"""The village operator's pages: the submission form, the list of submissions, one submission, its document."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from layanan import db
from layanan.clock import WIB, utcnow
from layanan.ids import parse_id
from layanan.images import send_thumbnail
from pdf_delivery.documents import document_file
from pekon import scans, services
from pekon.submission import parse_submission, services_for, step_field, submitting_definition, village_steps
from routing import definitions_with, workflow
from routing.definition import Action, RoleDuty
from routing.engine import MissingOutput, TransitionError
from tickets import audit
from tickets.access import duty_required, duty_roles, has_duty, sees_full_nik, user
from tickets.detail import INLINE_TYPES, OUTPUT_PREFIX, payload_from_form
from tickets import villages
from tickets.kecamatan import BY_CODE, KECAMATAN
from tickets.messages import Attachment
from tickets.privacy import mask_nik, text_shown
from tickets.staff_pages import guard
from tickets.workflow_service import Conflict

log = logging.getLogger(__name__)
bp = Blueprint("pekon", __name__, url_prefix="/pekon")
guard(bp)
MESSAGES = "pekon/messages.txt"
SUBMIT = RoleDuty.SUBMIT_FOR_CITIZEN


@bp.app_context_processor
def pekon_helpers() -> dict[str, Any]:
    """The back-office menu links the submitters' page."""
    return {"submitter_roles": duty_roles(SUBMIT)}


@bp.url_value_preprocessor
def _room_for_scans(endpoint: str | None, _values: dict[str, Any] | None) -> None:
    """The form carries several scans: a logged-in submitter may send their size together; anyone else
    keeps the app's limit. Set here because the CSRF check, an app-wide before_request, reads the body
    before any blueprint's before_request would run."""
    if endpoint in ("pekon.submit", "pekon.add_scans") and current_user.is_authenticated and has_duty(user(), SUBMIT):
        request.max_content_length = _body_limit()


@bp.errorhandler(413)
def _too_large(_exc: Exception) -> tuple[str, int]:
    return render_template("pekon/too_large.html", limit=_body_limit_text()), 413


@bp.get("/")
@duty_required(SUBMIT)
def submissions() -> str:
    """The operator's submissions, newest first, with their state in plain words."""
    raw = request.args.get("sebelum", "")
    before = parse_id(raw)
    if raw and before is None:
        abort(400)  # a position this page never wrote
    found, next_before = services.submissions(db.session(), user(), before=before)
    return render_template("pekon/list.html", submissions=found, next_before=next_before, mask_nik=mask_nik,
                           first_page=not raw)


@bp.get("/baru")
@duty_required(SUBMIT)
def new_form() -> str:
    """An empty submission form, with the kecamatan and pekon of the operator's last submission."""
    session = db.session()
    values = services.last_place(session, user())
    if not values.get("kecamatan") and user().kecamatan_code:
        values["kecamatan"] = user().kecamatan_code or ""
    if values.get("pekon") and villages.listed_name(session, values.get("kecamatan"), values["pekon"]) is None:
        values.pop("pekon")  # the last pekon was typed freely once, or has left the list: ask afresh
    return _render_form(values, {}, scans.new_draft_id(), [])


@bp.post("/baru")
@duty_required(SUBMIT)
def submit() -> BaseResponse | tuple[str, int]:
    """Check the form and the scans; keep what passed and show every problem, or open the ticket."""
    session = db.session()
    account = user()
    operator_id = int(account.id or 0)
    draft_id = scans.valid_draft_id(request.form.get("draf")) or scans.new_draft_id()
    already = services.submitted_from_draft(session, draft_id, operator_id)
    if already is not None:  # the same form sent twice: one ticket
        return redirect(url_for("pekon.submission", number=already.number), code=303)
    dropped = [parse_id(v) for v in request.form.getlist("buang")]
    if None in dropped:
        abort(400)
    scans.drop_scans(session, draft_id, operator_id, [i for i in dropped if i is not None])
    refused = scans.keep_scans(session, current_app.config, request.files.getlist("berkas"), operator_id=operator_id,
                               draft_id=draft_id)
    kept = scans.draft_scans(session, draft_id, operator_id)
    draft, errors = parse_submission(request.form, account.roles, has_scans=bool(kept),
                                     today=utcnow().astimezone(WIB).date(), actor_id=operator_id,
                                     places=villages.offered(session))
    if refused:
        errors.pop("berkas", None)
    if draft is None or refused:
        return _render_form(request.form.to_dict(), errors, draft_id, kept, refused), 422
    try:
        ticket = services.submit(session, draft, account, draft_id)
    except TransitionError as exc:  # a village step the engine refused after all; the ticket stays there
        log.warning("village step of a new submission refused: %s", exc.message)
        flash(exc.message, "error")
        ticket = services.submitted_from_draft(session, draft_id, operator_id)
        if ticket is None:
            raise
    log.info("staff %s submitted %s for a citizen (%d scans)", account.username, ticket.number, len(kept))
    flash(get_template_attribute(MESSAGES, "submitted")(number=ticket.number), "ok")
    return redirect(url_for("pekon.submission", number=ticket.number), code=303)


@bp.get("/<number>")
@duty_required(SUBMIT)
def submission(number: str) -> str:
    """One of the operator's submissions: its state, the scans, the document and the operator's next step."""
    return _render_submission(_own(number))


@bp.post("/<number>/langkah")
@duty_required(SUBMIT)
def step(number: str) -> BaseResponse | tuple[str, int]:
    """Do the village's step the submission is in (claimed on the way), with the step's outputs."""
    found = _own(number)
    if found.own_step is None:
        flash(get_template_attribute(MESSAGES, "no_step")(), "error")
        return redirect(url_for("pekon.submission", number=found.ticket.number), code=303)
    definition = workflow(found.ticket.workflow)
    payload = payload_from_form(definition, found.ticket, Action.ADVANCE, request.form)
    version = request.form.get("version", "")
    try:
        ticket = services.complete_step(db.session(), found.ticket, user(), payload["outputs"],
                                        _version(version), note=payload.get("note"))
    except Conflict as exc:
        flash(exc.message, "error")
        return _render_submission(_own(number)), 409
    except TransitionError as exc:
        flash(exc.message, "error")
        errors = {OUTPUT_PREFIX + k: v for k, v in exc.fields.items()} if isinstance(exc, MissingOutput) else {}
        return _render_submission(_own(number), submitted=request.form.to_dict(), errors=errors), 422
    flash(get_template_attribute(MESSAGES, "step_done")(
        number=ticket.number, stage=definition.stage(found.stage.key).name), "ok")
    return redirect(url_for("pekon.submission", number=ticket.number), code=303)


@bp.post("/<number>/kelengkapan")
@duty_required(SUBMIT)
def ask(number: str) -> BaseResponse | tuple[str, int]:
    """The berkas is incomplete: record what the citizen must bring; the submission waits for it."""
    found = _own(number)
    if found.own_step is None or Action.ASK_CITIZEN not in found.own_step.actions:
        flash(get_template_attribute(MESSAGES, "no_step")(), "error")
        return redirect(url_for("pekon.submission", number=found.ticket.number), code=303)
    version = request.form.get("version", "")
    try:
        services.ask_citizen(db.session(), found.ticket, user(), request.form.get("reason", ""),
                             _version(version))
    except TransitionError as exc:
        flash(exc.message, "error")
        errors = {"reason": exc.fields.get("reason", "")} if isinstance(exc, MissingOutput) else {}
        return _render_submission(_own(number), submitted=request.form.to_dict(), errors=errors), \
            409 if isinstance(exc, Conflict) else 422
    flash(get_template_attribute(MESSAGES, "asked")(number=found.ticket.number), "ok")
    return redirect(url_for("pekon.submission", number=found.ticket.number), code=303)


@bp.post("/<number>/berkas")
@duty_required(SUBMIT)
def add_scans(number: str) -> BaseResponse | tuple[str, int]:
    """Add scans (made again, or brought later) while the submission is at the village."""
    found = _own(number)
    if found.own_step is None and not found.waiting_at_village:
        flash(get_template_attribute(MESSAGES, "no_step")(), "error")
        return redirect(url_for("pekon.submission", number=found.ticket.number), code=303)
    files = [f for f in request.files.getlist("berkas") if f.filename]
    if not files:
        return _render_submission(found, errors={"berkas": "Pilih berkas yang akan ditambahkan."}), 422
    refused = scans.keep_scans(db.session(), current_app.config, files, operator_id=int(user().id or 0),
                               ticket_id=int(found.ticket.id or 0))
    if refused:
        return _render_submission(_own(number), refused=refused), 422
    flash(get_template_attribute(MESSAGES, "scans_added")(number=found.ticket.number, count=len(files)), "ok")
    return redirect(url_for("pekon.submission", number=found.ticket.number) + "#berkas", code=303)


@bp.post("/<number>/lengkap")
@duty_required(SUBMIT)
def completed(number: str) -> BaseResponse | tuple[str, int]:
    """The citizen brought what was asked for: the submission goes back to the village's step."""
    found = _own(number)
    version = request.form.get("version", "")
    try:
        services.citizen_completed(db.session(), found.ticket, user(), _version(version))
    except TransitionError as exc:
        flash(exc.message, "error")
        return _render_submission(_own(number)), 409 if isinstance(exc, Conflict) else 422
    flash(get_template_attribute(MESSAGES, "completed")(number=found.ticket.number), "ok")
    return redirect(url_for("pekon.submission", number=found.ticket.number), code=303)


@bp.get("/<number>/dokumen")
@duty_required(SUBMIT)
def document(number: str) -> Response:
    """The issued document's PDF (its signed copy where there is one), as a download."""
    found = _own(number)
    issued = found.document
    if issued is None:
        abort(404)
    path = document_file(current_app.config, issued.signed_path or issued.original_path)
    if path is None:
        abort(404)
    audit.record(db.session(), audit.AuditAction.VIEW_DOCUMENT, staff_id=user().id, ticket_id=found.ticket.id,
                 detail=request.path, ip=request.remote_addr)
    db.session().commit()
    log.info("staff %s downloaded the document of %s", user().username, found.ticket.number)
    return send_file(path, mimetype="application/pdf", as_attachment=True,
                     download_name=f"{found.ticket.number}-dokumen.pdf", conditional=False, etag=False, max_age=None)


@bp.get("/berkas/<id:attachment_id>")
@duty_required(SUBMIT)
def scan(attachment_id: int) -> Response:
    """A scan the operator uploaded (in a draft or a submission), to look at again."""
    attachment, path = _own_scan(attachment_id)
    content_type = attachment.content_type or "application/octet-stream"
    extension = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(content_type, "")
    return send_file(path, mimetype=content_type, as_attachment=content_type not in INLINE_TYPES,
                     download_name=f"berkas-{attachment.id}{extension}", conditional=False, etag=False, max_age=None)


@bp.get("/berkas/<id:attachment_id>/kecil")
@duty_required(SUBMIT)
def scan_thumbnail(attachment_id: int) -> Response:
    """A bounded thumbnail of a scanned image, under the same rule as the scan itself."""
    attachment, path = _own_scan(attachment_id)
    if not (attachment.content_type or "").startswith("image/"):
        abort(404)
    return send_thumbnail(current_app.config, path, attachment.sha256)


def _own_scan(attachment_id: int) -> tuple[Attachment, Path]:
    """A scan this operator uploaded and its file (the look recorded once it belongs to a ticket); else 404."""
    attachment = db.session().get(Attachment, attachment_id)
    if attachment is None or attachment.uploaded_by_id != user().id or not attachment.storage_path:
        abort(404)
    root = Path(current_app.config["MEDIA_PATH"]).resolve()
    path = (root / attachment.storage_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        abort(404)
    if attachment.ticket_id is not None:
        audit.record(db.session(), audit.AuditAction.VIEW_ATTACHMENT, staff_id=user().id,
                     ticket_id=attachment.ticket_id, detail=request.path, ip=request.remote_addr)
        db.session().commit()
    return attachment, path


@bp.get("/form.js")
def form_script() -> Response:
    """Warns before sending more than the form can carry (served here: the CSP forbids inline scripts)."""
    return Response(render_template("pekon/form.js"), mimetype="text/javascript")


def _own(number: str) -> services.Submission:
    """The operator's submission with this number; 404 for any other ticket, so none is revealed."""
    found = services.own_submission(db.session(), user(), number)
    if found is None:
        abort(404)
    return found


def _render_form(values: dict[str, str], errors: dict[str, str], draft_id: str, kept: list[Attachment],
                 refused: list[scans.Refusal] | None = None) -> str:
    account = user()
    offered = services_for(account.roles)
    steps = []
    for definition in dict.fromkeys(d for s in offered if (d := submitting_definition(s)) is not None):
        steps.append((definition, village_steps(definition, account.roles)))
    return render_template(
        "pekon/form.html", values=values, errors=errors, draft_id=draft_id, kept=kept, refused=refused or [],
        services=offered, kecamatan_options=KECAMATAN, places=_places(values.get("kecamatan") or account.kecamatan_code),
        steps=steps, step_field=step_field,
        max_scans=scans.MAX_SCANS, scan_limit=scans.limit_text(int(current_app.config["MEDIA_MAX_BYTES"])),
        scan_max_bytes=int(current_app.config["MEDIA_MAX_BYTES"]), body_limit=_body_limit(),
        body_limit_text=_body_limit_text(), several_sops=len(definitions_with(SUBMIT)) > 1,
    )


def _places(first: str | None) -> list[tuple[Any, tuple[str, ...]]]:
    """Each kecamatan with its offered pekon, the chosen (or the operator's own) kecamatan leading."""
    offered = villages.offered(db.session())
    order = [first or ""] + [k.code for k in KECAMATAN if k.code != first]
    return [(BY_CODE[c], offered.get(c, ())) for c in order if c in BY_CODE]


def _render_submission(found: services.Submission, *, submitted: dict[str, str] | None = None,
                       errors: dict[str, str] | None = None, refused: list[scans.Refusal] | None = None) -> str:
    session = db.session()
    account = user()
    full_nik = sees_full_nik(account, found.ticket)
    nik = found.applicant.nik
    if full_nik and nik:
        audit.record(session, audit.AuditAction.VIEW_FULL_NIK, staff_id=account.id, ticket_id=found.ticket.id,
                     detail=request.path, ip=request.remote_addr)
        session.commit()
    return render_template(
        "pekon/detail.html", s=found, definition=workflow(found.ticket.workflow),
        nik=(nik if full_nik else mask_nik(nik)) if nik else None, shown=text_shown(full_nik),
        scans=scans.ticket_scans(session, int(found.ticket.id or 0)),
        submitted=submitted or {}, errors=errors or {}, refused=refused or [], output_prefix=OUTPUT_PREFIX,
        scan_limit=scans.limit_text(int(current_app.config["MEDIA_MAX_BYTES"])),
    )


def _version(raw: str) -> int:
    """The ticket version the form was made from; an unreadable one counts as stale (-1 matches none)."""
    version = parse_id(raw)
    return -1 if version is None else version


def _body_limit() -> int:
    return int(current_app.config["MEDIA_MAX_BYTES"]) * scans.MAX_SCANS + 1024 * 1024


def _body_limit_text() -> str:
    return scans.limit_text(_body_limit() - 1024 * 1024)
