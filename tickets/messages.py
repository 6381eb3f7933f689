"""The WhatsApp record of a ticket: messages, their attachments and the per-number conversation state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from tickets.constants import AttachmentStatus, MessageStatus
from layanan.clock import utcnow
from tickets.types import UTCDateTime


class Message(SQLModel, table=True):
    """One WhatsApp message, inbound or outbound; inbound rows keep the reply they got."""

    id: int | None = Field(default=None, primary_key=True)
    direction: str = Field(max_length=10)
    twilio_sid: str | None = Field(default=None, max_length=64, unique=True)
    # Outbound sends carry a key so a retried job never sends the same message twice.
    idempotency_key: str | None = Field(default=None, max_length=80, unique=True)
    phone: str = Field(max_length=20, index=True)  # the citizen's E.164 number, either direction
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    body: str = Field(default="")
    # Set on an approved template sent outside the 24-hour window; `body` then holds its filled-in text.
    content_sid: str | None = Field(default=None, max_length=64)
    num_media: int = Field(default=0)
    profile_name: str | None = Field(default=None, max_length=120)
    status: str = Field(default=MessageStatus.RECEIVED, max_length=20)
    error_code: str | None = Field(default=None, max_length=20)
    reply: str | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Attachment(SQLModel, table=True):
    """A file a citizen sent; stored under its sha256, never under the sender's filename."""

    __table_args__ = (UniqueConstraint("message_id", "media_index", name="uq_attachment_media"),)

    id: int | None = Field(default=None, primary_key=True)
    # The WhatsApp message that carried the file, or none for a scan staff uploaded (uploaded_by_id).
    message_id: int | None = Field(default=None, foreign_key="message.id", index=True)
    uploaded_by_id: int | None = Field(default=None, foreign_key="staffuser.id")
    media_index: int
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    draft_id: str | None = Field(default=None, max_length=64, index=True)
    source_url: str | None = Field(default=None, max_length=500)
    declared_type: str = Field(max_length=100)
    content_type: str | None = Field(default=None, max_length=100)
    size: int | None = Field(default=None)
    sha256: str | None = Field(default=None, max_length=64, index=True)
    storage_path: str | None = Field(default=None, max_length=200)
    status: str = Field(default=AttachmentStatus.PENDING, max_length=20)
    reason: str | None = Field(default=None, max_length=200)
    job_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Conversation(SQLModel, table=True):
    """Where a WhatsApp number is in the bot's conversation."""

    phone: str = Field(primary_key=True, max_length=20)
    state: str = Field(default="start", max_length=40)
    data: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    misses: int = Field(default=0)
    needs_human: bool = Field(default=False, index=True)
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # When the citizen last asked for a person (set as needs_human turns on): the help desk's waiting time.
    human_requested_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
