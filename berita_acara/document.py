"""Printing and signing a stored berita acara."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session

from berita_acara.handover import HandoverError, chain_of, items_of, mark_signed, totals
from berita_acara.models import BeritaAcara, BeritaAcaraStatus
from berita_acara.render import BeritaAcaraDocument, ItemLine, Person, berita_acara_pdf
from berita_acara.sorting import SHORT_LABELS
from pdf_delivery.signing import SignatureStamp, SigningError, load_office_signer, sign_pdf
from tickets.kecamatan import BY_CODE
from tickets.models import KecamatanRow
from tickets.staff import StaffUser
from layanan.clock import utcnow

HEAD_TITLE = "Kepala Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tanggamus"


def build_document(session: Session, berita_acara: BeritaAcara, head: StaffUser | None = None) -> BeritaAcaraDocument:
    """What the paper shows, from the stored berita acara and the officers recorded on it."""
    items = items_of(session, berita_acara)
    row = session.get(KecamatanRow, berita_acara.kecamatan_code)
    kecamatan = row.name if row else BY_CODE[berita_acara.kecamatan_code].name
    head = head or _staff(session, berita_acara.signed_by_id)
    chain = chain_of(session, berita_acara)
    role_name = chain.definition.role
    return BeritaAcaraDocument(
        number=berita_acara.number,
        document_date=berita_acara.document_date,
        kecamatan_name=kecamatan,
        items=[ItemLine(i.position, i.ticket_number, i.applicant_name, SHORT_LABELS.get(i.service, i.service),
                        i.nik_masked) for i in items],
        totals=totals(items),
        handing_over=_person(role_name(chain.creator_role).name, _staff(session, berita_acara.created_by_id)),
        # The UPT officer signs the paper by hand on arrival.
        receiving=Person(f"{role_name(chain.upt_role).name} Kecamatan {kecamatan}"),
        courier=_person(role_name(chain.courier_role).name, _staff(session, berita_acara.courier_id)),
        head=_person(HEAD_TITLE, head),
        is_draft=berita_acara.status == BeritaAcaraStatus.DRAFT and head is None,
    )


def sign(session: Session, berita_acara: BeritaAcara, actor: StaffUser, passphrase: str,
         config: Mapping[str, Any], verify_url: str, now: datetime | None = None) -> None:
    """The Kepala Dinas signs: render with his name, PAdES-sign with the office certificate, store."""
    if not actor.has_role(chain_of(session, berita_acara).signer_role):
        raise HandoverError("Akun Anda tidak berwenang menandatangani berita acara.")
    if berita_acara.status != BeritaAcaraStatus.DRAFT:
        raise HandoverError("Berita acara ini sudah ditandatangani.")
    now = now or utcnow()
    try:
        signer = load_office_signer(config, passphrase)
        pdf = berita_acara_pdf(build_document(session, berita_acara, head=actor))
        stamp = SignatureStamp(name=actor.full_name, nip=actor.nip or "-", title="Kepala Dinas",
                               signed_at=now, qr_url=verify_url)
        signed = sign_pdf(pdf, signer, stamp)
    except SigningError as exc:
        raise HandoverError(str(exc)) from exc
    mark_signed(session, berita_acara, actor, signed, now)


def _staff(session: Session, staff_id: int | None) -> StaffUser | None:
    return session.get(StaffUser, staff_id) if staff_id else None


def _person(role_label: str, account: StaffUser | None) -> Person:
    if account is None:
        return Person(role_label)
    return Person(role_label, account.full_name, account.nip)
