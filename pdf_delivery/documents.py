"""Issued documents: checking an uploaded PDF, storing it by content, and what the workflow asks of it."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlmodel import Session, col, select

from bot.media import store_content
from routing import workflow
from routing.definition import OutputField, OutputSource, RoleDuty, Stage
from routing.engine import InvalidTransition
from pdf_delivery.models import DocumentStatus, IssuedDocument
from tickets.constants import Service
from tickets.models import Ticket
from tickets.staff import StaffUser
from layanan.clock import utcnow

log = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"
CODE_BYTES = 16  # token_urlsafe(16): 22 characters, 128 bits


class DocumentRefused(Exception):
    """An upload that cannot be accepted; the message is Indonesian and says what to do."""


@dataclass(frozen=True)
class CheckedPdf:
    """A PDF that passed the checks, with its digest."""

    content: bytes
    sha256: str
    pages: int


def read_limited(stream: IO[bytes], max_bytes: int) -> bytes:
    """Read at most max_bytes from the upload stream; refuse a larger file without reading all of it."""
    content = stream.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise DocumentRefused(f"Ukuran file melebihi batas {max_bytes // (1024 * 1024)} MB. File tidak disimpan.")
    return content


def check_pdf(content: bytes, max_bytes: int) -> CheckedPdf:
    """Accept only a readable, unencrypted PDF with at least one page, no larger than max_bytes."""
    if not content:
        raise DocumentRefused("File kosong. Pilih file PDF dokumen yang diterbitkan.")
    if len(content) > max_bytes:
        raise DocumentRefused(f"Ukuran file melebihi batas {max_bytes // (1024 * 1024)} MB. File tidak disimpan.")
    if not content.startswith(PDF_MAGIC):
        raise DocumentRefused("File ini bukan PDF. Unggah dokumen dalam format PDF.")
    from pdf_delivery import pdf_reading  # pyHanko: loaded by the first check, not at start

    try:
        encrypted, pages, found = pdf_reading.facts(content)
    except Exception as exc:  # pyHanko raises many types for a damaged file; all mean the same here
        log.info("uploaded PDF unreadable: %s", type(exc).__name__)
        raise DocumentRefused("File PDF rusak atau tidak dapat dibaca. Ekspor ulang dokumen lalu unggah kembali.")
    if encrypted:
        raise DocumentRefused("File PDF terkunci kata sandi (terenkripsi) dan tidak dapat ditandatangani. "
                              "Ekspor ulang tanpa kata sandi.")
    if pages < 1:
        raise DocumentRefused("File PDF tidak memiliki halaman.")
    if found:
        kinds = [kind for kind in ACTIVE_CONTENT_LABELS if kind in found]  # always in the same order
        log.info("uploaded PDF refused: active content %s", ", ".join(kinds))
        raise DocumentRefused(
            f"File PDF memuat {', '.join(ACTIVE_CONTENT_LABELS[kind] for kind in kinds)}. Dokumen yang ditandatangani dan "
            "dikirim ke warga tidak boleh berisi skrip, perintah atau file tersemat. Ekspor ulang dokumen dari SIAK "
            "sebagai PDF biasa, lalu unggah kembali.")
    return CheckedPdf(content=content, sha256=hashlib.sha256(content).hexdigest(), pages=pages)


# What a document may not carry: it would run or open something on the reader's machine, or smuggle a file.
ACTIVE_CONTENT_LABELS = {
    "javascript": "JavaScript",
    "open_action": "tindakan otomatis saat dibuka (OpenAction)",
    "launch": "perintah menjalankan program (Launch)",
    "embedded_file": "file tersemat (embedded file)",
    "xfa": "formulir XFA yang dapat memuat skrip",
}
def document_stage(ticket: Ticket) -> Stage | None:
    """The ticket's stage when that stage asks for a document to be uploaded, else None."""
    stage = workflow(ticket.workflow).stage(ticket.stage)
    return stage if any(o.source is OutputSource.DOCUMENT for o in stage.outputs) else None


def signing_stage_keys(workflow_key: str) -> tuple[str, ...]:
    """The stages whose advance needs a signed document (the Kepala Dinas's signing queue)."""
    definition = workflow(workflow_key)
    return tuple(s.key for s in definition.chain if any(o.source is OutputSource.SIGNED_DOCUMENT for o in s.outputs))


def signer_name(workflow_key: str) -> str | None:
    """Who signs the uploaded document in this SOP, as staff read it; None where documents are not signed."""
    definition = workflow(workflow_key)
    if not signing_stage_keys(workflow_key):
        return None
    return definition.role(definition.role_for(RoleDuty.SIGN)).name


def can_upload(account: StaffUser, ticket: Ticket) -> bool:
    """Whether the account may upload the document now: it holds the stage's role, the stage asks for
    a document, and no colleague has claimed the ticket."""
    stage = document_stage(ticket)
    if stage is None or not stage.role or not account.has_role(stage.role):
        return False
    return ticket.claimed_by_id in (None, account.id)


def current_document(session: Session, ticket_id: int) -> IssuedDocument | None:
    """The ticket's latest issued document."""
    return session.exec(
        select(IssuedDocument).where(IssuedDocument.ticket_id == ticket_id).order_by(col(IssuedDocument.id).desc())
    ).first()


def document_type_of(ticket: Ticket) -> str:
    """What the document is, as the verification page names it: the service asked for."""
    try:
        return Service(ticket.service).label
    except ValueError:
        return ticket.service


def store_document(config: Mapping[str, Any], content: bytes, digest: str) -> str:
    """Write the file under DOCUMENTS_PATH by its digest; return the path relative to that folder."""
    root = Path(config["DOCUMENTS_PATH"])
    return str(store_content(root, digest, content).relative_to(root))


def document_file(config: Mapping[str, Any], relative: str) -> Path | None:
    """The stored file for a relative path, refusing anything outside DOCUMENTS_PATH."""
    root = Path(config["DOCUMENTS_PATH"]).resolve()
    path = (root / relative).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


def upload_document(session: Session, config: Mapping[str, Any], ticket: Ticket, account: StaffUser,
                    content: bytes) -> IssuedDocument:
    """Check and store the ticket's document PDF; a new upload replaces one not yet signed. Commits."""
    if not can_upload(account, ticket):
        raise DocumentRefused("Dokumen hanya dapat diunggah oleh petugas tahap ini, pada tahap yang meminta "
                              "dokumen PDF.")
    checked = check_pdf(content, int(config["DOCUMENT_MAX_BYTES"]))
    document = current_document(session, int(ticket.id or 0))
    if document is not None and document.status != DocumentStatus.AWAITING_SIGNATURE:
        raise DocumentRefused("Dokumen tiket ini sudah ditandatangani dan tidak dapat diganti.")
    if document is None:
        document = IssuedDocument(ticket_id=int(ticket.id or 0), document_type=document_type_of(ticket),
                                  original_path="", original_sha256="", original_size=0,
                                  verification_code=secrets.token_urlsafe(CODE_BYTES))
    document.original_path = store_document(config, checked.content, checked.sha256)
    document.original_sha256 = checked.sha256
    document.original_size = len(checked.content)
    document.uploaded_by_id = account.id
    document.uploaded_at = utcnow()
    session.add(document)
    session.commit()
    session.refresh(document)
    log.info("staff %s uploaded document %s for ticket %s", account.username, document.id, ticket.number)
    return document


def document_output(session: Session, ticket: Ticket, spec: OutputField) -> str:
    """The value of a `document` or `signed_document` output; refuses the advance when it is missing."""
    document = current_document(session, int(ticket.id or 0))
    if spec.source is OutputSource.DOCUMENT:
        if document is None:
            raise InvalidTransition(f'{spec.label} belum diunggah. Unggah file PDF-nya di bagian "Dokumen terbit" '
                                    "sebelum meneruskan tiket.")
        return f"PDF {document.original_size // 1024 + 1} KB, sha256 {document.original_sha256[:12]}"
    if document is None or document.status == DocumentStatus.AWAITING_SIGNATURE or not document.signed_sha256:
        raise InvalidTransition("Dokumen belum ditandatangani. Tandatangani lewat halaman Tanda Tangan Elektronik.")
    return f"PDF ber-TTE, sha256 {document.signed_sha256[:12]}"
