"""The access audit: who was shown which personal data, when and from where (UU 27/2022 PDP).

A record is one INSERT added to the request's own session; the caller commits it with its work.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, Session, SQLModel

from layanan.clock import utcnow
from tickets.types import UTCDateTime


class AuditAction(StrEnum):
    """What was shown."""

    VIEW_FULL_NIK = "view_full_nik"  # a page or API showed an applicant's NIK unmasked
    VIEW_ATTACHMENT = "view_attachment"  # a citizen's file was opened
    VIEW_DOCUMENT = "view_document"  # an issued document was opened
    API_READ = "api_read"  # an API client read a ticket


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
