"""Who may do what in the back office.

- Pages: every route needs a logged-in account holding at least one known role (a workflow role
  or admin); `roles_required` narrows a route to named roles. Anonymous users are sent to the
  login page, logged-in users without the role get the 403 page.
- Tickets: everyone with a role may open a ticket, except that an account whose only work is bound
  to one kecamatan (the SOP's `kecamatan_bound` duty, the UPT) sees only tickets of its own
  kecamatan (`StaffUser.kecamatan_code`); such an account without a kecamatan sees none.
- Full NIK: only the roles the ticket's SOP marks `sees_full_nik` (definition.roles_seeing_full_nik).
  Admin does not: administering accounts needs no personal data. Lists always mask.
- Confidential tickets (a complaint whose filer asked for it): name, NIK and WhatsApp number only
  for the roles of the SOP's `see_protected_identity` duty (`sees_identity`), on the ticket page, each
  view audited; everyone else, admin included, sees `privacy.pseudonym(ticket)` and the citizen's words
  without the numbers and name in them (`privacy.identity_withheld`). Lists (queue, help desk, call
  log) and the API show the pseudonym to everyone; API tokens hold no role, so never the identity.
  Whatever would link the ticket to its filer follows the same rule: a search by NIK or number finds
  it only for those roles (and that is recorded too), the help desk lists it under the citizen's number
  only for them, and so does a link between it and a related ticket (`may_see_link`).
- Attachments (the citizen's scanned documents): the roles that see the full NIK (they work with
  the documents' data), the role owning the ticket's current stage (it has the berkas in hand;
  for a ticket waiting for the citizen, the owner of the stage it will return to) and admin (for
  complaints about the service itself). Everyone else sees that files exist, not their content.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from layanan import db
from layanan.security import login_manager
from routing import definitions, definitions_with, roles_with_duty, workflow
from routing.definition import RoleDuty, StageKind
from tickets import audit, events
from tickets.accounts import ADMIN_ROLE, known_roles
from tickets.models import Ticket
from tickets.queries import QueueScope
from tickets.services import submitter_id
from tickets.staff import StaffUser

View = TypeVar("View", bound=Callable[..., Any])


def user() -> StaffUser:
    """The logged-in staff member of this request (call only behind a login check)."""
    return cast(StaffUser, current_user._get_current_object())


def has_any_role(account: StaffUser) -> bool:
    """Whether the account holds at least one role this system knows."""
    return bool(set(account.roles) & known_roles())


def duty_roles(duty: RoleDuty, *, admin: bool = False) -> tuple[str, ...]:
    """The roles that carry out this duty in any SOP, plus the administrator when asked."""
    return roles_with_duty(duty) + ((ADMIN_ROLE,) if admin else ())


def has_duty(account: StaffUser, duty: RoleDuty) -> bool:
    """Whether the account holds a role that carries out this duty in some SOP."""
    return account.has_role(*roles_with_duty(duty))


def duty_required(duty: RoleDuty, *, admin: bool = False) -> Callable[[View], View]:
    """Let in the holders of the roles that carry out this duty (checked per request, as SOPs are read once)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return roles_required(*duty_roles(duty, admin=admin))(view)(*args, **kwargs)

        return cast(View, wrapper)

    return decorate


def allowed(roles: Callable[[], tuple[str, ...]]) -> Callable[[View], View]:
    """Let in the holders of the roles the SOPs give these pages (looked up per request, as SOPs are read once)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return roles_required(*roles())(view)(*args, **kwargs)

        return cast(View, wrapper)

    return decorate


def roles_required(*roles: str) -> Callable[[View], View]:
    """Let in logged-in users holding any of `roles` (any known role when none are named); 403 for others."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                if request.method != "GET":
                    # After logging in the browser would GET a POST-only URL: start from the landing page.
                    flash(login_manager.login_message, login_manager.login_message_category)
                    return redirect(url_for(str(login_manager.login_view)))
                return login_manager.unauthorized()
            account = user()
            allowed = account.has_role(*roles) if roles else has_any_role(account)
            if not allowed:
                abort(403)
            return view(*args, **kwargs)

        return cast(View, wrapper)

    return decorate


def only_does(account: StaffUser, duty: RoleDuty) -> bool:
    """Whether the account has roles and every one of them carries out this duty in some SOP."""
    return bool(account.roles) and set(account.roles) <= set(roles_with_duty(duty))


def is_upt_only(account: StaffUser) -> bool:
    """Whether every role of the account is bound to one kecamatan (the UPT), so it sees only that one."""
    return only_does(account, RoleDuty.KECAMATAN_BOUND)


def submits_only(account: StaffUser) -> bool:
    """Whether every role of the account submits for citizens (village staff): it sees only its own submissions."""
    return only_does(account, RoleDuty.SUBMIT_FOR_CITIZEN)


def can_view_ticket(account: StaffUser, ticket: Ticket) -> bool:
    """Whether the account may open this ticket at all."""
    if not has_any_role(account):
        return False
    if is_upt_only(account):
        return account.kecamatan_code is not None and ticket.kecamatan_code == account.kecamatan_code
    if submits_only(account):
        return submitter_id(db.session(), ticket) == account.id
    return True


def sees_full_nik(account: StaffUser, ticket: Ticket) -> bool:
    """Whether the account may read the unmasked NIK of this ticket's applicant."""
    return bool(set(account.roles) & workflow(ticket.workflow).roles_seeing_full_nik)


def identity_workflows(account: StaffUser) -> tuple[str, ...]:
    """The SOPs in which the account may know who filed a confidential ticket (its `see_protected_identity`)."""
    return tuple(d.key for d in definitions_with(RoleDuty.SEE_PROTECTED_IDENTITY)
                 if account.has_role(*d.roles_for(RoleDuty.SEE_PROTECTED_IDENTITY)))


def sees_identity(account: StaffUser, ticket: Ticket) -> bool:
    """Whether the account may know who filed this ticket: always, unless the citizen asked for
    confidentiality; then only the roles of the SOP's `see_protected_identity` duty (not admin)."""
    return not ticket.confidential or ticket.workflow in identity_workflows(account)


def record_identity_shown(account: StaffUser, tickets: Iterable[Ticket]) -> None:
    """Add an audit record for each confidential ticket whose filer this request shows the account
    (not committed: the caller commits it with its work)."""
    for ticket in {t.id: t for t in tickets if t.confidential}.values():
        audit.record(db.session(), audit.AuditAction.VIEW_PROTECTED_IDENTITY, staff_id=account.id,
                     ticket_id=ticket.id, detail=request.path, ip=request.remote_addr)


def may_see_link(account: StaffUser, ticket: Ticket, other: Ticket) -> bool:
    """Whether the account may see that two tickets are related: it may open the other one, and may know
    the filer of each end (a complaint is mostly about the filer's own request, whose page names them)."""
    return can_view_ticket(account, other) and sees_identity(account, ticket) and sees_identity(account, other)


def stage_owner(ticket: Ticket) -> str | None:
    """The role that has the ticket in hand: its stage's role, or for a waiting ticket the role it returns to."""
    definition = workflow(ticket.workflow)
    stage = definition.stage(ticket.stage)
    if stage.kind is StageKind.WAITING and ticket.return_stage and definition.has_stage(ticket.return_stage):
        stage = definition.stage(ticket.return_stage)
    return stage.role


def can_open_attachments(account: StaffUser, ticket: Ticket) -> bool:
    """Whether the account may open the citizen's files of this ticket (see the module docstring)."""
    if not can_view_ticket(account, ticket):
        return False
    if account.has_role(ADMIN_ROLE) or sees_full_nik(account, ticket):
        return True
    owner = stage_owner(ticket)
    return owner is not None and account.has_role(owner)


def home_endpoint(account: StaffUser) -> str:
    """Where an account lands after logging in: its queue, the staff list for a pure administrator,
    the call-logging screen for a pure call-center agent, the submissions page for pure village staff."""
    if set(account.roles) == {ADMIN_ROLE}:
        return "admin.staff_list"
    if chosen := events.feature_home(account):
        return chosen  # e.g. the phone page of a courier, UPT or pick-up counter whose work is all there
    if only_does(account, RoleDuty.TAKE_CALLS):
        return "call_center.log_form"  # agents own no stage: their work is logging calls
    if submits_only(account):
        return "pekon.submissions"  # village staff submit for citizens and follow their submissions there
    return "backoffice.queue"


def queue_roles(account: StaffUser) -> list[str]:
    """The roles the account may open a queue for, in SOP order (SOP by SOP), admin last."""
    order = [role.key for d in definitions() for role in d.roles] + [ADMIN_ROLE]
    return [role for role in dict.fromkeys(order) if role in account.roles]


def queue_scope(account: StaffUser, role: str) -> QueueScope:
    """The tickets the account's queue for one of its roles may list, in every SOP that has the role."""
    bound = role in roles_with_duty(RoleDuty.KECAMATAN_BOUND)
    if role not in account.roles or (bound and account.kecamatan_code is None):
        return QueueScope(stages=())
    own = tuple(dict.fromkeys(s.key for d in definitions() for s in d.stages_for_role(role)))
    if not own:
        # Roles without a stage of their own (call center, admin) look tickets up to answer questions.
        every = tuple(dict.fromkeys(k for d in definitions() for k in d.stage_keys))
        return QueueScope(stages=every, lookup_only=True, identity_in=identity_workflows(account))
    waiting = tuple(dict.fromkeys(d.waiting_stage.key for d in definitions()
                                  if d.waiting_stage and d.stages_for_role(role)))
    return QueueScope(
        stages=own,
        resumes_to=own,
        waiting_stages=waiting,
        kecamatan_code=account.kecamatan_code if bound else None,
        submitted_by=account.id if submits_only(account) else None,
        identity_in=identity_workflows(account),
    )
