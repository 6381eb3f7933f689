"""Builders for planned visits of the three kinds, each made through its feature's own service."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from campaigns.models import SchoolVisit
from campaigns.services import campaign_definition, plan_visit, save_school
from outreach.models import OutreachRequest
from outreach.services import SERVICES, RequestForm, outreach_definition, schedule, submit_request
from routing.definition import RoleDuty
from siaga.models import SiagaReport
from siaga.services import Report, Row, record_report, schedule_visit, siaga_definition
from tests.tickets.conftest import make_staff, make_ticket
from tickets.constants import Channel, Service
from tickets.staff import StaffUser

SIAGA_RESIDENT = "Mbah Sukinah Rahasia"
SIAGA_REPORTER = "Warsini Pelapor"


def field_staff(session: Session) -> dict[str, StaffUser]:
    """Who plans and who goes out, for each kind, found by the SOPs' duties; and a section head of all three."""
    school, siaga, outreach = campaign_definition(), siaga_definition(), outreach_definition()
    heads = set(siaga.roles_for(RoleDuty.SUPERVISE)) & set(outreach.roles_for(RoleDuty.SUPERVISE))
    head = next(r for r in siaga.roles_for(RoleDuty.SUPERVISE) if r in heads)
    outreach_planner = next(r for r in outreach.roles_for(RoleDuty.PLAN_FIELD_VISITS)
                            if r not in outreach.roles_for(RoleDuty.FIELD_WORK))
    return {
        "school_planner": make_staff(session, school.role_for(RoleDuty.PLAN_SCHOOL_VISITS), username="koordinator"),
        "school_officer": make_staff(session, school.role_for(RoleDuty.FIELD_WORK), username="perekam"),
        "siaga_planner": make_staff(session, siaga.role_for(RoleDuty.PLAN_FIELD_VISITS), username="petugas-siaga"),
        "siaga_officer": make_staff(session, siaga.role_for(RoleDuty.FIELD_WORK), username="perekam-siaga"),
        "outreach_planner": make_staff(session, outreach_planner, username="perencana-sijarla"),
        "outreach_officer": make_staff(session, outreach.role_for(RoleDuty.FIELD_WORK), username="tim-sijarla"),
        "head": make_staff(session, head, username="kepala-bidang", full_name="Kepala Bidang Uji"),
    }


def school_visit(session: Session, staff: dict[str, StaffUser], name: str, kecamatan: str, day: date) -> SchoolVisit:
    school = save_school(session, name, kecamatan, "Jl. Merdeka", "Kepala Sekolah")
    return plan_visit(session, staff["school_planner"], school, day, 0, [int(staff["school_officer"].id or 0)], [])


def siaga_visit(session: Session, staff: dict[str, StaffUser], pekon: str, kecamatan: str, day: date,
                resident: str = SIAGA_RESIDENT) -> SiagaReport:
    ticket = make_ticket(session, service=Service.SIAGA, channel=Channel.WHATSAPP, kecamatan_code=kecamatan)
    report = record_report(session, ticket, Report(reporter_name=SIAGA_REPORTER, relation="Anak", subject_name=resident,
                                                   pekon=pekon, contact_phone="+6281234567890", urgent=True))
    session.commit()
    schedule_visit(session, Row(report, ticket), day, [int(staff["siaga_officer"].id or 0)], staff["siaga_planner"])
    return report


def outreach_visit(session: Session, staff: dict[str, StaffUser], requester: str, kecamatan: str, pekon: str,
                   day: date, results: dict[str, int] | None = None) -> OutreachRequest:
    form = RequestForm(requester=requester, kecamatan_code=kecamatan, pekon=pekon, letter_number="",
                       expected_people=30, services=(SERVICES[0].value,), proposed_date=day, notes="")
    made = submit_request(session, form, staff["outreach_planner"])
    session.commit()
    schedule(session, made, day, [int(staff["outreach_officer"].id or 0)], staff["outreach_planner"])
    if results is not None:
        from layanan.clock import utcnow

        made.results, made.results_at = results, utcnow()
        session.add(made)
        session.commit()
    return made
