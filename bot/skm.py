"""The Survei Kepuasan Masyarakat index as PermenPANRB 14/2017 computes it, from the nine elements' answers.

Each element (unsur) is answered 1-4. Per element the average of its answers is its NRR (nilai rata-rata);
weighted equally, each NRR counts 1/9 (NRR tertimbang = NRR x 1/9); their sum is the IKM on the 1-4 scale,
and times 25 the SKM on the 25-100 scale, which the regulation's table grades A-D. Only complete responses
(all nine answered) are counted: a respondent who stopped half-way is not one of the survey's respondents.
Plain Python, no Flask or database.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction


class Element(StrEnum):
    """The nine SKM elements of PermenPANRB 14/2017, in the regulation's order; the value names the catalogue
    question `skm_q_<value>` and the response column `u_<value>`."""

    PERSYARATAN = "persyaratan"
    PROSEDUR = "prosedur"
    WAKTU = "waktu"
    BIAYA = "biaya"
    PRODUK = "produk"
    KOMPETENSI = "kompetensi"
    PERILAKU = "perilaku"
    PENGADUAN = "pengaduan"
    SARANA = "sarana"


ELEMENT_LABELS: dict[Element, str] = {
    Element.PERSYARATAN: "Persyaratan",
    Element.PROSEDUR: "Sistem, mekanisme dan prosedur",
    Element.WAKTU: "Waktu penyelesaian",
    Element.BIAYA: "Biaya/tarif",
    Element.PRODUK: "Produk spesifikasi jenis pelayanan",
    Element.KOMPETENSI: "Kompetensi pelaksana",
    Element.PERILAKU: "Perilaku pelaksana",
    Element.PENGADUAN: "Penanganan pengaduan, saran dan masukan",
    Element.SARANA: "Sarana dan prasarana",
}
ELEMENTS: tuple[Element, ...] = tuple(Element)
WEIGHT = Fraction(1, len(ELEMENTS))  # "bobot nilai rata-rata tertimbang" = 1 / jumlah unsur
CONVERSION = 25  # SKM unit pelayanan = IKM x 25, from the 1-4 scale to 25-100


@dataclass(frozen=True)
class Grade:
    letter: str
    label: str  # kinerja unit pelayanan


# PermenPANRB 14/2017, Lampiran, tabel "Nilai Persepsi, Interval IKM, Interval Konversi IKM, Mutu Pelayanan dan
# Kinerja Unit Pelayanan": 1 | 1,00-2,5996 | 25,00-64,99 | D Tidak baik; 2 | 2,60-3,064 | 65,00-76,60 | C Kurang
# baik; 3 | 3,0644-3,532 | 76,61-88,30 | B Baik; 4 | 3,5324-4,00 | 88,31-100,00 | A Sangat baik. The converted
# value is compared at two decimals, as the table writes it (76,605 is 76,61: B).
GRADES: tuple[tuple[Fraction, Grade], ...] = (
    (Fraction("88.31"), Grade("A", "Sangat Baik")),
    (Fraction("76.61"), Grade("B", "Baik")),
    (Fraction("65.00"), Grade("C", "Kurang Baik")),
    (Fraction("25.00"), Grade("D", "Tidak Baik")),
)


def grade_of(skm: Fraction | float) -> Grade:
    """The quality grade of an SKM value (25-100) by the regulation's interval table."""
    value = Fraction(math.floor(Fraction(skm) * 100 + Fraction(1, 2)), 100)  # half up, as people round
    for floor, grade in GRADES:
        if value >= floor:
            return grade
    raise ValueError(f"SKM {float(skm):.2f} is below 25: not a value of the 1-4 scale")


@dataclass(frozen=True)
class ElementResult:
    element: Element
    label: str
    total: int  # sum of the answers
    nrr: Fraction  # average answer (1-4)
    weighted: Fraction  # nrr x 1/9


@dataclass(frozen=True)
class Index:
    """The SKM of a group of complete responses."""

    respondents: int
    elements: tuple[ElementResult, ...]
    ikm: Fraction  # sum of the weighted NRRs, on the 1-4 scale
    skm: Fraction  # ikm x 25, on the 25-100 scale
    grade: Grade


def index_of(responses: Iterable[Sequence[int]]) -> Index | None:
    """The SKM index of these responses (nine answers 1-4 each, in ELEMENTS order); None for no response."""
    rows = [tuple(r) for r in responses]
    if not rows:
        return None
    for row in rows:
        if len(row) != len(ELEMENTS) or any(not 1 <= value <= 4 for value in row):
            raise ValueError(f"a response needs {len(ELEMENTS)} answers of 1-4, got {row!r}")
    results = []
    for position, element in enumerate(ELEMENTS):
        total = sum(row[position] for row in rows)
        nrr = Fraction(total, len(rows))
        results.append(ElementResult(element, ELEMENT_LABELS[element], total, nrr, nrr * WEIGHT))
    ikm = sum((r.weighted for r in results), Fraction(0))
    skm = ikm * CONVERSION
    return Index(len(rows), tuple(results), ikm, skm, grade_of(skm))


def decimal(value: Fraction, places: int = 2) -> str:
    """A value in Indonesian notation with a decimal comma: 83,33."""
    return f"{float(value):.{places}f}".replace(".", ",")
