"""Outreach results by name and by address: each resident served, typed one after another on the visit or
imported from the team's list (all or nothing), and the visit's report by pekon and result."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlmodel import Session, col, select

from bot.nik import InvalidNik, parse_nik
from layanan import db
from layanan.clock import WIB, utcnow
from layanan.spreadsheet_import import ImportRefused, cell_text, heading_columns, normal_name
from outreach.models import OutreachPerson, OutreachRequest
from tickets import villages
from tickets.constants import Service
from tickets.kecamatan import BY_CODE
from tickets.privacy import mask_nik
from tickets.staff import StaffUser

MAX_ROWS = 2000
# The SIJARLA SOP lists no result categories, so the office's own: one per document service the team
# serves on the spot, worded as what was done (the monthly recap counts them per service).
CATEGORIES: dict[Service, str] = {
    Service.KTP_EL: "Perekaman KTP-el",
    Service.KK: "KK diperbarui",
    Service.AKTA_KELAHIRAN: "Akta kelahiran diterbitkan",
    Service.KIA: "KIA diterbitkan",
    Service.AKTA_KEMATIAN: "Akta kematian diterbitkan",
    Service.PINDAH: "Surat pindah diterbitkan",
    Service.PERBAIKAN_DATA: "Data diperbaiki",
}
HEADINGS: dict[str, tuple[str, ...]] = {
    "name": ("nama", "nama lengkap", "nama warga"),
    "nik": ("nik",),
    "kecamatan": ("kecamatan",),
    "pekon": ("pekon", "desa", "pekon/kelurahan", "kelurahan"),
    "dusun": ("dusun", "dusun/rt", "rt", "alamat"),
    "category": ("layanan", "hasil", "kategori", "hasil layanan"),
    "note": ("catatan", "keterangan"),
}
REQUIRED = ("name", "pekon", "category")


def category_label(value: str) -> str:
    """A stored category as staff read it."""
    try:
        return CATEGORIES[Service(value)]
    except (ValueError, KeyError):
        return value


def _category_names() -> dict[str, Service]:
    """Every way a list may name a category: its value, the result, the service's name, its short name."""
    names: dict[str, Service] = {}
    for service, label in CATEGORIES.items():
        short = service.label.split("(")[-1].rstrip(")") if "(" in service.label else service.label
        for name in (service.value, label, service.label, short, service.value.replace("-", " ")):
            names.setdefault(" ".join(name.split()).casefold(), service)
    return names


@dataclass(frozen=True)
class PersonInput:
    """One resident served, as checked input."""

    name: str
    nik: str | None
    kecamatan_code: str
    pekon: str
    dusun: str
    category: str
    note: str
    row_number: int | None = None


def check_person(raw: Mapping[str, str], default_kecamatan: str, today: date | None = None,
                 ) -> tuple[PersonInput | None, dict[str, str]]:
    """The resident typed on the entry page (or a list row), or the problems keyed by field (Indonesian)."""
    text = {k: " ".join(str(v or "").split()) for k, v in raw.items()}
    errors: dict[str, str] = {}
    name = text.get("nama", "")
    if not name:
        errors["nama"] = "Isi nama warga yang dilayani."
    elif len(name) > 120:
        errors["nama"] = "Nama paling panjang 120 huruf."
    nik = None
    if text.get("nik"):
        try:
            nik = parse_nik(text["nik"], today=today or utcnow().astimezone(WIB).date()).value
        except InvalidNik as exc:
            errors["nik"] = f"{exc} Kosongkan bila NIK belum diketahui."
    kecamatan, pekon = _place(text.get("pekon", ""), text.get("kecamatan", ""), default_kecamatan)
    if kecamatan is None:
        errors["pekon"] = "Kecamatan tidak dikenal."
    elif pekon is None:
        errors["pekon"] = f"Pilih pekon/kelurahan dari daftar Kecamatan {BY_CODE[kecamatan].name}."
    if len(text.get("dusun", "")) > 120:
        errors["dusun"] = "Dusun/RT paling panjang 120 huruf."
    category = _category_names().get(text.get("kategori", "").casefold())
    if category is None:
        errors["kategori"] = "Pilih hasil layanan." if not text.get("kategori") else (
            "Hasil layanan tidak dikenal; pakai salah satu: " + ", ".join(CATEGORIES.values()) + ".")
    if len(text.get("catatan", "")) > 200:
        errors["catatan"] = "Catatan paling panjang 200 huruf."
    if errors or kecamatan is None or pekon is None or category is None:
        return None, errors
    return PersonInput(name=name, nik=nik, kecamatan_code=kecamatan, pekon=pekon, dusun=text.get("dusun", ""),
                       category=category.value, note=text.get("catatan", "")), {}


def _place(pekon: str, kecamatan: str, default_kecamatan: str) -> tuple[str | None, str | None]:
    """(kecamatan code, listed pekon) from the page's "code:pekon" choice or a list's pekon and kecamatan names."""
    if ":" in pekon:  # the entry page's select
        code, _, pekon = pekon.partition(":")
    elif kecamatan:
        code = next((k.code for k in BY_CODE.values() if kecamatan.casefold() in
                     {k.code, k.name.casefold(), *(a.casefold() for a in k.aliases)}), "")
    else:
        code = default_kecamatan
    if code not in BY_CODE:
        return None, None
    return code, villages.listed_name(db.session(), code, pekon)


def duplicate_of(person: PersonInput, earlier: Sequence[OutreachPerson | PersonInput]) -> str | None:
    """Why this resident's result is already recorded on the visit (the same NIK, or the same name in the same
    pekon, with the same result), or None."""
    for other in earlier:
        if other.category != person.category:
            continue
        if person.nik and other.nik == person.nik:
            return "NIK sama dengan " + (f"baris {other.row_number}" if other.row_number else other.name)
        if normal_name(other.name) == normal_name(person.name) and other.pekon == person.pekon:
            return "nama dan pekon sama dengan " + (f"baris {other.row_number}" if other.row_number else "data lain")
    return None


def people_of(session: Session, request: OutreachRequest) -> list[OutreachPerson]:
    """The visit's residents, by pekon, result and name."""
    return list(session.exec(select(OutreachPerson).where(OutreachPerson.request_id == request.id)
                             .order_by(OutreachPerson.pekon, OutreachPerson.category, OutreachPerson.name,
                                       col(OutreachPerson.id))))


def add_person(session: Session, request: OutreachRequest, person: PersonInput, actor: StaffUser) -> OutreachPerson:
    """Record one resident served; refused when already recorded with the same result. Commits."""
    _require_scheduled(request)
    why = duplicate_of(person, people_of(session, request))
    if why:
        raise ImportRefused([f"{person.name} sudah tercatat dengan hasil {category_label(person.category)} ({why})."])
    row = _row(request, person, actor)
    session.add(row)
    _mark_results(session, request, actor)
    session.commit()
    return row


def remove_person(session: Session, request: OutreachRequest, person_id: int, actor: StaffUser) -> None:
    """Take a wrongly typed resident off the visit; commits."""
    row = session.get(OutreachPerson, person_id)
    if row is None or row.request_id != request.id:
        raise ImportRefused(["Data warga ini tidak ada pada pelaksanaan ini. Muat ulang halaman."])
    session.delete(row)
    session.flush()
    if people_of(session, request) or request.results:
        _mark_results(session, request, actor)
    else:  # nobody left: the visit's results are no longer recorded
        request.results_by_id = request.results_at = None
        session.add(request)
    session.commit()


def parse_people(rows: list[tuple[int, list[object]]], default_kecamatan: str,
                 earlier: Sequence[OutreachPerson]) -> list[PersonInput]:
    """Every row of a list checked; ImportRefused with every row's problem (malformed or duplicate) when any is
    wrong, so nothing is half imported."""
    columns = heading_columns(
        rows, HEADINGS, REQUIRED, max_rows=MAX_ROWS,
        empty="Berkas kosong: baris pertama harus judul kolom (Nama, NIK, Pekon, Dusun, Layanan).",
        too_many=f"Berkas memuat lebih dari {MAX_ROWS} warga; bagi menjadi beberapa berkas.")
    errors: list[str] = []
    keys = {"name": "nama", "nik": "nik", "kecamatan": "kecamatan", "pekon": "pekon", "dusun": "dusun",
            "category": "kategori", "note": "catatan"}
    people: list[PersonInput] = []
    seen: list[OutreachPerson | PersonInput] = list(earlier)
    for number, cells in rows[1:]:
        raw = {keys[f]: cell_text(cells[i]) if i < len(cells) else "" for f, i in columns.items()}
        person, problems = check_person(raw, default_kecamatan)
        if person is None:
            errors.extend(f"Baris {number}: {p}" for p in problems.values())
            continue
        person = PersonInput(**{**person.__dict__, "row_number": number})
        why = duplicate_of(person, seen)
        if why:
            errors.append(f"Baris {number}: duplikat, {why}.")
            continue
        people.append(person)
        seen.append(person)
    if not people and not errors:
        errors.append("Berkas tidak memuat data warga di bawah baris judul.")
    if errors:
        raise ImportRefused(errors)
    return people


def import_people(session: Session, request: OutreachRequest, people: Sequence[PersonInput],
                  actor: StaffUser) -> int:
    """Add a checked list to the visit in one transaction; commits. Returns how many."""
    _require_scheduled(request)
    session.add_all(_row(request, p, actor) for p in people)
    _mark_results(session, request, actor)
    session.commit()
    return len(people)


def _row(request: OutreachRequest, person: PersonInput, actor: StaffUser) -> OutreachPerson:
    return OutreachPerson(request_id=int(request.id or 0), name=person.name, nik=person.nik,
                          kecamatan_code=person.kecamatan_code, pekon=person.pekon, dusun=person.dusun,
                          category=person.category, note=person.note, row_number=person.row_number,
                          recorded_by_id=int(actor.id or 0))


def _require_scheduled(request: OutreachRequest) -> None:
    if request.scheduled_date is None:
        raise ImportRefused(["Jadwalkan pelaksanaan terlebih dahulu."])


def _mark_results(session: Session, request: OutreachRequest, actor: StaffUser) -> None:
    """The visit's results are recorded (by name) from the first resident on: the visit stage may be left."""
    request.results_by_id, request.results_at = actor.id, utcnow()
    session.add(request)


@dataclass(frozen=True)
class PekonGroup:
    """One pekon of the visit's report: its residents by result, with counts."""

    kecamatan_code: str
    pekon: str
    people: tuple[OutreachPerson, ...]
    per_category: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class VisitReport:
    request: OutreachRequest
    groups: tuple[PekonGroup, ...]
    per_category: tuple[tuple[str, int], ...]  # (category value, count) for every category, zeros included
    total: int


def visit_report(session: Session, request: OutreachRequest) -> VisitReport:
    """The visit's residents grouped by pekon and result, with totals per pekon, per result and overall."""
    people = people_of(session, request)
    groups: dict[tuple[str, str], list[OutreachPerson]] = {}
    for person in people:
        groups.setdefault((person.kecamatan_code, person.pekon), []).append(person)
    order = [s.value for s in CATEGORIES]

    def counted(rows: Sequence[OutreachPerson], zeros: bool) -> tuple[tuple[str, int], ...]:
        counts = Counter(r.category for r in rows)
        return tuple((c, counts[c]) for c in order if zeros or counts[c])

    return VisitReport(
        request=request, total=len(people), per_category=counted(people, zeros=True),
        groups=tuple(PekonGroup(k, p, tuple(sorted(rows, key=lambda r: (order.index(r.category)
                                                                         if r.category in order else 99, r.name))),
                                counted(rows, zeros=False))
                     for (k, p), rows in sorted(groups.items(), key=lambda item: (item[0][1], item[0][0]))),
    )


def counts_by_request(session: Session, request_ids: Sequence[int]) -> dict[int, Counter[str]]:
    """Residents served per category for each visit that recorded them by name (the monthly recap)."""
    found: dict[int, Counter[str]] = {}
    if not request_ids:
        return found
    for request_id, category in session.exec(select(OutreachPerson.request_id, OutreachPerson.category)
                                             .where(col(OutreachPerson.request_id).in_(request_ids))):
        found.setdefault(request_id, Counter())[category] += 1
    return found


def report_xlsx(report: VisitReport, full_nik: bool, title: str) -> bytes:
    """The visit's residents as a workbook: one line each by pekon, then the totals per result."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Warga dilayani"
    sheet.append([title])
    sheet.append(["No", "Nama", "NIK", "Pekon/Kelurahan", "Kecamatan", "Dusun/RT", "Hasil layanan", "Catatan"])
    number = 0
    for group in report.groups:
        for person in group.people:
            number += 1
            nik = (person.nik if full_nik else mask_nik(person.nik)) if person.nik else ""
            sheet.append([number, person.name, nik, person.pekon, _kecamatan(person.kecamatan_code), person.dusun,
                          category_label(person.category), person.note])
    sheet.append([])
    sheet.append(["", "Hasil layanan", "Jumlah"])
    for category, count in report.per_category:
        sheet.append(["", category_label(category), count])
    sheet.append(["", "Jumlah warga dilayani", report.total])
    for cell in (*sheet[1], *sheet[2], *sheet[sheet.max_row]):
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFGH", (5, 30, 20, 22, 20, 20, 28, 30)):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _kecamatan(code: str) -> str:
    return BY_CODE[code].name if code in BY_CODE else code
