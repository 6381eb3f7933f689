"""Outreach requests: the request with its letter, the schedule, the results and the monthly recap; commits here."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from outreach.models import OutreachRequest
from routing import definitions_with
from routing.definition import Definition, RoleDuty
from tickets.constants import DOCUMENT_SERVICES, Service
from tickets.models import Ticket
from tickets.services import create_ticket
from tickets.staff import StaffUser

log = logging.getLogger(__name__)
FEATURE = "jemput bola atas permintaan"
MAX_PEOPLE = 10_000
# What a team can do on the spot: the document services.
SERVICES: tuple[Service, ...] = DOCUMENT_SERVICES


class OutreachError(ValueError):
    """A step cannot be taken; the message is Indonesian and safe to show."""


@dataclass(frozen=True)
class RequestForm:
    """A request as checked input."""

    requester: str
    kecamatan_code: str
    pekon: str
    letter_number: str
    expected_people: int
    services: tuple[str, ...]
    proposed_date: date
    notes: str


@dataclass(frozen=True)
class MonthLine:
    """One visit of the month in the recap."""

    request: OutreachRequest
    ticket: Ticket
    served: int
    counts: Mapping[str, int]  # residents per service (Service value)
    by_name: bool  # counted from the residents recorded by name; else the counts typed before that


@dataclass(frozen=True)
class MonthReport:
    month: date  # its first day
    lines: tuple[MonthLine, ...]
    per_service: tuple[tuple[Service, int], ...]
    expected: int  # residents the visits of the month expected
    served: int  # residents served on them


def outreach_definition() -> Definition:
    """The SOP outreach requests run on: the one whose roles may ask for one."""
    found = definitions_with(RoleDuty.REQUEST_OUTREACH)
    if not found:
        raise OutreachError("Belum ada SOP jemput bola atas permintaan.")
    return found[0]


def check_request(raw: Mapping[str, str], services: Iterable[str], kecamatan: Iterable[str]) -> tuple[
        RequestForm | None, dict[str, str]]:
    """The request typed in the form, or the problems keyed by field (Indonesian)."""
    errors: dict[str, str] = {}
    text = {k: " ".join(str(v).split()) for k, v in raw.items()}
    if not text.get("pemohon"):
        errors["pemohon"] = "Isi nama pekon atau lembaga pemohon."
    if text.get("kecamatan") not in set(kecamatan):
        errors["kecamatan"] = "Pilih kecamatan."
    if not text.get("pekon"):
        errors["pekon"] = "Isi nama pekon/kelurahan lokasi pelayanan."
    people = 0
    try:
        people = int(text.get("jumlah", ""))
        if not 1 <= people <= MAX_PEOPLE:
            raise ValueError
    except ValueError:
        errors["jumlah"] = f"Perkiraan jumlah warga harus angka 1-{MAX_PEOPLE}."
    known = {s.value for s in SERVICES}
    chosen = tuple(dict.fromkeys(s for s in services if s in known))
    if not chosen:
        errors["layanan"] = "Pilih sedikitnya satu layanan yang dibutuhkan."
    proposed = None
    try:
        proposed = date.fromisoformat(text.get("tanggal", ""))
    except ValueError:
        errors["tanggal"] = "Isi tanggal yang diusulkan."
    if errors or proposed is None:
        return None, errors
    return RequestForm(requester=text["pemohon"][:120], kecamatan_code=text["kecamatan"], pekon=text["pekon"][:120],
                       letter_number=text.get("nomor_surat", "")[:80], expected_people=people, services=chosen,
                       proposed_date=proposed, notes=text.get("catatan", "")[:1000]), {}


def submit_request(session: Session, form: RequestForm, actor: StaffUser) -> OutreachRequest:
    """Open the request's ticket in the SOP's first stage and keep the request beside it; the caller stores the
    letter and commits."""
    definition = outreach_definition()
    role = next((r for r in definition.roles_for(RoleDuty.REQUEST_OUTREACH, FEATURE) if actor.has_role(r)), None)
    ticket = create_ticket(
        session, service=Service.JEMPUT_BOLA, channel=definition.serves[0].channel,  # type: ignore[arg-type]
        phone=None, name=form.requester, kecamatan_code=form.kecamatan_code,
        description=f"Permintaan jemput bola {form.requester} ({form.pekon}), sekitar {form.expected_people} warga",
        actor_id=actor.id, actor_role=role,
    )
    request = OutreachRequest(ticket_id=int(ticket.id or 0), requester=form.requester,
                              kecamatan_code=form.kecamatan_code, pekon=form.pekon, letter_number=form.letter_number,
                              expected_people=form.expected_people, services=list(form.services),
                              proposed_date=form.proposed_date, notes=form.notes, created_by_id=int(actor.id or 0))
    session.add(request)
    session.flush()
    log.info("permintaan jemput bola %s (tiket %s)", request.id, ticket.number)
    return request


def field_officers(session: Session) -> list[StaffUser]:
    """Active staff who may go out with the team."""
    roles = set(outreach_definition().roles_for(RoleDuty.FIELD_WORK, FEATURE))
    staff = session.exec(select(StaffUser).where(StaffUser.active == True).order_by(StaffUser.full_name))  # noqa: E712
    return [s for s in staff if set(s.roles) & roles]


def schedule(session: Session, request: OutreachRequest, visit_date: date, officer_ids: Iterable[int],
             actor: StaffUser) -> None:
    """Set the visit's date and team; commits."""
    wanted = set(officer_ids)
    team = [int(o.id or 0) for o in field_officers(session) if o.id in wanted]
    if not team:
        raise OutreachError("Pilih sedikitnya satu petugas untuk tim.")
    request.scheduled_date, request.team, request.scheduled_by_id = visit_date, team, actor.id
    session.add(request)
    session.commit()


def requests_with_tickets(session: Session) -> list[tuple[OutreachRequest, Ticket]]:
    """Every request with its ticket, the newest first."""
    query = (select(OutreachRequest, Ticket).join(Ticket, col(Ticket.id) == OutreachRequest.ticket_id)
             .order_by(col(OutreachRequest.id).desc()))
    return list(session.exec(query).all())  # type: ignore[arg-type]


def month_report(session: Session, month: date) -> MonthReport:
    """The month's recap: visits held in it (by scheduled date) with their results. A visit's residents recorded
    by name are counted; a visit recorded before that keeps the counts per service typed then."""
    from outreach.people import counts_by_request

    first = month.replace(day=1)
    after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    rows = [(r, t) for r, t in requests_with_tickets(session)
            if r.scheduled_date is not None and first <= r.scheduled_date < after]
    rows.sort(key=lambda rt: (rt[0].scheduled_date, rt[0].id))
    by_name = counts_by_request(session, [int(r.id or 0) for r, _ in rows])
    lines = []
    for r, t in rows:
        counts = dict(by_name[int(r.id or 0)]) if r.id in by_name else dict(r.results)
        lines.append(MonthLine(r, t, sum(counts.values()), counts, r.id in by_name))
    per_service = tuple((s, sum(line.counts.get(s.value, 0) for line in lines)) for s in SERVICES)
    return MonthReport(month=first, lines=tuple(lines), per_service=per_service,
                       expected=sum(line.request.expected_people for line in lines),
                       served=sum(line.served for line in lines))
