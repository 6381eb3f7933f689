"""Berita acara (handover reports) to the UPT of one kecamatan, and the tickets each one lists."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from layanan.clock import utcnow
from tickets.types import UTCDateTime


def _ts(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


class BeritaAcaraStatus(StrEnum):
    """Where the paper is: drawn up, signed, with the courier, at the UPT, checked by the UPT."""

    DRAFT = "draft"
    SIGNED = "signed"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    RECEIVED_COMPLETE = "received_complete"
    RECEIVED_WITH_DISCREPANCIES = "received_with_discrepancies"

    @property
    def label(self) -> str:
        """The state as staff read it."""
        return STATUS_LABELS[self]


STATUS_LABELS: dict[BeritaAcaraStatus, str] = {
    BeritaAcaraStatus.DRAFT: "Konsep",
    BeritaAcaraStatus.SIGNED: "Ditandatangani",
    BeritaAcaraStatus.IN_TRANSIT: "Dalam pengantaran",
    BeritaAcaraStatus.DELIVERED: "Diserahkan ke UPT, menunggu pemeriksaan",
    BeritaAcaraStatus.RECEIVED_COMPLETE: "Diterima lengkap",
    BeritaAcaraStatus.RECEIVED_WITH_DISCREPANCIES: "Diterima dengan selisih",
}


class BeritaAcara(SQLModel, table=True):
    """One handover report: the printed documents of one batch for one kecamatan's UPT."""

    __tablename__ = "berita_acara"
    __table_args__ = (UniqueConstraint("year", "seq", name="uq_berita_acara_year_seq"),
                      UniqueConstraint("verification_code", name="uq_berita_acara_verification_code"))

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=80, unique=True)
    year: int
    seq: int
    kecamatan_code: str = Field(foreign_key="kecamatan.code", index=True)
    status: str = Field(default=BeritaAcaraStatus.DRAFT, max_length=30, index=True)
    document_date: date  # the day written out in the opening, in WIB
    created_by_id: int = Field(foreign_key="staffuser.id")
    created_at: datetime = _ts(default_factory=utcnow)
    signed_by_id: int | None = Field(default=None, foreign_key="staffuser.id")
    signed_at: datetime | None = _ts(default=None)
    # Printed in the stamp's QR code (the public verification page): unguessable, given at signing.
    verification_code: str | None = Field(default=None, max_length=32)
    # The PAdES-signed PDF exactly as signed: re-rendering would break the signature.
    signed_pdf: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    courier_id: int | None = Field(default=None, foreign_key="staffuser.id")
    dispatched_at: datetime | None = _ts(default=None)
    delivered_at: datetime | None = _ts(default=None)
    received_by_id: int | None = Field(default=None, foreign_key="staffuser.id")
    received_at: datetime | None = _ts(default=None)
    receipt_note: str | None = Field(default=None)
    updated_at: datetime = _ts(default_factory=utcnow)


class BeritaAcaraItem(SQLModel, table=True):
    """One ticket's document in a berita acara, as printed (a snapshot: the paper does not change)."""

    __tablename__ = "berita_acara_item"
    __table_args__ = (UniqueConstraint("berita_acara_id", "position", name="uq_berita_acara_item_position"),)

    id: int | None = Field(default=None, primary_key=True)
    berita_acara_id: int = Field(foreign_key="berita_acara.id", index=True)
    # A ticket's document travels in one berita acara only.
    ticket_id: int = Field(foreign_key="ticket.id", unique=True)
    position: int
    ticket_number: str = Field(max_length=20)
    applicant_name: str = Field(max_length=120)
    service: str = Field(max_length=30)
    nik_masked: str = Field(max_length=20)
    # Filled by the UPT's check: True found, False missing, None not checked yet.
    received: bool | None = Field(default=None)
    missing_note: str | None = Field(default=None, max_length=300)
