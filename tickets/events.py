"""Where features hook into the ticket core: the core emits, features listen.

Each feature registers its handlers in its `init_app`; the core knows nothing of PDFs, berita acara
or WhatsApp. Handlers run inside the caller's transaction (they may add rows, defer jobs, or raise
a TransitionError to refuse the change), so they must be idempotent: a retried transaction runs
them again.

- `TicketEvent.CREATED`       handler(session, ticket)
- `TicketEvent.STAGE_ENTERED` handler(session, ticket, event, transition)  the ticket moved into
                              event.to_stage; transition.milestone is what the citizen is to be told
- `TicketEvent.STAGE_LEFT`    handler(session, ticket, event, transition)  it moved out of event.from_stage
- output providers            provider(session, ticket, spec) -> value, one per OutputSource the core
                              does not fill itself ("output required")
- pending matters             what may wait for a phone number when a message arrives from it
                              ("message received for a number"): an EXISTS clause for the webhook's
                              one query, and a handler that deals with the message
- advance elsewhere           finder(session, ticket) -> Elsewhere | None: the stage's advance is taken
                              on a feature's page (the signing page, the berita acara), so the ticket
                              page points there instead of offering a form that could only fail
- home pages                  chooser(account) -> endpoint | None: where an account lands after logging in
                              when a feature's page is all its work (the phone pages of the field staff)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

from routing.definition import OutputField, OutputSource

if TYPE_CHECKING:
    from sqlalchemy.sql.elements import ColumnElement
    from sqlmodel import Session

    from tickets.models import Ticket

EXTENSION = "ticket_events"


class TicketEvent(StrEnum):
    CREATED = "ticket_created"
    STAGE_ENTERED = "stage_entered"
    STAGE_LEFT = "stage_left"


OutputProvider = Callable[["Session", "Ticket", OutputField], Any]


@dataclass(frozen=True)
class PendingMatter:
    """Something a feature keeps waiting on a phone number (a PDF to resend, a requested document)."""

    kind: str  # the name the conversation knows it by
    # phone -> EXISTS clause, read in the webhook's one query. The webhook builds that query once and passes
    # a bind parameter for the phone, so the clause must only compare columns with it (no Python on its value).
    exists: Callable[[Any], "ColumnElement[bool]"]
    handle: Callable[..., Any]  # called by the webhook when the conversation hands the message to it


@dataclass(frozen=True)
class Elsewhere:
    """Where a ticket's advance is taken instead of its own page, as the ticket page points to it."""

    url: str
    label: str  # the link's text
    why: str  # one sentence saying why the step is taken there


ElsewhereFinder = Callable[["Session", "Ticket"], Elsewhere | None]
HomeChooser = Callable[[Any], str | None]


@dataclass
class _Hooks:
    listeners: dict[TicketEvent, list[Callable[..., None]]]
    outputs: dict[OutputSource, OutputProvider]
    pending: dict[str, PendingMatter]
    elsewhere: list[ElsewhereFinder]
    homes: list[HomeChooser]


def init_app(app: Flask) -> None:
    """Give the app an empty set of hooks; features fill it in their own init_app. Templates get
    `advance_elsewhere(ticket)`."""
    app.extensions[EXTENSION] = _Hooks(listeners={e: [] for e in TicketEvent}, outputs={}, pending={}, elsewhere=[],
                                      homes=[])
    app.context_processor(_template_helpers)


def _template_helpers() -> dict[str, Any]:
    from layanan import db

    return {"advance_elsewhere": lambda ticket: advance_elsewhere(db.session(), ticket)}


def _hooks(app: Flask | None = None) -> _Hooks:
    return (app or current_app).extensions[EXTENSION]


def on(app: Flask, event: TicketEvent, handler: Callable[..., None]) -> None:
    """Call handler whenever the core emits event."""
    _hooks(app).listeners[event].append(handler)


def emit(event: TicketEvent, *args: Any) -> None:
    """Run every handler of event, in registration order, inside the caller's transaction."""
    for handler in _hooks().listeners[event]:
        handler(*args)


def provide_output(app: Flask, source: OutputSource, provider: OutputProvider) -> None:
    """Make provider the one that fills outputs of this source."""
    hooks = _hooks(app)
    if source in hooks.outputs:
        raise ValueError(f"outputs of source {source.value!r} already have a provider")
    hooks.outputs[source] = provider


def output_provider(source: OutputSource) -> OutputProvider:
    """The feature function that fills outputs of this source; LookupError if no feature does."""
    try:
        return _hooks().outputs[source]
    except KeyError:
        raise LookupError(f"no feature fills outputs of source {source.value!r}") from None


def add_pending(app: Flask, matter: PendingMatter) -> None:
    """Register something that may wait for a phone number."""
    _hooks(app).pending[matter.kind] = matter


def pending_matters() -> tuple[PendingMatter, ...]:
    """Every registered kind of pending matter, in registration order."""
    return tuple(_hooks().pending.values())


def pending_matter(kind: str) -> PendingMatter:
    """The registered pending matter of this kind."""
    return _hooks().pending[kind]


def take_advance_elsewhere(app: Flask, finder: ElsewhereFinder) -> None:
    """Register a finder of tickets whose advance is taken on a feature's page."""
    _hooks(app).elsewhere.append(finder)


def advance_elsewhere(session: "Session", ticket: "Ticket") -> Elsewhere | None:
    """Where this ticket's advance is taken, when a feature takes it away from the ticket page."""
    for finder in _hooks().elsewhere:
        found = finder(session, ticket)
        if found is not None:
            return found
    return None


def choose_home(app: Flask, chooser: HomeChooser) -> None:
    """Register a chooser of the page an account lands on after logging in."""
    _hooks(app).homes.append(chooser)


def feature_home(account: Any) -> str | None:
    """The endpoint a feature chose for this account's landing page, if one did."""
    for chooser in _hooks().homes:
        found = chooser(account)
        if found is not None:
            return found
    return None
