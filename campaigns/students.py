"""Student lists: reading a school's CSV or XLSX file all or nothing, eligibility, and duplicates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from layanan.clock import WIB, utcnow
from layanan.spreadsheet_import import ImportRefused, cell_text, heading_columns, normal_name

MAX_ROWS = 2000
RECORDING_AGE = 17
_NIK = re.compile(r"^\d{16}$")
_SPACES = re.compile(r"\s+")
_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")

# Accepted column headings (lower case, spaces and underscores alike) for each field.
HEADINGS: dict[str, tuple[str, ...]] = {
    "name": ("nama", "nama siswa", "nama lengkap"),
    "nik": ("nik",),
    "birth_date": ("tanggal lahir", "tgl lahir", "tanggal_lahir"),
    "class_name": ("kelas",),
}
REQUIRED = ("name", "birth_date", "class_name")


@dataclass(frozen=True)
class StudentRow:
    """One valid row of a student list."""

    row_number: int
    name: str
    nik: str | None
    birth_date: date
    class_name: str


def parse_students(rows: list[tuple[int, list[object]]]) -> list[StudentRow]:
    """Every row checked; ImportRefused with every row's problem when any row is wrong."""
    columns = heading_columns(
        rows, HEADINGS, REQUIRED, max_rows=MAX_ROWS,
        empty="Berkas kosong: baris pertama harus judul kolom (Nama, NIK, Tanggal Lahir, Kelas).",
        too_many=f"Berkas memuat lebih dari {MAX_ROWS} siswa; bagi per kelas.")
    errors: list[str] = []
    students: list[StudentRow] = []
    for number, cells in rows[1:]:
        student, problems = _student(number, cells, columns)
        errors.extend(f"Baris {number}: {p}." for p in problems)
        if student is not None:
            students.append(student)
    if not students and not errors:
        errors.append("Berkas tidak memuat data siswa di bawah baris judul.")
    if errors:
        raise ImportRefused(errors)
    return students


def seventeenth_birthday(birth_date: date) -> date:
    """The day the student turns 17 (1 March for a 29 February birthday outside a leap year)."""
    try:
        return birth_date.replace(year=birth_date.year + RECORDING_AGE)
    except ValueError:
        return date(birth_date.year + RECORDING_AGE, 3, 1)


def is_eligible(birth_date: date, visit_date: date, window_days: int) -> bool:
    """Whether the student is 17 on the visit date, or turns 17 within the window after it."""
    return seventeenth_birthday(birth_date) <= visit_date + timedelta(days=max(window_days, 0))


def identity_keys(nik: str | None, name: str, birth_date: date) -> list[tuple[str, ...]]:
    """What makes two rows the same student: the NIK, or the name with the birth date."""
    keys: list[tuple[str, ...]] = [("name", normal_name(name), birth_date.isoformat())]
    if nik:
        keys.insert(0, ("nik", nik))
    return keys


def _student(number: int, cells: list[object], columns: dict[str, int]) -> tuple[StudentRow | None, list[str]]:
    def cell(field: str) -> object:
        index = columns.get(field)
        return cells[index] if index is not None and index < len(cells) else None

    problems: list[str] = []
    name = _SPACES.sub(" ", cell_text(cell("name"))).strip()
    if not name:
        problems.append("nama kosong")
    elif len(name) > 120:
        problems.append("nama lebih dari 120 huruf")
    nik = re.sub(r"[\s.\-']", "", cell_text(cell("nik"))) or None
    if nik is not None and not _NIK.match(nik):
        problems.append("NIK harus 16 angka (kosongkan bila belum diketahui)")  # never echo the value
    born = _date(cell("birth_date"))
    if born is None:
        raw = cell_text(cell("birth_date"))
        problems.append(f"tanggal lahir '{raw}' tidak dikenali (tulis DD/MM/YYYY)" if raw else "tanggal lahir kosong")
    elif born > utcnow().astimezone(WIB).date():
        problems.append("tanggal lahir di masa depan")
    class_name = cell_text(cell("class_name")).strip()
    if not class_name:
        problems.append("kelas kosong")
    elif len(class_name) > 20:
        problems.append("kelas lebih dari 20 huruf")
    if problems or born is None:
        return None, problems
    return StudentRow(number, name, nik, born, class_name), []


def _date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value).strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None
