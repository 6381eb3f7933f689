"""The back office: the landing page, the work queue, the ticket page and its actions, the files."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    get_template_attribute,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from jinja2_fragments.flask import render_blocks
from sqlmodel import Session, col, select
from werkzeug.wrappers import Response

from tickets.messages import Attachment
from tickets.privacy import identity_withheld, mask_nik, pseudonym, text_shown
from layanan import db
from layanan.ids import parse_id
from layanan.images import send_thumbnail
from routing import office, workflow
from routing.definition import Action, RoleDuty
from routing.engine import MissingOutput, TransitionError
from tickets import audit, detail, kept_forms, retention, services
from tickets.access import (
    can_open_attachments,
    can_view_ticket,
    duty_roles,
    home_endpoint,
    queue_roles,
    may_see_link,
    queue_scope,
    record_identity_shown,
    roles_required,
    sees_full_nik,
    sees_identity,
    user,
)
from tickets.accounts import ADMIN_ROLE
from tickets.constants import AttachmentStatus, Service
from tickets.kecamatan import BY_CODE, KECAMATAN
from tickets.models import Ticket
from tickets.queries import (
    PAGE_SIZE,
    Cursor,
    QueueFilters,
    QueueSort,
    SearchKind,
    SlaState,
    SortKey,
    parse_search,
    queue_page,
    stage_counts,
)
from tickets.staff import StaffUser
from tickets.staff_pages import guard
from layanan.clock import utcnow
from tickets.workflow_service import Conflict, act

log = logging.getLogger(__name__)
bp = Blueprint("backoffice", __name__)
guard(bp)
MESSAGES = "tickets/messages.txt"
# Form fields that are the form's own, not something the staff member typed.
_FORM_OWN = frozenset({"csrf_token", "version", "action"})


def is_htmx() -> bool:
    """Whether htmx asked for a part of the page (a history restore wants the whole page)."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request")


@bp.app_context_processor
def backoffice_helpers() -> dict[str, Any]:
    """Names and links every back-office template needs."""
    return {
        "definition": office(),
        "service_label": _service_label,
        "kecamatan_name": _kecamatan_name,
        "help_desk_roles": duty_roles(RoleDuty.ANSWER_CITIZENS, admin=True),
        "admin_role": ADMIN_ROLE,
    }


@bp.get("/")
def home() -> Response | str:
    """Logged-in staff go to their queue; everyone else sees the landing page."""
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(user())))
    return render_template("tickets/landing.html", simulator=not current_app.config["TWILIO_ENABLED"])


@bp.get("/antrian")
@roles_required()
def queue() -> Response:
    """The tickets waiting for one of the user's roles, most urgent first or by the column the user chose,
    with filters and search; htmx gets just the table and the stage tabs."""
    account = user()
    roles = queue_roles(account)
    requested = request.args.get("peran", "")
    role = requested if requested in roles else roles[0]
    scope = queue_scope(account, role)
    args = _queue_args(scope.visible_stages)
    raw_search = request.args.get("q", "").strip()
    search = parse_search(raw_search)
    filters = QueueFilters(stage=args.get("tahap"), kecamatan=args.get("kecamatan"), service=args.get("layanan"),
                           overdue=args.get("terlambat") == "1", search=search,
                           sla=SlaState(args["sla"]) if "sla" in args else None)
    sort = QueueSort.parse(request.args.get("urut"), request.args.get("arah"))
    session = db.session()
    now = utcnow()
    counts = {} if scope.lookup_only else stage_counts(session, scope, now=now)
    page = None
    search_invalid = bool(raw_search) and search is None
    after = Cursor.decode(request.args.get("setelah"))
    if request.args.get("setelah") and (after is None or not after.fits(sort)):
        abort(400)  # a cursor this page never wrote
    if not search_invalid:
        page = queue_page(session, scope, filters, now=now, after=after, sort=sort,
                          limit=int(current_app.config.get("QUEUE_PAGE_SIZE", PAGE_SIZE)))
    claimants = _names(session, {r.ticket.claimed_by_id for r in page.rows} if page else set())
    if page and search and search.kind is not SearchKind.NUMBER:
        # Found by who the citizen is: the match names the filer (found only where the account may know it).
        filers = [r.ticket for r in page.rows if r.ticket.confidential]
        if filers:
            record_identity_shown(account, filers)
            session.commit()
    context = dict(
        role=role, roles=roles, scope=scope, counts=counts, page=page, now=now,
        args=dict(args, peran=role, **({"q": raw_search} if raw_search else {}), **sort.args()),
        search_invalid=search_invalid,
        claimants=claimants, mask_nik=mask_nik, pseudonym=pseudonym, kecamatan_options=KECAMATAN,
        service_options=list(Service), sort=sort, sort_keys=SortKey, first_page=not request.args.get("setelah"),
    )
    if is_htmx():
        # The table is the target; the stage tabs come out of band, as their links carry the filters.
        response = make_response(render_blocks("tickets/queue.html", ["queue_results", "queue_tabs"], oob=True,
                                               **context))
    else:
        response = make_response(render_template("tickets/queue.html", **context))
    response.vary.add("HX-Request")  # one address, a part or the whole page
    return response


@bp.get("/tiket/<number>")
@roles_required()
def ticket_detail(number: str) -> str:
    """One ticket: applicant, conversation, files, timeline, deadline and the user's actions; after a refused
    action, its form filled again with what was typed and each error beside its field."""
    ticket = _viewable_ticket(number)
    kept = kept_forms.take(ticket.number)
    if kept:
        return _render_detail(ticket, submitted=kept.get("typed"), errors=kept.get("errors"),
                              failed_action=kept.get("action"))
    return _render_detail(ticket)


@bp.post("/tiket/<number>/aksi")
@roles_required()
def ticket_action(number: str) -> Response | str:
    """Carry out one action on the ticket. A form post is answered with a redirect (post/redirect/get), an
    htmx one with the re-rendered panel, head and history; a refusal keeps what was typed and says why."""
    ticket = _viewable_ticket(number)
    account = user()
    try:
        action = Action(request.form.get("action", ""))
    except ValueError:
        return _refused(ticket, None, get_template_attribute(MESSAGES, "action_unknown")(), status=422)
    version = parse_id(request.form.get("version"))
    definition = workflow(ticket.workflow)
    payload = detail.payload_from_form(definition, ticket, action, request.form)
    try:
        ticket, _event, transition = act(
            db.session(), ticket, action, actor_id=account.id, actor_roles=set(account.roles),
            expected_version=-1 if version is None else version, payload=payload,  # unreadable: a stale form
        )
    except Conflict:
        return _refused(_viewable_ticket(number), action, get_template_attribute(MESSAGES, "conflict")(), status=409)
    except TransitionError as exc:
        errors = exc.fields if isinstance(exc, MissingOutput) else {}
        return _refused(_viewable_ticket(number), action, exc.message, errors=errors, status=422)
    done = get_template_attribute(MESSAGES, "action_done")
    message = done(action=str(action), number=ticket.number, stage=definition.stage(transition.to_stage).name)
    still_mine = detail.action_forms(definition, ticket, account).actions
    left = transition.moves and not still_mine
    if is_htmx():
        return _ticket_fragment(ticket, notice=message, left_queue=left)
    flash(message)
    if left:
        return redirect(url_for("backoffice.queue"), code=303)
    return redirect(url_for("backoffice.ticket_detail", number=ticket.number), code=303)


def _refused(ticket: Ticket, action: Action | None, message: str, *, status: int,
             errors: dict[str, str] | None = None) -> Response:
    """A refused action: the ticket page again with the message, the form's typed values and each error."""
    typed = {name: values if len(values) > 1 else values[0]
             for name, values in request.form.lists() if name not in _FORM_OWN}
    failed = str(action) if action else None
    if is_htmx():
        response = make_response(_ticket_fragment(ticket, notice=message, notice_error=True, submitted=typed,
                                                  errors=errors, failed_action=failed), status)
        response.headers["HX-Retarget"] = "#ticket-side"
        response.headers["HX-Reswap"] = "outerHTML"
        return response
    # Kept for the next view only (as flash does), so a reload shows the page without posting again.
    kept_forms.keep(ticket.number, failed, typed, dict(errors or {}))
    flash(message, "error")
    return redirect(url_for("backoffice.ticket_detail", number=ticket.number, _anchor="tindakan"), code=303)


@bp.get("/tiket/<number>/lampiran/<id:attachment_id>")
@roles_required()
def attachment_file(number: str, attachment_id: int) -> Response:
    """A citizen's file, only for the roles that may open it and never kept in a cache."""
    ticket, attachment, path = _openable_attachment(number, attachment_id)
    content_type = attachment.content_type or "application/octet-stream"
    log.info("staff %s opened attachment %s of ticket %s", user().username, attachment.id, ticket.number)
    audit.record(db.session(), audit.AuditAction.VIEW_ATTACHMENT, staff_id=user().id, ticket_id=ticket.id,
                 detail=request.path, ip=request.remote_addr)
    db.session().commit()
    response = send_file(path, mimetype=content_type, as_attachment=content_type not in detail.INLINE_TYPES,
                         download_name=f"{ticket.number}-lampiran-{attachment.id}{_extension(content_type)}",
                         conditional=False, etag=False, max_age=None)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/tiket/<number>/lampiran/<id:attachment_id>/kecil")
@roles_required()
def attachment_thumbnail(number: str, attachment_id: int) -> Response:
    """A bounded thumbnail of an image attachment, under the same rule as the file itself."""
    ticket, attachment, path = _openable_attachment(number, attachment_id)
    if not (attachment.content_type or "").startswith("image/"):
        abort(404)
    audit.record(db.session(), audit.AuditAction.VIEW_ATTACHMENT, staff_id=user().id, ticket_id=ticket.id,
                 detail=request.path, ip=request.remote_addr)  # a thumbnail shows the document too
    db.session().commit()
    return send_thumbnail(current_app.config, path, attachment.sha256)


def _openable_attachment(number: str, attachment_id: int) -> tuple[Ticket, Attachment, Path]:
    """The ticket, the stored attachment and its file, for a reader allowed to open it; else 403/404."""
    ticket = _viewable_ticket(number)
    attachment = db.session().get(Attachment, attachment_id)
    if attachment is None or attachment.ticket_id != ticket.id:
        abort(404)
    if not can_open_attachments(user(), ticket):
        abort(403)
    if attachment.status != AttachmentStatus.STORED or not attachment.storage_path:
        abort(404)
    root = Path(current_app.config["MEDIA_PATH"]).resolve()
    path = (root / attachment.storage_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        abort(404)
    return ticket, attachment, path


def _render_detail(ticket: Ticket, **kept: Any) -> str:
    return render_template("tickets/detail.html", **_detail_context(ticket, **kept))


def _ticket_fragment(ticket: Ticket, *, notice: str, notice_error: bool = False, left_queue: bool = False,
                     **kept: Any) -> str:
    """What an htmx action swaps in: the side panel with the outcome on top, the head, the call and complaint
    panels and the history."""
    context = _detail_context(ticket, **kept)
    blocks = ["ticket_side", "ticket_head", "ticket_panels", "ticket_timeline"]
    return render_blocks("tickets/detail.html", blocks, oob=True, notice=notice, notice_error=notice_error,
                         left_queue=left_queue, **context)


def _detail_context(ticket: Ticket, *, submitted: Any = None, errors: Any = None,
                    failed_action: str | None = None) -> dict[str, Any]:
    session = db.session()
    account = user()
    definition = workflow(ticket.workflow)
    applicant = services.applicant_of(session, ticket)
    identity = sees_identity(account, ticket)
    full_nik = identity and sees_full_nik(account, ticket)
    # A reader who may not know a confidential filer reads the citizen's words without what names them.
    shown = text_shown(full_nik) if identity else identity_withheld(applicant.name)
    description = shown(ticket.description) if ticket.description else None
    chat = detail.conversation(session, ticket, applicant, shown=shown)
    timeline = detail.timeline(session, ticket, shown=shown)
    related = _related(session, account, ticket)
    filers = [t for t in ([ticket] if identity else []) + related.filers_shown if t.confidential]
    if filers:
        record_identity_shown(account, filers)
    full_nik_shown = full_nik and detail.shows_a_nik(applicant, description, chat, timeline)
    if full_nik_shown:
        audit.record(session, audit.AuditAction.VIEW_FULL_NIK, staff_id=account.id, ticket_id=ticket.id,
                     detail=request.path, ip=request.remote_addr)
    if filers or full_nik_shown:
        session.commit()
    if full_nik_shown:
        log.info("staff %s viewed the full NIK of ticket %s", account.username, ticket.number)
    if filers:
        log.info("staff %s was shown who filed confidential ticket(s) %s", account.username,
                 ", ".join(t.number for t in filers))
    now = utcnow()
    return dict(
        ticket=ticket,
        definition=definition,
        applicant=applicant if identity else None,
        pseudonym=pseudonym(ticket.number),
        related=related,
        nik=(applicant.nik if full_nik else mask_nik(applicant.nik)) if applicant.nik and identity else None,
        stage=definition.stage(ticket.stage),
        claimant=session.get(StaffUser, ticket.claimed_by_id) if ticket.claimed_by_id else None,
        clock=detail.sla_clock(ticket, now),
        description=description,
        chat=chat,
        attachments=detail.attachments(session, ticket),
        may_open=can_open_attachments(account, ticket),
        timeline=timeline,
        forms=detail.action_forms(definition, ticket, account, submitted=submitted, errors=errors,
                                  failed_action=failed_action),
        output_labels=detail.output_labels(definition),
        output_prefix=detail.OUTPUT_PREFIX,
        purged_at=retention.purged_at(session, ticket.id),
    )


@dataclass(frozen=True)
class _Related:
    """The related tickets the reader may see (`access.may_see_link`)."""

    about: detail.LinkedTicket | None
    about_this: list[detail.LinkedTicket]
    about_withheld: bool  # this confidential ticket is about another one, not linked for this reader

    @property
    def filers_shown(self) -> list[Ticket]:
        """The tickets whose filer the listed links name (one citizen behind both ends)."""
        links = ([self.about] if self.about else []) + self.about_this
        return [link.ticket for link in links if link.same_citizen]


def _related(session: Session, account: StaffUser, ticket: Ticket) -> _Related:
    found = detail.related_tickets(session, ticket)
    about = found.about
    about_this = [link for link in found.about_this if may_see_link(account, ticket, link.ticket)]
    if about is not None and not may_see_link(account, ticket, about.ticket):
        withheld = ticket.confidential and not sees_identity(account, ticket) and can_view_ticket(account, about.ticket)
        return _Related(None, about_this, withheld)
    return _Related(about, about_this, False)


def _viewable_ticket(number: str) -> Ticket:
    """The ticket with this number if the user may see it: 404 when there is none, 403 when not theirs."""
    ticket = services.get_by_number(db.session(), number)
    if ticket is None:
        abort(404)
    if not can_view_ticket(user(), ticket):
        abort(403)
    return ticket


def _queue_args(stages: tuple[str, ...]) -> dict[str, str]:
    """The queue's filter arguments, keeping only values that name something real."""
    args: dict[str, str] = {}
    stage = request.args.get("tahap", "")
    if stage in stages:
        args["tahap"] = stage
    kecamatan = request.args.get("kecamatan", "")
    if kecamatan in BY_CODE:
        args["kecamatan"] = kecamatan
    service = request.args.get("layanan", "")
    if service in {s.value for s in Service}:
        args["layanan"] = service
    if request.args.get("terlambat") == "1":
        args["terlambat"] = "1"
    if request.args.get("sla") in {s.value for s in SlaState}:
        args["sla"] = request.args["sla"]
    return args


def _names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = session.exec(select(col(StaffUser.id), col(StaffUser.full_name)).where(col(StaffUser.id).in_(wanted))).all()
    return {int(ident): name for ident, name in rows if ident is not None}


def _service_label(value: str) -> str:
    try:
        return Service(value).label
    except ValueError:
        return value


def _kecamatan_name(code: str | None) -> str | None:
    kecamatan = BY_CODE.get(code or "")
    return kecamatan.name if kecamatan else code


def _extension(content_type: str) -> str:
    return {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "application/pdf": ".pdf"}.get(
        content_type, ""
    )
