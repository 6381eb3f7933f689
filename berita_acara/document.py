"""Printing and signing a stored berita acara."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlmodel import Session, col, select

from berita_acara.handover import HandoverError, chain_of, items_of, mark_signed, totals
from berita_acara.models import BeritaAcara, BeritaAcaraStatus
from berita_acara.records import Paraf, document_number, parafs
from berita_acara.render import BeritaAcaraDocument, ItemLine, Person, berita_acara_pdf
from berita_acara.sorting import SHORT_LABELS
from layanan.indonesian_words import long_date
from pdf_delivery.documents import CODE_BYTES
from pdf_delivery.signing import SigningError, load_office_signer, load_trust_roots, sign_pdf, signer_stamp, verify_pdf
from tickets.kecamatan import BY_CODE
from tickets.models import KecamatanRow, Ticket
from tickets.staff import StaffUser
from layanan.clock import WIB, utcnow


def build_document(session: Session, berita_acara: BeritaAcara, head: StaffUser | None = None) -> BeritaAcaraDocument:
    """What the paper shows, from the stored berita acara and the officers recorded on it."""
    items = items_of(session, berita_acara)
    row = session.get(KecamatanRow, berita_acara.kecamatan_code)
    kecamatan = row.name if row else BY_CODE[berita_acara.kecamatan_code].name
    head = head or _staff(session, berita_acara.signed_by_id)
    chain = chain_of(session, berita_acara)
    role_name = chain.definition.role
    tickets = {t.id: t for t in session.exec(select(Ticket).where(col(Ticket.id).in_([i.ticket_id for i in items])))}
    initials = parafs(session, tickets.values())
    return BeritaAcaraDocument(
        number=berita_acara.number,
        document_date=berita_acara.document_date,
        kecamatan_name=kecamatan,
        items=[ItemLine(i.position, i.ticket_number, i.applicant_name, SHORT_LABELS.get(i.service, i.service),
                        i.nik_masked, document_number(tickets[i.ticket_id]) or "") for i in items],
        totals=totals(items),
        initialled=_initialled(initials.values()),
        not_initialled=sum(1 for i in items if i.ticket_id not in initials),
        handing_over=_person(role_name(chain.creator_role).name, _staff(session, berita_acara.created_by_id)),
        # The UPT officer signs the paper by hand on arrival.
        receiving=Person(f"{role_name(chain.upt_role).name} Kecamatan {kecamatan}"),
        courier=_person(role_name(chain.courier_role).name, _staff(session, berita_acara.courier_id)),
        head=_person(str(current_app.config["SIGNER_TITLE"]), head),  # as his stamp names him
        is_draft=berita_acara.status == BeritaAcaraStatus.DRAFT and head is None,
    )


def _initialled(found: Iterable[Paraf]) -> list[str]:
    """Who put the paraf on which day, with how many documents: "Nama (Kepala Bidang) pada 2 Desember 2026
    (12 berkas)"."""
    counted = Counter((p.name, p.role, p.at.astimezone(WIB).date()) for p in found)
    return [f"{name}{f' ({role})' if role else ''} pada {long_date(day)} ({n} berkas)"
            for (name, role, day), n in sorted(counted.items(), key=lambda kv: (kv[0][2], kv[0][0]))]


def verification_url(config: Mapping[str, Any], code: str) -> str:
    """The public page the stamp's QR code opens (berita_acara.views.verify)."""
    return f"{config['PUBLIC_BASE_URL']}/berita-acara/verifikasi/{code}"


def sign(session: Session, berita_acara: BeritaAcara, actor: StaffUser, passphrase: str,
         config: Mapping[str, Any], now: datetime | None = None) -> None:
    """The Kepala Dinas signs: render with his name, PAdES-sign with the office certificate and his stamp
    (its QR code opening the public verification page), store."""
    if not actor.has_role(chain_of(session, berita_acara).signer_role):
        raise HandoverError("Akun Anda tidak berwenang menandatangani berita acara.")
    if berita_acara.status != BeritaAcaraStatus.DRAFT:
        raise HandoverError("Berita acara ini sudah ditandatangani.")
    now = now or utcnow()
    code = berita_acara.verification_code or secrets.token_urlsafe(CODE_BYTES)
    try:
        signer = load_office_signer(config, passphrase)
        pdf = berita_acara_pdf(build_document(session, berita_acara, head=actor))
        signed = sign_pdf(pdf, signer, signer_stamp(actor, config, now, verification_url(config, code)))
    except SigningError as exc:
        raise HandoverError(str(exc)) from exc
    berita_acara.verification_code = code
    mark_signed(session, berita_acara, actor, signed, now)


def _staff(session: Session, staff_id: int | None) -> StaffUser | None:
    return session.get(StaffUser, staff_id) if staff_id else None


def _person(role_label: str, account: StaffUser | None) -> Person:
    if account is None:
        return Person(role_label)
    return Person(role_label, account.full_name, account.nip)


@dataclass(frozen=True)
class Verification:
    """What the public page behind the stamp's QR code shows: the paper, not the citizens it lists."""

    number: str
    document_date: date
    kecamatan_name: str
    items: int
    signed_at: datetime | None
    signer_name: str | None  # as the certificate names the holder
    valid: bool
    problem: str | None

    @property
    def receiver(self) -> str:
        """Whom the paper was made out to, as the page names it."""
        return f"UPT Kecamatan {self.kecamatan_name}"


def verify(session: Session, config: Mapping[str, Any], berita_acara: BeritaAcara) -> Verification:
    """Check the stored signed berita acara against the office's trust roots."""
    row = session.get(KecamatanRow, berita_acara.kecamatan_code)
    base = dict(number=berita_acara.number, document_date=berita_acara.document_date,
                kecamatan_name=row.name if row else berita_acara.kecamatan_code,
                items=len(items_of(session, berita_acara)), signed_at=berita_acara.signed_at)
    if berita_acara.status == BeritaAcaraStatus.DRAFT:
        return Verification(**base, signer_name=None, valid=False, problem="Berita acara ini belum ditandatangani.")
    if not berita_acara.signed_pdf:
        return Verification(**base, signer_name=None, valid=False,
                            problem="File berita acara sudah dihapus karena masa retensi berakhir; penandatanganannya "
                                    "tercatat di kantor.")
    check = verify_pdf(berita_acara.signed_pdf, load_trust_roots(config))
    return Verification(**base, signer_name=check.signer_name, valid=check.valid, problem=check.problem)
