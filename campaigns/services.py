"""Planning visits, importing student lists and recording each student's progress; commits happen here."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from campaigns.models import EQUIPMENT, School, SchoolVisit, Student, StudentStatus, VisitOfficer
from campaigns.students import StudentRow, identity_keys, is_eligible
from layanan.spreadsheet_import import normal_name
from layanan.clock import utcnow
from routing import definitions_with
from routing.definition import Definition, RoleDuty
from tickets.constants import Service
from tickets.models import Ticket
from tickets.services import create_ticket
from tickets.staff import StaffUser

log = logging.getLogger(__name__)
FEATURE = "perekaman di sekolah"


class CampaignError(ValueError):
    """A step cannot be taken; the message is Indonesian and safe to show."""


def campaign_definition() -> Definition:
    """The SOP school visits run on: the one whose role plans them."""
    found = definitions_with(RoleDuty.PLAN_SCHOOL_VISITS)
    if not found:
        raise CampaignError("Belum ada SOP perekaman di sekolah.")
    return found[0]


def field_officers(session: Session) -> list[StaffUser]:
    """Active staff who may go out with a visit's team."""
    roles = set(campaign_definition().roles_for(RoleDuty.FIELD_WORK, FEATURE))
    staff = session.exec(select(StaffUser).where(StaffUser.active == True).order_by(StaffUser.full_name))  # noqa: E712
    return [s for s in staff if set(s.roles) & roles]


def save_school(session: Session, name: str, kecamatan_code: str, address: str, headmaster: str,
                school_id: int | None = None, active: bool = True) -> School:
    """Add a school or change one; commits."""
    name = " ".join(name.split())
    if not name:
        raise CampaignError("Nama sekolah wajib diisi.")
    school = session.get(School, school_id) if school_id else School(name=name, kecamatan_code=kecamatan_code)
    if school is None:
        raise CampaignError("Sekolah tidak ditemukan.")
    school.name, school.kecamatan_code = name[:120], kecamatan_code
    school.address, school.headmaster, school.active = address.strip()[:200], headmaster.strip()[:120], active
    school.updated_at = utcnow()
    session.add(school)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise CampaignError("Sekolah dengan nama itu sudah ada di kecamatan tersebut.") from None
    return school


def plan_visit(session: Session, actor: StaffUser, school: School, visit_date: date, window_days: int,
               officer_ids: Iterable[int], equipment: Iterable[str]) -> SchoolVisit:
    """Plan a visit and open its ticket in the SOP's first stage; commits."""
    definition = campaign_definition()
    team = [o for o in field_officers(session) if o.id in set(officer_ids)]
    if not team:
        raise CampaignError("Pilih sedikitnya satu petugas lapangan.")
    if not 0 <= window_days <= 366:
        raise CampaignError("Rentang usia 17 tahun harus antara 0 dan 366 hari setelah kunjungan.")
    known = {key for key, _ in EQUIPMENT}
    role = next((r for r in definition.roles_for(RoleDuty.PLAN_SCHOOL_VISITS, FEATURE) if actor.has_role(r)), None)
    ticket = create_ticket(
        session, service=Service.KTP_EL, channel=definition.serves[0].channel,  # type: ignore[arg-type]
        phone=None, name=school.name, kecamatan_code=school.kecamatan_code,
        description=f"Perekaman KTP-el di {school.name} pada {visit_date:%d/%m/%Y}",
        actor_id=actor.id, actor_role=role,
    )
    visit = SchoolVisit(school_id=int(school.id or 0), visit_date=visit_date, window_days=window_days,
                        equipment=[k for k in equipment if k in known], ticket_id=int(ticket.id or 0),
                        created_by_id=int(actor.id or 0))
    session.add(visit)
    session.flush()
    session.add_all(VisitOfficer(visit_id=int(visit.id or 0), staff_id=int(o.id or 0)) for o in team)
    session.commit()
    log.info("kunjungan sekolah %s direncanakan (tiket %s)", visit.id, ticket.number)
    return visit


def team_of(session: Session, visit: SchoolVisit) -> list[StaffUser]:
    """The visit's field officers."""
    ids = select(VisitOfficer.staff_id).where(VisitOfficer.visit_id == visit.id)
    return list(session.exec(select(StaffUser).where(col(StaffUser.id).in_(ids)).order_by(StaffUser.full_name)))


def ticket_of(session: Session, visit: SchoolVisit) -> Ticket:
    """The visit's ticket."""
    ticket = session.get(Ticket, visit.ticket_id)
    assert ticket is not None  # enforced by the foreign key
    return ticket


@dataclass(frozen=True)
class ImportResult:
    imported: int
    duplicates: list[str]  # "baris 5: sama dengan ... (NIK)", without the NIK itself


def import_students(session: Session, visit: SchoolVisit, rows: Sequence[StudentRow]) -> ImportResult:
    """Add the checked rows to the visit's list, marking duplicates of earlier rows and earlier lists; commits."""
    seen: dict[tuple[str, ...], Student] = {}
    for earlier in _students_like(session, rows):
        for key in identity_keys(earlier.nik, earlier.name, earlier.birth_date):
            seen.setdefault(key, earlier)
    duplicates: list[str] = []
    for row in rows:
        student = Student(visit_id=int(visit.id or 0), row_number=row.row_number, name=row.name, nik=row.nik,
                          birth_date=row.birth_date, class_name=row.class_name)
        keys = identity_keys(row.nik, row.name, row.birth_date)
        match = next(((k, seen[k]) for k in keys if k in seen), None)
        if match is not None:
            key, first = match
            student.duplicate_of_id = first.id
            how = "NIK sama" if key[0] == "nik" else "nama dan tanggal lahir sama"
            where = (f"baris {first.row_number}" if first.visit_id == visit.id
                     else f"daftar kunjungan lain ({first.name}, kelas {first.class_name})")
            duplicates.append(f"Baris {row.row_number}: {how} dengan {where}.")
        session.add(student)
        session.flush()
        for key in keys:
            seen.setdefault(key, student)
    session.commit()
    log.info("kunjungan sekolah %s: %d siswa diimpor, %d duplikat", visit.id, len(rows), len(duplicates))
    return ImportResult(len(rows), duplicates)


def _students_like(session: Session, rows: Sequence[StudentRow]) -> list[Student]:
    """Students already listed with one of these NIKs or birth dates (then compared by name)."""
    niks = {r.nik for r in rows if r.nik}
    births = {r.birth_date for r in rows}
    names = {normal_name(r.name) for r in rows}
    found = session.exec(select(Student).where(col(Student.nik).in_(niks) | col(Student.birth_date).in_(births))
                         .order_by(col(Student.id)))
    return [s for s in found if (s.nik and s.nik in niks) or normal_name(s.name) in names]


def students_of(session: Session, visit: SchoolVisit) -> list[Student]:
    """The visit's students by class and name."""
    return list(session.exec(select(Student).where(Student.visit_id == visit.id)
                             .order_by(Student.class_name, Student.name, col(Student.id))))


def eligible(student: Student, visit: SchoolVisit) -> bool:
    """Whether the student is on the visit's list to record: 17 by the visit (or its window), not a duplicate."""
    return student.duplicate_of_id is None and is_eligible(student.birth_date, visit.visit_date, visit.window_days)


def set_status(session: Session, visit: SchoolVisit, student_id: int, status: StudentStatus, problem: str,
               actor: StaffUser, now: datetime | None = None) -> Student:
    """Record where a student stands on the day; a problem needs its reason. Commits."""
    student = session.get(Student, student_id)
    if student is None or student.visit_id != visit.id:
        raise CampaignError("Siswa ini tidak ada dalam daftar kunjungan ini. Muat ulang halaman.")
    if visit.handover_signed_at is not None:
        raise CampaignError("Berita acara serah terima sudah ditandatangani; status siswa tidak dapat diubah lagi.")
    problem = " ".join(problem.split())
    if status is StudentStatus.PROBLEM and not problem:
        raise CampaignError(f"Tulis alasan masalah untuk {student.name}.")
    student.status = status
    student.problem = problem[:200] if status is StudentStatus.PROBLEM else None
    student.status_by_id, student.status_at = actor.id, now or utcnow()
    if not status.has_recording:
        student.printed = False
    session.add(student)
    session.commit()
    return student


def mark_printed(session: Session, visit: SchoolVisit, printed_ids: set[int]) -> int:
    """Record which students' cards are printed (only students with a recording); commits. Returns how many."""
    if visit.handover_signed_at is not None:
        raise CampaignError("Berita acara serah terima sudah ditandatangani; status cetak tidak dapat diubah lagi.")
    students = students_of(session, visit)
    refused = [s.name for s in students if s.id in printed_ids and not StudentStatus(s.status).has_recording]
    if refused:
        raise CampaignError("KTP-el hanya dapat dicetak untuk siswa yang sudah merekam: " + ", ".join(refused) + ".")
    for student in students:
        student.printed = student.id in printed_ids
        session.add(student)
    session.commit()
    return sum(1 for s in students if s.printed)
