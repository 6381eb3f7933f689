"""Deliveries of signed documents to the citizen's WhatsApp and the download links Twilio fetches."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from layanan.clock import utcnow
from tickets.types import UTCDateTime


class DeliveryState(StrEnum):
    """Where one delivery of a signed PDF stands, as the PDF sender and the ticket page show it."""

    QUEUED = "queued"  # a send job is recorded or running
    WAITING_FOR_REPLY = "waiting_for_reply"  # outside the 24-hour window: template sent, PDF follows the answer
    SENT = "sent"  # Twilio accepted the PDF message
    DELIVERED = "delivered"  # on the citizen's phone (or read), or written to the local outbox
    FAILED = "failed"  # the operator must act: retries exhausted, a refused number, an undelivered PDF

    @property
    def label(self) -> str:
        """The state as staff read it."""
        return DELIVERY_STATE_LABELS[self]


DELIVERY_STATE_LABELS: dict[DeliveryState, str] = {
    DeliveryState.QUEUED: "Dalam antrean kirim",
    DeliveryState.WAITING_FOR_REPLY: "Menunggu balasan pemohon (di luar jendela 24 jam)",
    DeliveryState.SENT: "Terkirim ke WhatsApp",
    DeliveryState.DELIVERED: "Diterima pemohon",
    DeliveryState.FAILED: "Gagal, perlu tindakan operator",
}

# Deliveries still on their way: a second send of the same document is refused meanwhile.
ACTIVE_STATES: frozenset[DeliveryState] = frozenset(
    {DeliveryState.QUEUED, DeliveryState.WAITING_FOR_REPLY, DeliveryState.SENT}
)


class DeliveryReason(StrEnum):
    SEND = "send"  # the PDF sender sent it from the queue
    RESEND = "resend"  # the citizen asked again ("kirim ulang <nomor>")


class PdfDelivery(SQLModel, table=True):
    """One delivery of a signed document to the applicant: the template (if needed) and the PDF
    message, however many tries that takes. Each try has its own idempotency key."""

    __tablename__ = "pdf_delivery"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    document_id: int = Field(foreign_key="issued_document.id", index=True)
    phone: str = Field(max_length=20, index=True)  # the applicant's recorded WhatsApp number, E.164
    reason: str = Field(default=DeliveryReason.SEND, max_length=10)
    state: str = Field(default=DeliveryState.QUEUED, max_length=20, index=True)
    # The ticket's id while the delivery is on its way, NULL once delivered or failed: the unique constraint
    # lets only one delivery per ticket be under way, even when two senders press at the same moment.
    active_ticket_id: int | None = Field(default=None, unique=True)
    # Times the send job was put on the queue (first send, after the citizen's answer, ...): names the job.
    rounds: int = Field(default=0)
    tries: int = Field(default=0)  # calls to Twilio (template or PDF); part of each try's idempotency key
    # The key of the try whose outcome is not recorded yet (see pdf_delivery.sending): checked before sending again.
    pending_key: str | None = Field(default=None, max_length=80)
    # WhatsApp refused a free-form message (63016) although our clock said the window was open.
    template_required: bool = Field(default=False)
    template_message_id: int | None = Field(default=None, foreign_key="message.id")
    message_id: int | None = Field(default=None, foreign_key="message.id", index=True)  # the PDF message
    error_code: str | None = Field(default=None, max_length=20)
    problem: str | None = Field(default=None, max_length=300)  # why the operator must look, in Indonesian
    needs_operator: bool = Field(default=False, index=True)
    requested_by_id: int | None = Field(default=None, foreign_key="staffuser.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DownloadLink(SQLModel, table=True):
    """An unguessable, expiring URL for one signed document; only the token's SHA-256 is stored."""

    __tablename__ = "download_link"

    id: int | None = Field(default=None, primary_key=True)
    token_sha256: str = Field(max_length=64, unique=True)
    document_id: int = Field(foreign_key="issued_document.id", index=True)
    delivery_id: int | None = Field(default=None, foreign_key="pdf_delivery.id", index=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    fetch_count: int = Field(default=0)
    last_fetched_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
