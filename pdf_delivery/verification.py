"""The public check behind the stamp's QR code: is the stored signed document intact and genuine?"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from pdf_delivery.documents import document_file
from pdf_delivery.models import DocumentStatus, IssuedDocument
from pdf_delivery.signing import load_trust_roots, verify_pdf
from tickets.models import Applicant, Ticket


@dataclass(frozen=True)
class Verification:
    """What the public page shows; nothing here identifies the applicant beyond a masked name."""

    ticket_number: str
    document_type: str
    signed: bool
    signed_at: datetime | None
    applicant_masked: str
    hash_matches: bool
    signature_valid: bool
    signer_name: str | None
    problem: str | None

    @property
    def valid(self) -> bool:
        """The document is signed, unchanged since signing, and its signature checks out."""
        return self.signed and self.hash_matches and self.signature_valid


def mask_name(name: str | None) -> str:
    """Each word cut to its first two letters, e.g. "Budi Santoso" -> "Bu*** Sa***"."""
    words = (name or "").split()
    return " ".join(f"{w[:2]}***" for w in words) if words else "-"


def find_by_code(session: Session, code: str) -> IssuedDocument | None:
    """The document with this verification code (exact match)."""
    if not code or len(code) > 64:
        return None
    return session.exec(select(IssuedDocument).where(IssuedDocument.verification_code == code)).first()


def verify_document(session: Session, config: Mapping[str, Any], document: IssuedDocument) -> Verification:
    """Re-check the stored signed file: its sha256 against the one recorded, and its signature."""
    ticket = session.get(Ticket, document.ticket_id)
    applicant = session.get(Applicant, ticket.applicant_id) if ticket else None
    base = dict(ticket_number=ticket.number if ticket else "-", document_type=document.document_type,
                applicant_masked=mask_name(applicant.name if applicant else None))
    if document.status == DocumentStatus.AWAITING_SIGNATURE or not document.signed_path:
        return Verification(**base, signed=False, signed_at=None, hash_matches=False, signature_valid=False,
                            signer_name=None, problem="Dokumen ini belum ditandatangani.")
    path = document_file(config, document.signed_path)
    if path is None:
        return Verification(**base, signed=True, signed_at=document.signed_at, hash_matches=False,
                            signature_valid=False, signer_name=None,
                            problem="File dokumen ber-TTE tidak ditemukan di penyimpanan kantor.")
    data = path.read_bytes()
    hash_matches = hashlib.sha256(data).hexdigest() == document.signed_sha256
    check = verify_pdf(data, load_trust_roots(config))
    problem = check.problem
    if not hash_matches and problem is None:
        problem = "File dokumen tidak sama dengan yang ditandatangani."
    return Verification(**base, signed=True, signed_at=document.signed_at, hash_matches=hash_matches,
                        signature_valid=check.valid, signer_name=check.signer_name, problem=problem)
