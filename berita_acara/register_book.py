"""The buku registrasi (SOP step 6): every ticket the registration counter entered, by its number, per year.

The book is kept by the role of the stage whose output fills the ticket's registration number; an entry's
date is the moment that stage first passed the ticket on, which is when the number was given.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import and_, false, func, or_
from sqlmodel import Session, col, select

from berita_acara.sorting import SHORT_LABELS
from layanan.clock import WIB, format_wib
from routing import definitions, workflow
from routing.definition import Action, TicketColumn
from tickets.kecamatan import BY_CODE
from tickets.models import Applicant, StageEvent, Ticket
from tickets.privacy import mask_nik

TITLE = "Buku Registrasi Permohonan"
HEADINGS = ("No. Registrasi", "Tanggal Registrasi (WIB)", "Nomor Tiket", "Nama Pemohon", "NIK", "Jenis Dokumen",
            "Kecamatan", "Tahap Sekarang")


@dataclass(frozen=True)
class Entry:
    """One line of the book."""

    registration_number: str
    registered_at: datetime
    ticket_number: str
    applicant_name: str
    nik_masked: str
    service: str
    kecamatan: str
    stage: str

    @property
    def cells(self) -> tuple[str, ...]:
        """The entry as printed and exported, in the order of HEADINGS."""
        return (self.registration_number, format_wib(self.registered_at), self.ticket_number, self.applicant_name,
                self.nik_masked, self.service, self.kecamatan, self.stage)


def register_stages() -> dict[str, tuple[str, ...]]:
    """Per SOP, the stages whose output fills the registration number."""
    found = {d.key: tuple(key for key, out in d.column_outputs() if out.fills is TicketColumn.REGISTRATION_NUMBER)
             for d in definitions()}
    return {sop: keys for sop, keys in found.items() if keys}


def keeper_roles() -> tuple[str, ...]:
    """Who keeps the book: the roles of those stages, in any SOP."""
    return tuple(dict.fromkeys(str(workflow(sop).stage(key).role) for sop, keys in register_stages().items()
                               for key in keys if workflow(sop).stage(key).role))


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The office year in UTC: midnight WIB of 1 January to midnight WIB of the next."""
    return (datetime.combine(date(year, 1, 1), time(0), WIB).astimezone(UTC),
            datetime.combine(date(year + 1, 1, 1), time(0), WIB).astimezone(UTC))


def entries(session: Session, year: int, *, limit: int | None = None, offset: int = 0) -> list[Entry]:
    """The year's entries in the order of their numbers."""
    registered = _registered(year)
    query = (select(Ticket, Applicant, registered.c.at)
             .join(registered, registered.c.ticket_id == col(Ticket.id))
             .join(Applicant, col(Applicant.id) == col(Ticket.applicant_id))
             .order_by(col(Ticket.registration_number), col(Ticket.id)).offset(offset))
    if limit is not None:
        query = query.limit(limit)
    return [_entry(ticket, applicant, at) for ticket, applicant, at in session.exec(query)]  # type: ignore[call-overload]


def count(session: Session, year: int) -> int:
    """How many entries the year's book has."""
    return int(session.exec(select(func.count()).select_from(_registered(year))).one())  # type: ignore[call-overload]


def _registered(year: int):  # type: ignore[no-untyped-def]
    """(ticket_id, at): each ticket with a number, and when its register stage first passed it on, in the year."""
    start, end = year_bounds(year)
    passed = [and_(col(Ticket.workflow) == sop, col(StageEvent.from_stage).in_(keys))
              for sop, keys in register_stages().items()]
    return (select(col(StageEvent.ticket_id).label("ticket_id"), func.min(col(StageEvent.created_at)).label("at"))
            .join(Ticket, col(Ticket.id) == col(StageEvent.ticket_id))
            .where(or_(false(), *passed), StageEvent.action == str(Action.ADVANCE),
                   col(Ticket.registration_number).is_not(None))
            .group_by(col(StageEvent.ticket_id))
            .having(and_(func.min(col(StageEvent.created_at)) >= start, func.min(col(StageEvent.created_at)) < end))
            .subquery())


def _entry(ticket: Ticket, applicant: Applicant, at: datetime) -> Entry:
    kecamatan = BY_CODE.get(ticket.kecamatan_code or "")
    stage = workflow(ticket.workflow).stage(ticket.stage).name if workflow(ticket.workflow).has_stage(ticket.stage) \
        else ticket.stage
    return Entry(str(ticket.registration_number), at if at.tzinfo else at.replace(tzinfo=UTC), ticket.number,
                 applicant.name or "-", mask_nik(applicant.nik) if applicant.nik else "-",
                 SHORT_LABELS.get(ticket.service, ticket.service), kecamatan.name if kecamatan else "-", stage)


def book_csv(year: int, rows: list[Entry]) -> bytes:
    """UTF-8 with a BOM and semicolons, as Excel with Indonesian settings opens it."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([f"{TITLE} Tahun {year}"])
    writer.writerow(HEADINGS)
    writer.writerows(entry.cells for entry in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def book_xlsx(year: int, rows: list[Entry]) -> bytes:
    """One worksheet: the title, a bold heading row kept in view, the entries."""
    book = Workbook()
    sheet = book.active
    sheet.title = f"Registrasi {year}"
    sheet.append([f"{TITLE} Tahun {year}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(list(HEADINGS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for entry in rows:
        sheet.append(list(entry.cells))
    for index, width in enumerate((18, 20, 18, 30, 20, 16, 20, 34), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
