"""The campaign report per school and per kecamatan: listed, eligible, recorded, printed, handed over."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import render_template
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlmodel import Session, col, select

from berita_acara.render import office, render_pdf
from layanan.indonesian_words import long_date
from campaigns.models import School, SchoolVisit, Student, StudentStatus
from campaigns.students import is_eligible
from layanan.clock import WIB
from tickets.kecamatan import BY_CODE

TITLE = "Laporan Perekaman KTP-el di Sekolah"
COLUMNS = ("Kunjungan", "Siswa terdaftar", "Memenuhi syarat usia", "Sudah merekam", "KTP-el tercetak",
           "KTP-el diserahkan")


@dataclass
class Counts:
    """One row of the report; duplicates of a student listed earlier are not counted again."""

    code: str
    name: str
    visits: int = 0
    listed: int = 0
    eligible: int = 0
    recorded: int = 0
    printed: int = 0
    handed_over: int = 0
    _visit_ids: set[int] = field(default_factory=set, repr=False)

    def add(self, visit: SchoolVisit, student: Student) -> None:
        self.listed += 1
        self.eligible += is_eligible(student.birth_date, visit.visit_date, visit.window_days)
        self.recorded += StudentStatus(student.status).has_recording
        self.printed += student.printed
        self.handed_over += student.in_handover and visit.handover_signed_at is not None

    @property
    def cells(self) -> tuple[int, ...]:
        return (self.visits, self.listed, self.eligible, self.recorded, self.printed, self.handed_over)


@dataclass(frozen=True)
class Report:
    year: int
    schools: list[Counts]
    kecamatan: list[Counts]
    total: Counts
    made_at: datetime


def build_report(session: Session, year: int, made_at: datetime) -> Report:
    """The counts of the year's visits (by visit date), per school and per kecamatan."""
    visits = list(session.exec(select(SchoolVisit).where(SchoolVisit.visit_date >= date(year, 1, 1),
                                                         SchoolVisit.visit_date <= date(year, 12, 31))))
    schools = {s.id: s for s in session.exec(select(School).where(
        col(School.id).in_({v.school_id for v in visits})))}
    per_school: dict[int, Counts] = {}
    per_kecamatan: dict[str, Counts] = {}
    total = Counts("", "Jumlah")
    by_visit: dict[int, list[Student]] = defaultdict(list)
    for student in session.exec(select(Student).where(col(Student.visit_id).in_([v.id for v in visits]),
                                                      col(Student.duplicate_of_id).is_(None))):
        by_visit[student.visit_id].append(student)
    for visit in visits:
        school = schools[visit.school_id]
        code = school.kecamatan_code
        rows = (per_school.setdefault(visit.school_id, Counts(code, school.name)),
                per_kecamatan.setdefault(code, Counts(code, BY_CODE[code].name if code in BY_CODE else code)), total)
        for row in rows:
            row.visits += 1
            for student in by_visit[int(visit.id or 0)]:
                row.add(visit, student)
    kecamatan = sorted(per_kecamatan.values(), key=lambda r: r.name)
    order = [r.code for r in kecamatan]
    return Report(year, sorted(per_school.values(), key=lambda r: (order.index(r.code), r.name)), kecamatan, total,
                  made_at)


def report_pdf(report: Report) -> bytes:
    """The report as an A4 PDF under the office letterhead."""
    html = render_template("campaigns/pdf/report.html", report=report, office=office(), title=TITLE,
                           columns=COLUMNS, kecamatan_name=lambda c: BY_CODE[c].name if c in BY_CODE else c,
                           printed_on=long_date(report.made_at.astimezone(WIB).date()))
    return render_pdf(html)


def report_xlsx(report: Report) -> bytes:
    """Two worksheets, per kecamatan and per school, each with a bold header and a totals row."""
    book = Workbook()
    sheets = (("Per kecamatan", "Kecamatan", report.kecamatan), ("Per sekolah", "Sekolah", report.schools))
    for index, (sheet_title, label, rows) in enumerate(sheets):
        sheet = book.active if index == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = sheet_title
        sheet.append([f"{TITLE} Tahun {report.year}"])
        sheet.append(["Kecamatan", label, *COLUMNS] if label == "Sekolah" else [label, *COLUMNS])
        for row in rows:
            kecamatan = BY_CODE[row.code].name if row.code in BY_CODE else row.code
            sheet.append([kecamatan, row.name, *row.cells] if label == "Sekolah" else [row.name, *row.cells])
        sheet.append(["Jumlah", *([""] if label == "Sekolah" else []), *report.total.cells])
        for cell in (*sheet[1], *sheet[2], *sheet[sheet.max_row]):
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 28
        sheet.column_dimensions["B"].width = 34
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
