"""Lists uploaded as CSV or XLSX (a school's students, an outreach team's residents): the rows read, the
columns found by their headings, and one refusal carrying every problem, so nothing is half imported."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from openpyxl import load_workbook

Rows = list[tuple[int, list[object]]]  # (row number as the spreadsheet shows it, cells), the heading first
_SPACES = re.compile(r"\s+")


class ImportRefused(ValueError):
    """The file was not imported at all; `errors` lists every problem, in Indonesian, by row."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = tuple(errors)


def read_rows(filename: str, content: bytes) -> Rows:
    """The file's non-empty rows, the heading row first; CSV (comma or semicolon) or XLSX."""
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
            raise ImportRefused(["Berkas XLSX tidak dapat dibaca. Simpan ulang dari Excel lalu coba lagi."]) from exc
        rows = [(i, list(r)) for i, r in enumerate(sheet.iter_rows(values_only=True), start=1)]
    elif lower.endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("cp1252", errors="replace")
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
        rows = [(i, list(r)) for i, r in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1)]
    else:
        raise ImportRefused(["Unggah berkas CSV atau XLSX."])
    return [(i, cells) for i, cells in rows if any(cell_text(c) for c in cells)]


def heading_columns(rows: Rows, headings: dict[str, tuple[str, ...]], required: Sequence[str], *,
                    max_rows: int, empty: str, too_many: str) -> dict[str, int]:
    """Each field's column in the heading row; refused when the file is empty (`empty`), a required
    column is missing, or there are more than `max_rows` rows under the heading (`too_many`)."""
    if not rows:
        raise ImportRefused([empty])
    _, heading = rows[0]
    columns = find_columns(heading, headings)
    missing = [f"Kolom '{headings[f][0].title()}' tidak ditemukan pada baris judul." for f in required
               if f not in columns]
    if missing:
        raise ImportRefused(missing)
    if len(rows) - 1 > max_rows:
        raise ImportRefused([too_many])
    return columns


def find_columns(heading: Iterable[object], headings: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Each field's column index, found by its accepted headings (case, spaces and underscores alike)."""
    found: dict[str, int] = {}
    for index, cell in enumerate(heading):
        label = _SPACES.sub(" ", cell_text(cell).replace("_", " ")).casefold()
        for field, names in headings.items():
            if label in {n.replace("_", " ") for n in names}:
                found.setdefault(field, index)
    return found


def cell_text(value: object) -> str:
    """A cell as text: None as empty, a whole float (Excel's numbers) without its '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def normal_name(name: str) -> str:
    """A name compared case- and space-insensitively."""
    return _SPACES.sub(" ", name).strip().casefold()
