"""Siaga reports: recording one beside its ticket, the priority queue, and the home visits; commits happen here."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from layanan.clock import utcnow
from routing import workflow_for
from routing.definition import Definition, OutputMeaning, RoleDuty
from siaga.models import SiagaReport, VisitResult
from tickets import villages
from tickets.constants import Channel, Service
from tickets.models import Ticket
from tickets.staff import StaffUser

log = logging.getLogger(__name__)
FEATURE = "Dukcapil Siaga"
URGENT, ORDINARY = 0, 1  # positions of the priority output's options: urgent first, as the SOP lists them
MAX_NOTE = 500


class SiagaError(ValueError):
    """A step cannot be taken; the message is Indonesian and safe to show."""


@dataclass(frozen=True)
class Report:
    """What a reporter told about the resident, ready to store beside the ticket."""

    reporter_name: str
    relation: str
    subject_name: str
    pekon: str
    contact_phone: str
    urgent: bool


@dataclass(frozen=True)
class Row:
    """A report as the queue and the visit list show it."""

    report: SiagaReport
    ticket: Ticket


def siaga_definition() -> Definition:
    """The SOP Siaga reports run on: the one serving the Siaga service on WhatsApp."""
    return workflow_for(Channel.WHATSAPP, Service.SIAGA)


def record_report(session: Session, ticket: Ticket, report: Report) -> SiagaReport:
    """Keep the report beside its new ticket and give the ticket its priority; the caller commits. The pekon is
    stored as the kecamatan's list names it (typos forgiven); one not on the list is kept as typed and marked for
    staff to check, never refused: a resident's village must not be lost."""
    listed = villages.match_pekon(session, ticket.kecamatan_code, report.pekon)
    row = SiagaReport(ticket_id=int(ticket.id or 0), reporter_name=report.reporter_name[:120],
                      relation=report.relation[:80], subject_name=report.subject_name[:120],
                      pekon=(listed or report.pekon)[:120], pekon_unlisted=listed is None,
                      contact_phone=report.contact_phone, urgent=report.urgent)
    session.add(row)
    priority = siaga_definition().output_meaning(OutputMeaning.PRIORITY)
    if priority is not None and len(priority.options) > ORDINARY:
        chosen = priority.options[URGENT if report.urgent else ORDINARY]
        ticket.outputs = {**ticket.outputs, priority.key: chosen}  # a new dict: the JSON column sees the change
        session.add(ticket)
    return row


def is_urgent(report: SiagaReport, ticket: Ticket) -> bool:
    """Urgent as the officer last set the priority on the ticket, else as the reporter said."""
    priority = siaga_definition().output_meaning(OutputMeaning.PRIORITY)
    if priority is not None and priority.key in ticket.outputs and priority.options:
        return ticket.outputs[priority.key] == priority.options[URGENT]
    return report.urgent


def _rows(session: Session, *where: object) -> list[Row]:
    query = select(SiagaReport, Ticket).join(Ticket, col(Ticket.id) == SiagaReport.ticket_id).where(*where)
    return [Row(report, ticket) for report, ticket in session.exec(query)]


def queue(session: Session) -> list[Row]:
    """Open reports, urgent first, then the oldest first."""
    definition = siaga_definition()
    closed = [s.key for s in definition.stages if s.is_terminal]
    rows = _rows(session, Ticket.workflow == definition.key, col(Ticket.stage).not_in(closed))
    return sorted(rows, key=lambda r: (not is_urgent(r.report, r.ticket), r.ticket.created_at, r.ticket.id or 0))


def visits(session: Session, since: date | None = None) -> list[Row]:
    """Scheduled home visits by date, then by pekon (from `since` when given)."""
    where: list[object] = [col(SiagaReport.visit_date).is_not(None)]
    if since is not None:
        where.append(col(SiagaReport.visit_date) >= since)
    rows = _rows(session, *where)
    return sorted(rows, key=lambda r: (r.report.visit_date, r.report.pekon.lower(), r.ticket.id or 0))


def report_of(session: Session, number: str) -> Row | None:
    """The report of the ticket with this number."""
    found = _rows(session, Ticket.number == number.upper())
    return found[0] if found else None


def field_officers(session: Session) -> list[StaffUser]:
    """Active staff who may go on a home visit: the SOP's field team and those who plan the visits."""
    definition = siaga_definition()
    roles = set(definition.roles_for(RoleDuty.FIELD_WORK, FEATURE) + definition.roles_for(RoleDuty.PLAN_FIELD_VISITS))
    staff = session.exec(select(StaffUser).where(StaffUser.active == True).order_by(StaffUser.full_name))  # noqa: E712
    return [s for s in staff if set(s.roles) & roles]


def schedule_visit(session: Session, row: Row, visit_date: date, officer_ids: Iterable[int],
                   actor: StaffUser) -> None:
    """Set (or move) the home visit's date and team; commits."""
    if siaga_definition().is_terminal(row.ticket.stage):
        raise SiagaError("Laporan ini sudah selesai; kunjungan tidak dapat dijadwalkan lagi.")
    wanted = set(officer_ids)
    team = [int(o.id or 0) for o in field_officers(session) if o.id in wanted]
    if not team:
        raise SiagaError("Pilih sedikitnya satu petugas untuk tim kunjungan.")
    report = row.report
    report.visit_date, report.team, report.scheduled_by_id = visit_date, team, actor.id
    report.visit_result = report.visit_note = report.result_at = report.result_by_id = None
    session.add(report)
    session.commit()
    log.info("kunjungan Siaga tiket %s dijadwalkan %s", row.ticket.number, visit_date.isoformat())


def confirm_pekon(session: Session, row: Row, chosen: str, actor: StaffUser) -> None:
    """Replace a pekon the reporter wrote that is on no list by the one staff found on the kecamatan's; commits."""
    listed = villages.listed_name(session, row.ticket.kecamatan_code, chosen)
    if listed is None:
        raise SiagaError("Pilih pekon/kelurahan dari daftar kecamatan laporan ini.")
    typed, row.report.pekon, row.report.pekon_unlisted = row.report.pekon, listed, False
    session.add(row.report)
    session.commit()
    log.info("pekon laporan Siaga tiket %s dipastikan oleh %s: %r menjadi %r", row.ticket.number, actor.username,
             typed, listed)


def record_result(session: Session, row: Row, result: VisitResult, note: str, actor: StaffUser) -> None:
    """Record how the scheduled visit ended; commits."""
    report = row.report
    if report.visit_date is None:
        raise SiagaError("Jadwalkan kunjungan terlebih dahulu.")
    note = " ".join(note.split())
    if result is not VisitResult.RECORDED and not note:
        raise SiagaError("Tulis keterangan bila perekaman belum berhasil.")
    report.visit_result, report.visit_note = result.value, note[:MAX_NOTE] or None
    report.result_by_id, report.result_at = actor.id, utcnow()
    session.add(report)
    session.commit()
    log.info("hasil kunjungan Siaga tiket %s: %s", row.ticket.number, result.value)


def team_names(session: Session, rows: Iterable[Row]) -> dict[int, str]:
    """Each staff member of the rows' teams by id, by full name."""
    ids = {i for row in rows for i in row.report.team}
    if not ids:
        return {}
    return {int(s.id or 0): s.full_name for s in session.exec(select(StaffUser).where(col(StaffUser.id).in_(ids)))}
