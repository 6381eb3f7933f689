"""The Surat Tugas of an outreach visit (SOP step 4: the team goes out "sesuai Surat Tugas dari Kepala Dinas").

Issuing takes the year's next number (a counter row held until the commit, so numbers have no gaps), keeps what
the letter says as issued and records the rendering job in the same commit; the worker renders the PDF on the
letterhead with a QR code to the public verification page. The signature block names the holder of the SOP's
`sign` duty (the Kepala Dinas) with his title and NIP, to be signed by hand: an electronically signed (TTE)
letter is not part of this SOP.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

import segno
from flask import current_app, render_template
from sqlmodel import Session, col, select

from berita_acara.numbering import format_number
from berita_acara.render import office, render_pdf
from layanan import renderings
from layanan.clock import WIB, office_year, utcnow
from layanan.db import job_session
from layanan.indonesian_words import day_name, long_date
from layanan.jobs import job_app
from layanan.outbox import defer
from outreach.assignment_letter_models import AssignmentLetter
from outreach.models import OutreachRequest
from outreach.services import FEATURE, SERVICES, OutreachError, outreach_definition
from routing.definition import RoleDuty, StageDuty
from tickets.kecamatan import BY_CODE
from tickets.numbering import next_value
from tickets.staff import StaffUser

SEQUENCE = "surat_tugas"
DEFAULT_FORMAT = "800.1.11.1/{seq:03d}/ST/Disdukcapil/{year}"
CODE_BYTES = 18  # 24 URL-safe characters in the QR code


@dataclass(frozen=True)
class Member:
    """A team member as printed: name, NIP and title (the SOP's name of the member's team role)."""

    name: str
    nip: str
    title: str


def signer_roles() -> tuple[str, ...]:
    """Who signs the Surat Tugas: the SOP's `sign` duty."""
    return outreach_definition().roles_for(RoleDuty.SIGN, FEATURE)


def issuer_roles() -> tuple[str, ...]:
    """Who has the letter drawn up: those who schedule the visit and assign its team."""
    return outreach_definition().roles_for(RoleDuty.PLAN_FIELD_VISITS, FEATURE)


def reader_roles() -> tuple[str, ...]:
    """Roles that read every letter (the field team reads only the letters naming them)."""
    definition = outreach_definition()
    supervise = definition.roles_for(RoleDuty.SUPERVISE) if definition.has_duty(RoleDuty.SUPERVISE) else ()
    return tuple(dict.fromkeys(issuer_roles() + signer_roles() + supervise))


def may_read(account: StaffUser, request: OutreachRequest, admin_role: str) -> bool:
    """Whether the account may open this visit's letters: the readers, admin, and the members of its team."""
    if account.has_role(*reader_roles(), admin_role):
        return True
    team_roles = outreach_definition().roles_for(RoleDuty.FIELD_WORK, FEATURE)
    return account.has_role(*team_roles) and account.id in request.team


def letters_of(session: Session, request: OutreachRequest) -> list[AssignmentLetter]:
    """The visit's letters, the latest first."""
    return list(session.exec(select(AssignmentLetter).where(AssignmentLetter.request_id == request.id)
                             .order_by(col(AssignmentLetter.id).desc())))


def _member(staff: StaffUser) -> Member:
    definition = outreach_definition()
    role = next((r for r in definition.roles_for(RoleDuty.FIELD_WORK, FEATURE) if staff.has_role(r)), None)
    return Member(staff.full_name, staff.nip or "-", definition.role(role).name if role else "Petugas")


def _signer(session: Session) -> dict[str, str]:
    """The Kepala Dinas as printed: the active account holding the sign duty, else the configured signer."""
    roles = set(signer_roles())
    staff = session.exec(select(StaffUser).where(StaffUser.active == True).order_by(col(StaffUser.id)))  # noqa: E712
    holder = next((s for s in staff if set(s.roles) & roles), None)
    cfg = current_app.config
    return {"name": holder.full_name if holder else str(cfg["SIGNER_NAME"]),
            "nip": (holder.nip if holder and holder.nip else str(cfg["SIGNER_NIP"])),
            "title": str(cfg["SIGNER_TITLE"])}


def current_content(session: Session, request: OutreachRequest) -> dict[str, Any]:
    """What a letter issued now would say (raises OutreachError when the visit has no date or team yet)."""
    if request.scheduled_date is None or not request.team:
        raise OutreachError("Jadwalkan tanggal dan tim terlebih dahulu; surat tugas memuat keduanya.")
    staff = {s.id: s for s in session.exec(select(StaffUser).where(col(StaffUser.id).in_(request.team)))}
    team = [_member(staff[i]) for i in request.team if i in staff]
    team.sort(key=lambda m: (m.title != team_leader_title(), m.name))
    labels = {s.value: s.label for s in SERVICES}
    kecamatan = BY_CODE[request.kecamatan_code].name if request.kecamatan_code in BY_CODE else request.kecamatan_code
    return {
        "team": [asdict(m) for m in team],
        "requester": request.requester, "letter_number": request.letter_number,
        "pekon": request.pekon, "kecamatan": kecamatan,
        "date": request.scheduled_date.isoformat(),
        "services": [labels.get(s, s) for s in request.services],
        "signer": _signer(session),
    }


def team_leader_title() -> str:
    """The title of the role that leads the visit (the visit stage's role): printed first."""
    definition = outreach_definition()
    role = definition.stage_for(StageDuty.FIELD_VISIT, FEATURE).role
    return definition.role(role).name if role else ""


def is_outdated(letter: AssignmentLetter | None, content: Mapping[str, Any]) -> bool:
    """Whether a new letter is due: none yet, or the date or team changed since the last one."""
    if letter is None:
        return True
    return (letter.content.get("date"), letter.content.get("team")) != (content["date"], content["team"])


def issue(session: Session, request: OutreachRequest, actor: StaffUser, now: datetime | None = None) -> AssignmentLetter:
    """Number the letter and record its rendering job in one commit; refuses when the latest letter still holds."""
    content = current_content(session, request)
    letters = letters_of(session, request)
    if not is_outdated(letters[0] if letters else None, content):
        raise OutreachError("Surat tugas untuk jadwal dan tim ini sudah diterbitkan.")
    now = now or utcnow()
    year = office_year(now)
    template = str(current_app.config.get("ASSIGNMENT_LETTER_NUMBER_FORMAT") or DEFAULT_FORMAT)
    number = format_number(template, next_value(session, SEQUENCE, year), year, "surat tugas")
    letter = AssignmentLetter(request_id=int(request.id or 0), number=number, issued_on=now.astimezone(WIB).date(),
                              issued_by_id=int(actor.id or 0), created_at=now, content=content,
                              code=secrets.token_urlsafe(CODE_BYTES))
    session.add(letter)
    session.flush()
    defer(session, render_letter, letter.id, job_id=render_job(letter), retry_intervals=renderings.retry_intervals(),
          on_failure=renderings.gave_up)
    session.commit()
    return letter


def render_job(letter: AssignmentLetter) -> str:
    """The RQ job that renders the letter's PDF."""
    return f"surat-tugas-{letter.id}"


def render_failed(letter: AssignmentLetter) -> bool:
    """Whether the letter has no PDF because its rendering failed its last try."""
    return letter.pdf is None and renderings.job_failed(render_job(letter))


def render_again(letter: AssignmentLetter) -> bool:
    """Run the letter's failed rendering again; False when there is none to run."""
    return render_failed(letter) and renderings.requeue_failed(render_job(letter))


def verification_url(code: str) -> str:
    """The public page the QR code opens."""
    return f"{current_app.config['PUBLIC_BASE_URL']}/surat-tugas/verifikasi/{code}"


def letter_pdf(letter: AssignmentLetter) -> bytes:
    """The letter as an A4 PDF under the letterhead, from what it said when issued."""
    content = letter.content
    visit_day = date.fromisoformat(content["date"])
    qr = segno.make(verification_url(letter.code), error="m", micro=False).svg_data_uri(scale=3, border=1)
    html = render_template(
        "outreach/pdf/assignment_letter.html", letter=letter, c=content, office=office(),
        visit_day=f"{day_name(visit_day)}, {long_date(visit_day)}", issued_on=long_date(letter.issued_on),
        qr=qr, verification=verification_url(letter.code))
    return render_pdf(html)


def render_letter(letter_id: int) -> str:
    """Job: render a letter's PDF once and keep it on the row (a second run finds it done)."""
    app = job_app()
    with app.app_context(), job_session(app) as session:
        letter = session.get(AssignmentLetter, letter_id)
        if letter is None or letter.pdf is not None:
            return "nothing to do"
        letter.pdf, letter.rendered_at = letter_pdf(letter), utcnow()
        session.add(letter)
        session.commit()
        return f"rendered {letter.number}"


def by_code(session: Session, code: str) -> AssignmentLetter | None:
    """The letter behind a QR code."""
    if not 0 < len(code) <= 32:
        return None
    return session.exec(select(AssignmentLetter).where(AssignmentLetter.code == code)).first()
