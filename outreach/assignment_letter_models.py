"""The Surat Tugas of an outreach visit's team: numbered once, its contents kept as issued, its PDF once rendered."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary
from sqlmodel import Field, SQLModel

from layanan.clock import utcnow
from tickets.types import UTCDateTime


class AssignmentLetter(SQLModel, table=True):
    """One Surat Tugas; a new one is issued when the visit's date or team changes, the old ones stay on record."""

    __tablename__ = "assignment_letter"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="outreach_request.id", index=True)
    number: str = Field(max_length=80, unique=True)
    issued_on: date  # the WIB date printed beside the signature
    issued_by_id: int = Field(foreign_key="staffuser.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # What the letter says (team with NIP and title, destination, dates, services, signer), as issued: the PDF
    # is rendered from it, so a later change of a name or the schedule does not rewrite an issued letter.
    content: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    code: str = Field(max_length=32, unique=True)  # in the QR code: the public verification page
    pdf: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    rendered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
