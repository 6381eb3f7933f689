"""The access audit: who was shown which personal data, when and from where (UU 27/2022 PDP).

A record is one INSERT added to the request's own session; the caller commits it with its work.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Select, func, or_
from sqlmodel import Field, Session, SQLModel, col, select

from layanan.clock import utcnow
from tickets.models import Ticket
from tickets.staff import ApiToken, StaffUser
from tickets.types import UTCDateTime


class AuditAction(StrEnum):
    """What was shown."""

    VIEW_FULL_NIK = "view_full_nik"  # a page or API showed an applicant's NIK unmasked
    VIEW_ATTACHMENT = "view_attachment"  # a citizen's file was opened
    VIEW_DOCUMENT = "view_document"  # an issued document was opened
    API_READ = "api_read"  # an API client read a ticket
    VIEW_PROTECTED_IDENTITY = "view_protected_identity"  # who filed a confidential complaint was shown

    @property
    def label(self) -> str:
        """The action as the audit page names it."""
        return ACTION_LABELS[self]


ACTION_LABELS: dict[AuditAction, str] = {
    AuditAction.VIEW_FULL_NIK: "Melihat NIK utuh",
    AuditAction.VIEW_PROTECTED_IDENTITY: "Melihat identitas pelapor rahasia",
    AuditAction.VIEW_ATTACHMENT: "Membuka berkas warga",
    AuditAction.VIEW_DOCUMENT: "Membuka dokumen",
    AuditAction.API_READ: "Dibaca lewat API",
}


class AuditRecord(SQLModel, table=True):
    """One showing of personal data to a member of staff (or an API client)."""

    __tablename__ = "audit_record"
    id: int | None = Field(default=None, primary_key=True)
    # Who: a member of staff, or an API client by its token (whose name is the client's).
    staff_id: int | None = Field(default=None, foreign_key="staffuser.id", index=True)
    api_token_id: int | None = Field(default=None, foreign_key="api_token.id", index=True)
    action: str = Field(max_length=30)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    detail: str | None = Field(default=None, max_length=200)  # e.g. the page's path
    ip: str | None = Field(default=None, max_length=45)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


def record(
    session: Session,
    action: AuditAction,
    *,
    staff_id: int | None,
    api_token_id: int | None = None,
    ticket_id: int | None = None,
    detail: str | None = None,
    ip: str | None = None,
) -> AuditRecord:
    """Add one audit record to the session (not committed)."""
    row = AuditRecord(staff_id=staff_id, api_token_id=api_token_id, action=str(action), ticket_id=ticket_id,
                      detail=detail[:200] if detail else None, ip=ip[:45] if ip else None)
    session.add(row)
    return row


@dataclass(frozen=True)
class AuditFilters:
    """What the reader narrowed the audit to; None leaves a field open."""

    who: str | None = None  # a username or an API token's name, in any case
    ticket_number: str | None = None
    action: AuditAction | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


@dataclass(frozen=True)
class AuditRow:
    """One record with the names it points at."""

    record: AuditRecord
    username: str | None
    full_name: str | None
    client: str | None  # the API token's name
    ticket_number: str | None

    @property
    def who(self) -> str:
        """The reader as the page and the export name it."""
        if self.client is not None:
            return f"API: {self.client}"
        if self.username is not None:
            return f"{self.full_name} ({self.username})"
        return "-"


def audit_query(filters: AuditFilters) -> Select:
    """The records matching the filters with their names, newest first (by id, the keyset)."""
    query = (
        select(AuditRecord, StaffUser.username, StaffUser.full_name, ApiToken.name, Ticket.number)
        .outerjoin(StaffUser, col(StaffUser.id) == col(AuditRecord.staff_id))
        .outerjoin(ApiToken, col(ApiToken.id) == col(AuditRecord.api_token_id))
        .outerjoin(Ticket, col(Ticket.id) == col(AuditRecord.ticket_id))
        .order_by(col(AuditRecord.id).desc())
    )
    if filters.who:
        who = filters.who.strip().lower()
        query = query.where(or_(func.lower(StaffUser.username) == who, func.lower(ApiToken.name) == who))
    if filters.ticket_number:
        query = query.where(Ticket.number == filters.ticket_number)
    if filters.action:
        query = query.where(AuditRecord.action == str(filters.action))
    if filters.since:
        query = query.where(col(AuditRecord.created_at) >= filters.since)
    if filters.until:
        query = query.where(col(AuditRecord.created_at) < filters.until)
    return query


def audit_page(session: Session, filters: AuditFilters, *, before: int | None, limit: int
               ) -> tuple[list[AuditRow], int | None]:
    """One page of records older than the record `before` (the first page without it), and the next page's key."""
    query = audit_query(filters)
    if before is not None:
        query = query.where(col(AuditRecord.id) < before)
    rows = [AuditRow(*row) for row in session.exec(query.limit(limit + 1)).all()]
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].record.id if more and rows else None)


def audit_rows(session: Session, filters: AuditFilters, batch: int = 1000) -> Iterator[AuditRow]:
    """Every matching record, newest first, read a keyset page at a time (for the export)."""
    before = None
    while True:
        rows, before = audit_page(session, filters, before=before, limit=batch)
        yield from rows
        if before is None:
            return
