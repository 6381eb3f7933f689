"""The public status page (`GET /cek-status`): a ticket's stage in plain words, the date the office works to
and, once the document waits at the UPT, where to pick it up. It takes the ticket (or complaint) number and the
last four digits of the WhatsApp number given; no login, no WhatsApp. It never shows a name, NIK or phone number.

- A wrong pair and an unknown number get the very same page: one query either way, the digits compared in
  constant time, nothing of what was typed written back.
- Rate-limited (`init_app`): lookups per client address, and wrong pairs per ticket number from any address.
- A confidential complaint shows only its stage.
"""

from __future__ import annotations

import hmac
import re
import time
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from flask import Blueprint, Flask, current_app, render_template, request
from flask_limiter.errors import RateLimitExceeded
from sqlmodel import Session, col, select
from werkzeug.wrappers import Response

from layanan.indonesian_words import day_name, long_date
from bot.conversation import parse_ticket_number
from bot.upt_directory import UptOffice, upt_for
from layanan import db
from layanan.clock import to_wib
from routing import workflow
from routing.definition import StageDuty
from tickets.constants import Service
from tickets.models import Applicant, Ticket

bp = Blueprint("status_page", __name__)
PATH = "/cek-status"
ENDPOINT = "status_page.check"
TEMPLATE = "bot/status_page.html"
DIGITS = 4
MAX_INPUT = 40  # longer input is cut: a ticket number in any spelling is far shorter
NO_PHONE = "x" * DIGITS  # what the digits are compared with when there is no ticket or no number: never equal
_DIGITS = re.compile(r"[0-9]{4}", flags=re.ASCII)
MISSED = "layanan.status_page_missed"  # set in the request's environ by a lookup that matched nothing


@dataclass(frozen=True)
class Asked:
    """What the form or a link asked for."""

    nomor: str  # as typed, spaces collapsed
    number: str | None  # the canonical ticket number, if `nomor` is one
    digits: str | None  # exactly four digits, if `hp` is that
    submitted: bool  # both fields were sent

    @property
    def lookup(self) -> bool:
        """Whether there is a pair to look up."""
        return self.number is not None and self.digits is not None


@dataclass(frozen=True)
class Status:
    """What the page tells about a ticket; only the stage for a confidential complaint."""

    number: str
    stage_label: str
    service_label: str | None = None
    expected: str | None = None  # the current stage's deadline, in words (WIB)
    finished: bool = False
    pickup: UptOffice | None = None  # where the document waits, once it does


def status_link(number: str) -> str:
    """The status page with the ticket number filled in, for the messages to the citizen.

    The link carries the number only, never the four digits: a WhatsApp message is forwarded, shown on a
    locked screen and read by whoever holds the phone, so the digits the citizen types are what keeps the
    status to them.
    """
    return f"{current_app.config['PUBLIC_BASE_URL']}{PATH}?{urlencode({'nomor': number})}"


@bp.get(PATH)
def check() -> tuple[str, int]:
    """The form; with `nomor` and `hp` (typed, or from a link) the ticket's status, or one answer for any miss."""
    asked = _asked()
    if not asked.lookup:
        errors = _errors(asked) if asked.submitted else {}
        return render_template(TEMPLATE, nomor=asked.nomor, errors=errors), 400 if errors else 200
    session = db.session()
    ticket = _matching(session, str(asked.number), str(asked.digits))
    if ticket is None:
        request.environ[MISSED] = True
        return render_template(TEMPLATE, nomor="", errors={}, missed=True), 200
    return render_template(TEMPLATE, status=_status(session, ticket)), 200


@bp.after_request
def _not_kept(response: Response) -> Response:
    """The answer is for the person who typed the digits: no cache keeps it, no link out carries the address
    (which holds the digits), no search engine lists it."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.errorhandler(RateLimitExceeded)
def _too_many(_exc: RateLimitExceeded) -> tuple[str, int, dict[str, str]]:
    """Too many lookups from this address, or too many wrong digits for this number: when to try again."""
    hit = current_app.extensions["layanan_limiter"].current_limit
    wait = max(1, int(hit.reset_at - time.time())) if hit is not None else 60
    return render_template(TEMPLATE, limited=wait), 429, {"Retry-After": str(wait)}


def init_app(app: Flask) -> None:
    """Limit the lookups with the app's limiter (after layanan.rate_limits made it): every lookup per client
    address, and wrong pairs per ticket number, counted for unknown numbers alike so a refusal tells nothing."""
    limiter = app.extensions["layanan_limiter"]
    view = app.view_functions[ENDPOINT]
    view = limiter.limit(_limit_per_address, exempt_when=_not_a_lookup, scope="cek-status-alamat")(view)
    view = limiter.limit(_misses_per_number, key_func=_asked_number, exempt_when=_not_a_lookup,
                         deduct_when=_missed, scope="cek-status-nomor")(view)
    app.view_functions[ENDPOINT] = view


def in_words(moment: datetime) -> str:
    """A moment as the citizen reads it: Senin, 4 Mei 2026 pukul 16.00 WIB."""
    local = to_wib(moment)
    return f"{day_name(local.date())}, {long_date(local.date())} pukul {local:%H.%M} WIB"


def _asked() -> Asked:
    """What the query string asks (the limits read it before the view does)."""
    nomor = " ".join(request.args.get("nomor", "").split())[:MAX_INPUT]
    hp = "".join(request.args.get("hp", "").split())[:MAX_INPUT]
    return Asked(nomor=nomor, number=parse_ticket_number(nomor) if nomor else None,
                 digits=hp if _DIGITS.fullmatch(hp) else None,
                 submitted="nomor" in request.args and "hp" in request.args)


def _errors(asked: Asked) -> dict[str, str]:
    """What is wrong with a submitted form, as codes the template explains."""
    errors = {}
    if asked.number is None:
        errors["nomor"] = "empty" if not asked.nomor else "invalid"
    if asked.digits is None:
        errors["hp"] = "invalid"
    return errors


def _matching(session: Session, number: str, digits: str) -> Ticket | None:
    """The ticket with this number whose WhatsApp number ends in these digits. An unknown number takes the same
    query and the same comparison as a wrong pair."""
    row = session.exec(
        select(Ticket, col(Applicant.phone)).join(Applicant, col(Applicant.id) == col(Ticket.applicant_id))
        .where(col(Ticket.number) == number)
    ).first()
    ticket, phone = row if row is not None else (None, None)
    expected = phone[-DIGITS:] if phone and len(phone) >= DIGITS else NO_PHONE
    return ticket if hmac.compare_digest(expected, digits) and ticket is not None else None


def _status(session: Session, ticket: Ticket) -> Status:
    definition = workflow(ticket.workflow)
    stage = definition.stage(ticket.stage)
    if ticket.confidential:
        return Status(ticket.number, stage.citizen_label)
    pickup = None
    if (definition.has_duty(StageDuty.PICKUP) and definition.stage_for(StageDuty.PICKUP).key == stage.key
            and ticket.kecamatan_code):
        pickup = upt_for(session, ticket.kecamatan_code)
    expected = in_words(ticket.due_at) if ticket.due_at is not None and not stage.is_terminal else None
    return Status(ticket.number, stage.citizen_label, Service(ticket.service).label, expected, stage.is_terminal,
                  pickup)


def _not_a_lookup() -> bool:
    return not _asked().lookup


def _asked_number() -> str:
    return str(_asked().number)


def _missed(_response: Response) -> bool:
    return bool(request.environ.get(MISSED))


def _limit_per_address() -> str:
    return current_app.config["STATUS_PAGE_LIMIT_PER_IP"]


def _misses_per_number() -> str:
    return current_app.config["STATUS_PAGE_MISSES_PER_NUMBER"]
