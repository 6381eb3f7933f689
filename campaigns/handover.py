"""The collective handover of the printed cards to the school (SOP step 8): a berita acara drawn up by
the coordinator and PAdES-signed by the Kepala Dinas, like the UPT's.

The berita acara module's own table lists tickets and follows the papers through a courier to a UPT; a
school's paper lists students and is handed over by the team itself. So the paper is kept on the visit,
and the berita acara module's pieces are reused: its number format helper, its words for the opening,
its print styles and letterhead, and the one signing path with the signer's stamp.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app, render_template
from sqlmodel import Session

from berita_acara.numbering import format_number
from berita_acara.render import office, render_pdf
from layanan.indonesian_words import long_date, opening_phrase
from campaigns.models import School, SchoolVisit, Student
from campaigns.services import FEATURE, CampaignError, campaign_definition, students_of
from layanan.clock import WIB, office_year, utcnow
from pdf_delivery.documents import CODE_BYTES
from pdf_delivery.signing import (
    SigningError,
    load_office_signer,
    load_trust_roots,
    sign_pdf,
    signer_stamp,
    verify_pdf,
)
from berita_acara.handover import HandoverError, stage_confirmations
from routing.definition import Action, RoleDuty, StageDuty
from routing.engine import TransitionError
from tickets.models import Ticket
from tickets.workflow_service import act
from tickets.kecamatan import BY_CODE
from tickets.numbering import next_value
from tickets.privacy import mask_nik
from tickets.staff import StaffUser

SEQUENCE = "berita_acara_sekolah"
DEFAULT_FORMAT = "470/{seq:03d}/BA-SEKOLAH/Disdukcapil/{year}"


def signer_roles() -> tuple[str, ...]:
    """Who signs the school's berita acara."""
    return campaign_definition().roles_for(RoleDuty.SIGN, FEATURE)


def handed_over(session: Session, visit: SchoolVisit) -> list[Student]:
    """The students whose printed cards the berita acara lists."""
    return [s for s in students_of(session, visit) if s.in_handover]


def draw_up(session: Session, visit: SchoolVisit, now: datetime | None = None) -> None:
    """List the printed cards on the visit's berita acara (numbered the first time); again while unsigned."""
    if visit.handover_signed_at is not None:
        raise CampaignError("Berita acara sudah ditandatangani dan tidak dapat diubah.")
    students = students_of(session, visit)
    if not any(s.printed for s in students):
        raise CampaignError("Belum ada KTP-el yang ditandai tercetak untuk diserahkan.")
    now = now or utcnow()
    if visit.handover_number is None:
        year = office_year(now)
        template = str(current_app.config.get("SCHOOL_BERITA_ACARA_NUMBER_FORMAT") or DEFAULT_FORMAT)
        visit.handover_number = format_number(template, next_value(session, SEQUENCE, year), year)
    visit.handover_date = now.astimezone(WIB).date()
    for student in students:
        student.in_handover = student.printed
        session.add(student)
    session.add(visit)
    session.commit()


@dataclass(frozen=True)
class Line:
    position: int
    name: str
    class_name: str
    nik_masked: str


def handover_pdf(session: Session, visit: SchoolVisit, head: StaffUser | None = None) -> bytes:
    """The berita acara as an A4 PDF under the letterhead (marked KONSEP until signed)."""
    if visit.handover_pdf is not None:
        return visit.handover_pdf  # exactly as signed: re-rendering would break the signature
    if visit.handover_number is None or visit.handover_date is None:
        raise CampaignError("Berita acara belum dibuat.")
    school = session.get(School, visit.school_id)
    assert school is not None
    lines = [Line(i, s.name, s.class_name, mask_nik(s.nik) if s.nik else "-")
             for i, s in enumerate(handed_over(session, visit), start=1)]
    creator = session.get(StaffUser, visit.created_by_id)
    html = render_template(
        "campaigns/pdf/berita_acara.html", visit=visit, school=school, lines=lines, office=office(),
        kecamatan=BY_CODE[school.kecamatan_code].name if school.kecamatan_code in BY_CODE else school.kecamatan_code,
        opening=opening_phrase(visit.handover_date), signed_on=long_date(visit.handover_date),
        coordinator=creator, coordinator_role=campaign_definition().role(
            campaign_definition().role_for(RoleDuty.PLAN_SCHOOL_VISITS, FEATURE)).name,
        head=head, head_title=str(current_app.config["SIGNER_TITLE"]), is_draft=head is None,
    )
    return render_pdf(html)


def verification_url(config: Mapping[str, Any], code: str) -> str:
    """The public page the stamp's QR code opens (campaigns.views.verify)."""
    return f"{config['PUBLIC_BASE_URL']}/sekolah/verifikasi/{code}"


def sign(session: Session, visit: SchoolVisit, actor: StaffUser, passphrase: str, config: Mapping[str, Any],
         now: datetime | None = None) -> str | None:
    """The Kepala Dinas signs: render with his name, PAdES-sign with the office certificate and his stamp,
    store; the listed students count as handed over from then on, and the visit's ticket waiting for the
    handover moves on. Commits; returns why the ticket could not move, or None."""
    if not actor.has_role(*signer_roles()):
        raise CampaignError("Akun Anda tidak berwenang menandatangani berita acara.")
    if visit.handover_signed_at is not None:
        raise CampaignError("Berita acara ini sudah ditandatangani.")
    now = now or utcnow()
    code = secrets.token_urlsafe(CODE_BYTES)
    try:
        signer = load_office_signer(config, passphrase)
        pdf = handover_pdf(session, visit, head=actor)
        signed = sign_pdf(pdf, signer, signer_stamp(actor, config, now, verification_url(config, code)))
    except SigningError as exc:
        raise CampaignError(str(exc)) from exc
    visit.handover_pdf, visit.handover_code = signed, code
    visit.handover_signed_by_id, visit.handover_signed_at = actor.id, now
    session.add(visit)
    session.commit()
    return move_on_after_signing(session, visit, actor, now)


def move_on_after_signing(session: Session, visit: SchoolVisit, actor: StaffUser, now: datetime) -> str | None:
    """Move the visit's ticket out of the handover stage as the signer, once: only a signed visit whose ticket
    waits in that stage moves (a second signing is refused before, a retry finds the ticket moved on). Returns
    why the ticket stayed, or None."""
    definition = campaign_definition()
    stage = definition.stage_for(StageDuty.SCHOOL_HANDOVER, FEATURE)
    ticket = session.get(Ticket, visit.ticket_id)
    if visit.handover_signed_at is None or ticket is None or ticket.stage != stage.key:
        return None
    # The signature is the step's authority: the signer acts in the stage's role for this one move.
    roles = set(actor.roles) | {str(stage.role)}
    try:
        if ticket.claimed_by_id not in (None, actor.id):
            ticket, _, _ = act(session, ticket, Action.RELEASE, actor_id=actor.id, actor_roles=roles,
                               expected_version=ticket.version, now=now)
        if ticket.claimed_by_id != actor.id:
            ticket, _, _ = act(session, ticket, Action.CLAIM, actor_id=actor.id, actor_roles=roles,
                               expected_version=ticket.version, now=now)
        act(session, ticket, Action.ADVANCE, actor_id=actor.id, actor_roles=roles, expected_version=ticket.version,
            payload={"outputs": stage_confirmations(stage)}, now=now)
    except (TransitionError, HandoverError) as exc:
        return f"Tiket {ticket.number} belum berpindah tahap: {exc}"
    return None


@dataclass(frozen=True)
class Verification:
    """What the public page behind the QR code shows (the berita acara's page): the paper, not the students."""

    number: str
    document_date: date | None
    receiver: str  # the school
    items: int  # the cards handed over
    signed_at: datetime | None
    signer_name: str | None
    valid: bool
    problem: str | None


def verify(session: Session, config: Mapping[str, Any], visit: SchoolVisit) -> Verification:
    """Check the stored signed berita acara against the office's trust roots."""
    school = session.get(School, visit.school_id)
    check = verify_pdf(visit.handover_pdf or b"", load_trust_roots(config))
    return Verification(number=str(visit.handover_number), document_date=visit.handover_date,
                        receiver=school.name if school else "-", items=len(handed_over(session, visit)),
                        signed_at=visit.handover_signed_at, signer_name=check.signer_name, valid=check.valid,
                        problem=check.problem)
