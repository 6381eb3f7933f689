"""The Kepala Dinas's signing queue: which documents wait, and signing one or many of them."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from layanan.clock import utcnow
from pdf_delivery.documents import DocumentRefused, check_pdf, current_document, signing_stage_keys, store_document
from pdf_delivery.models import DocumentStatus, IssuedDocument
from pdf_delivery.signing import OfficeSigner, SigningError, load_office_signer, sign_pdf, signer_stamp
from routing import definitions_with, workflow
from routing.definition import Action, RoleDuty
from routing.engine import TransitionError
from tickets.models import Applicant, Ticket
from tickets.staff import StaffUser
from tickets.workflow_service import act

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueueItem:
    """One ticket waiting for the signature, with its document (None when the operator sent none)."""

    ticket: Ticket
    applicant_name: str | None
    document: IssuedDocument | None


@dataclass(frozen=True)
class SignOutcome:
    """What happened to one ticket of a batch."""

    number: str
    signed: bool
    message: str  # names the ticket, for a list of outcomes


def signing_queue(session: Session, account: StaffUser | None = None, limit: int | None = None) -> list[QueueItem]:
    """Tickets at a signing stage, oldest first (the `limit` oldest, when given), each with its current
    document: of every SOP, or of the SOPs whose signer the account is. One query, however many tickets wait."""
    branches = _signing_branches(account)
    if not branches:
        return []
    rows = session.exec(
        select(Ticket, col(Applicant.name), IssuedDocument)
        .join(Applicant, col(Applicant.id) == col(Ticket.applicant_id))
        .outerjoin(IssuedDocument, _latest_document_of_ticket())
        .where(or_(*branches))
        .order_by(col(Ticket.stage_entered_at), col(Ticket.id))
        .limit(limit)
    ).all()
    return [QueueItem(ticket, name, document) for ticket, name, document in rows]


def signing_queue_size(session: Session, account: StaffUser | None = None) -> int:
    """How many tickets the signing queue holds in all (one COUNT)."""
    branches = _signing_branches(account)
    if not branches:
        return 0
    return session.exec(select(func.count()).select_from(Ticket).where(or_(*branches))).one()


def documents_to_sign(session: Session, account: StaffUser) -> int:
    """How many tickets of the signing queue have a current document awaiting the signature (one COUNT)."""
    branches = _signing_branches(account)
    if not branches:
        return 0
    return session.exec(
        select(func.count()).select_from(Ticket)
        .join(IssuedDocument, _latest_document_of_ticket())
        .where(or_(*branches), col(IssuedDocument.status) == DocumentStatus.AWAITING_SIGNATURE)
    ).one()


def _signing_branches(account: StaffUser | None) -> list[ColumnElement[bool]]:
    """One condition per SOP with a signing stage (whose signer the account is): its tickets at those stages."""
    return [and_(col(Ticket.workflow) == d.key, col(Ticket.stage).in_(signing_stage_keys(d.key)))
            for d in definitions_with(RoleDuty.SIGN) if signing_stage_keys(d.key)
            and (account is None or account.has_role(d.role_for(RoleDuty.SIGN)))]


def _latest_document_of_ticket() -> ColumnElement[bool]:
    """Join condition: the ticket's document with the highest id, the one current_document returns."""
    newer = aliased(IssuedDocument)
    latest = select(func.max(newer.id)).where(newer.ticket_id == Ticket.id).scalar_subquery()
    return and_(col(IssuedDocument.ticket_id) == col(Ticket.id), col(IssuedDocument.id) == latest)


def verification_url(config: Mapping[str, Any], document: IssuedDocument) -> str:
    """The public page the stamp's QR code opens."""
    return f"{config['PUBLIC_BASE_URL']}/verifikasi/{document.verification_code}"


def sign_tickets(session: Session, config: Mapping[str, Any], account: StaffUser, passphrase: str,
                 ticket_ids: Sequence[int]) -> list[SignOutcome]:
    """Sign the documents of the chosen tickets and advance each; one failing leaves the others signed.

    Raises SigningError before touching anything when the certificate cannot be unlocked.
    """
    signer = load_office_signer(config, passphrase)
    outcomes = []
    for ticket_id in dict.fromkeys(ticket_ids):  # a ticket ticked twice is signed once
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            continue
        outcomes.append(_sign_one(session, config, account, signer, ticket))
    return outcomes


def _sign_one(session: Session, config: Mapping[str, Any], account: StaffUser, signer: OfficeSigner,
              ticket: Ticket) -> SignOutcome:
    """Sign one ticket's document, store the signed copy and advance the ticket in one commit."""
    number = ticket.number
    if ticket.stage not in signing_stage_keys(ticket.workflow):
        return _refused(number, "Tiket tidak sedang menunggu tanda tangan elektronik.")
    if not account.has_role(workflow(ticket.workflow).role_for(RoleDuty.SIGN)):
        return _refused(number, "Akun Anda tidak berwenang menandatangani dokumen tiket ini.")
    document = current_document(session, int(ticket.id or 0))
    if document is None:
        return _refused(number, "Tiket ini belum memiliki dokumen PDF dari operator.")
    if document.status != DocumentStatus.AWAITING_SIGNATURE:
        return _refused(number, "Dokumen ini sudah ditandatangani sebelumnya; tidak ditandatangani ulang.")
    if ticket.claimed_by_id not in (None, account.id):
        return _refused(number, "Tiket ini sedang dikerjakan petugas lain.")
    try:
        signed = _signed_bytes(config, document, signer, account)
    except (SigningError, DocumentRefused, OSError) as exc:
        message = "File dokumen tidak ditemukan di penyimpanan." if isinstance(exc, OSError) else str(exc)
        return _refused(number, message)
    roles = set(account.roles)
    claimed_here = False
    try:
        if ticket.claimed_by_id is None:
            claimed_here = True
            ticket, _, _ = act(session, ticket, Action.CLAIM, actor_id=account.id, actor_roles=roles,
                               expected_version=ticket.version)
        digest = hashlib.sha256(signed).hexdigest()
        document.signed_path = store_document(config, signed, digest)
        document.signed_sha256 = digest
        document.signed_at = utcnow()
        document.signed_by_id = account.id
        document.status = DocumentStatus.SIGNED
        session.add(document)
        # act commits the document's new state together with the advance, or rolls both back.
        act(session, ticket, Action.ADVANCE, actor_id=account.id, actor_roles=roles,
            expected_version=ticket.version, payload={"outputs": {}})
    except TransitionError as exc:
        session.rollback()
        if claimed_here:
            _release(session, ticket, account)
        return _refused(number, exc.message)
    log.info("staff %s signed document %s of ticket %s", account.username, document.id, number)
    next_stage = workflow(ticket.workflow).stage(ticket.stage).name
    return SignOutcome(number, True, f'Ditandatangani. Tiket {number} diteruskan ke tahap "{next_stage}".')


def _release(session: Session, ticket: Ticket, account: StaffUser) -> None:
    """Give back a claim taken only to sign, so a refused ticket is left as it was found."""
    session.refresh(ticket)
    if ticket.claimed_by_id != account.id:
        return
    try:
        act(session, ticket, Action.RELEASE, actor_id=account.id, actor_roles=set(account.roles),
            expected_version=ticket.version)
    except TransitionError:
        log.info("ticket %s: claim kept after a refused signature", ticket.number)


def _refused(number: str, reason: str) -> SignOutcome:
    return SignOutcome(number, False, f"{number}: {reason}")


def _signed_bytes(config: Mapping[str, Any], document: IssuedDocument, signer: OfficeSigner,
                  account: StaffUser) -> bytes:
    """The document's original with the office signature and the account's stamp applied."""
    from pdf_delivery.documents import document_file

    path = document_file(config, document.original_path)
    if path is None:
        raise FileNotFoundError(document.original_path)
    original = path.read_bytes()
    check_pdf(original, len(original))  # uploaded before active content was refused: still refused here
    return sign_pdf(original, signer, signer_stamp(account, config, utcnow(), verification_url(config, document)))
