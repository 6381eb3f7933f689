"""The documents the office issues for a ticket: the uploaded original and its signed copy."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from layanan.clock import utcnow
from tickets.types import UTCDateTime


class DocumentStatus(StrEnum):
    """Where an issued document stands; delivery adds its own states in its own table."""

    AWAITING_SIGNATURE = "awaiting_signature"
    SIGNED = "signed"

    @property
    def label(self) -> str:
        """The status as staff read it."""
        return {"awaiting_signature": "Menunggu TTE", "signed": "Sudah ditandatangani"}[self.value]


class IssuedDocument(SQLModel, table=True):
    """A document PDF produced for a ticket, signed by the Kepala Dinas and verifiable by its code."""

    __tablename__ = "issued_document"
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    document_type: str = Field(max_length=60)
    # Paths are relative to DOCUMENTS_PATH; files are named by their sha256 (content-addressed).
    original_path: str = Field(max_length=200)
    original_sha256: str = Field(max_length=64)
    original_size: int
    uploaded_by_id: int | None = Field(default=None, foreign_key="staffuser.id")
    uploaded_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)
    signed_path: str | None = Field(default=None, max_length=200)
    signed_sha256: str | None = Field(default=None, max_length=64)
    signed_at: datetime | None = Field(sa_type=UTCDateTime, default=None)
    signed_by_id: int | None = Field(default=None, foreign_key="staffuser.id")
    # Printed in the QR code of the stamp: unguessable, so the public page reveals nothing by enumeration.
    verification_code: str = Field(max_length=32, unique=True)
    status: str = Field(default=DocumentStatus.AWAITING_SIGNATURE, max_length=30, index=True)
