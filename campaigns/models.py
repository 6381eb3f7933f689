"""Schools, planned visits with their field team, and the students listed for each visit."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from layanan.clock import utcnow
from tickets.types import UTCDateTime


def _ts(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


class StudentStatus(StrEnum):
    """Where a student stands on the day at the school (SOP steps 3-6)."""

    PENDING = "pending"
    ALREADY_RECORDED = "already_recorded"  # recorded before (step 3.1): straight to the print list
    DATA_CHECKED = "data_checked"  # SIAK checked (and updated) against the KK and akta (steps 4-5)
    RECORDED = "recorded"  # step 6 done
    PROBLEM = "problem"  # cannot be recorded today; the reason is kept

    @property
    def label(self) -> str:
        """The state as staff read it."""
        return STATUS_LABELS[self]

    @property
    def has_recording(self) -> bool:
        """Whether the student's biometrics are on record, so a card can be printed."""
        return self in (StudentStatus.ALREADY_RECORDED, StudentStatus.RECORDED)


STATUS_LABELS: dict[StudentStatus, str] = {
    StudentStatus.PENDING: "Belum diperiksa",
    StudentStatus.ALREADY_RECORDED: "Sudah pernah merekam",
    StudentStatus.DATA_CHECKED: "Data sesuai KK/akta",
    StudentStatus.RECORDED: "Sudah direkam",
    StudentStatus.PROBLEM: "Bermasalah",
}

# The SOP's equipment list (PERALATAN/PERLENGKAPAN), checked off when a visit is planned.
EQUIPMENT: tuple[tuple[str, str], ...] = (
    ("komputer", "Komputer dengan aplikasi SIAK, Benroller dan B-card Management"),
    ("alat_rekam", "Peralatan perekaman (iris scanner, fingerprint, signature pad, kamera)"),
    ("pendukung", "Peralatan pendukung perekaman (tripod, background screen)"),
    ("komunikasi", "Alat komunikasi (HP atau HT)"),
    ("printer", "Printer ID card"),
    ("ribbon", "Ribbon dan film"),
    ("blangko", "Blangko KTP elektronik"),
    ("atk", "ATK"),
    ("jaringan", "Jaringan komunikasi data"),
    ("kendaraan", "Sarana mobilitas"),
)


class School(SQLModel, table=True):
    """A school the office visits, in one kecamatan; staff keep the list."""

    __table_args__ = (UniqueConstraint("kecamatan_code", "name", name="uq_school_kecamatan_name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    kecamatan_code: str = Field(foreign_key="kecamatan.code", index=True)
    address: str = Field(default="", max_length=200)
    headmaster: str = Field(default="", max_length=120)  # who receives the cards, as printed on the berita acara
    active: bool = Field(default=True)
    updated_at: datetime = _ts(default_factory=utcnow)


class SchoolVisit(SQLModel, table=True):
    """One recording visit to a school on a date; its ticket runs the SOP's chain."""

    __tablename__ = "school_visit"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    visit_date: date = Field(index=True)
    # A student turning 17 up to this many days after the visit is recorded now and printed on the birthday.
    window_days: int = Field(default=0)
    equipment: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    ticket_id: int = Field(foreign_key="ticket.id", unique=True)
    created_by_id: int = Field(foreign_key="staffuser.id")
    created_at: datetime = _ts(default_factory=utcnow)
    # The collective handover to the school (SOP step 8): numbered when drawn up, PAdES-signed by the Kepala Dinas.
    handover_number: str | None = Field(default=None, max_length=80, unique=True)
    handover_date: date | None = Field(default=None)
    handover_signed_by_id: int | None = Field(default=None, foreign_key="staffuser.id")
    handover_signed_at: datetime | None = _ts(default=None)
    handover_pdf: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    # Printed in the stamp's QR code (the public verification page): unguessable, given at signing.
    handover_code: str | None = Field(default=None, max_length=32, unique=True)


class VisitOfficer(SQLModel, table=True):
    """A field officer of a visit's team."""

    __tablename__ = "school_visit_officer"

    visit_id: int = Field(foreign_key="school_visit.id", primary_key=True)
    staff_id: int = Field(foreign_key="staffuser.id", primary_key=True)


class Student(SQLModel, table=True):
    """A student on a visit's list, as imported, with the day's status and the card's."""

    __tablename__ = "school_student"

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="school_visit.id", index=True)
    row_number: int  # the row of the imported file, to find it again in the school's list
    name: str = Field(max_length=120)
    nik: str | None = Field(default=None, max_length=16, index=True)
    birth_date: date
    class_name: str = Field(max_length=20)
    # Found by NIK, or by name and birth date, on an earlier row or an earlier list; kept and marked.
    duplicate_of_id: int | None = Field(default=None, foreign_key="school_student.id")
    status: str = Field(default=StudentStatus.PENDING, max_length=20)
    problem: str | None = Field(default=None, max_length=200)
    status_by_id: int | None = Field(default=None, foreign_key="staffuser.id")
    status_at: datetime | None = _ts(default=None)
    printed: bool = Field(default=False)
    in_handover: bool = Field(default=False)  # listed on the visit's berita acara
