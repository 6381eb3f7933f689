"""Calls logged by the call center, the PBX's call-detail records, and a caller's choice of ticket."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from layanan.clock import utcnow
from tickets.types import UTCDateTime


class Outcome(StrEnum):
    """How a call ended; the values are part of the JSON API."""

    ANSWERED = "answered"
    NEEDS_FILES = "needs-files"
    COMPLAINT = "complaint"
    TRANSFERRED = "transferred"
    SIAGA = "siaga"  # a vulnerable resident reported for a home visit (Dukcapil Siaga)

    @property
    def label(self) -> str:
        """The name agents read."""
        return OUTCOME_LABELS[self]


OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.ANSWERED: "Terjawab di telepon",
    Outcome.NEEDS_FILES: "Perlu kirim berkas lewat WhatsApp",
    Outcome.COMPLAINT: "Pengaduan dicatat",
    Outcome.TRANSFERRED: "Dialihkan",
    Outcome.SIAGA: "Laporan Dukcapil Siaga",
}

# Outcomes that open a ticket.
TICKET_OUTCOMES: frozenset[Outcome] = frozenset({Outcome.NEEDS_FILES, Outcome.COMPLAINT, Outcome.SIAGA})

GENERAL_TOPIC = "umum"  # a question about no particular service


class CallSource(StrEnum):
    FORM = "form"
    API = "api"


class CallLog(SQLModel, table=True):
    """One phone call as the agent recorded it; NIK and notes are personal data."""

    __tablename__ = "call_log"

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int | None = Field(default=None, foreign_key="staffuser.id", index=True)
    api_token_id: int | None = Field(default=None, foreign_key="api_token.id")
    source: str = Field(default=CallSource.FORM, max_length=10)
    phone: str = Field(max_length=20, index=True)  # E.164
    caller_name: str | None = Field(default=None, max_length=120)
    nik: str | None = Field(default=None, max_length=16)
    kecamatan_code: str | None = Field(default=None, foreign_key="kecamatan.code")
    topic: str = Field(max_length=30)  # a tickets.constants.Service value, or GENERAL_TOPIC
    notes: str | None = Field(default=None)
    outcome: str = Field(max_length=20, index=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    # The WhatsApp message sent to the caller (free-form or template), once the job has sent it.
    followup_message_id: int | None = Field(default=None, foreign_key="message.id")
    followup_problem: str | None = Field(default=None, max_length=200)
    # A form submitted twice (double Enter, a retried API call) logs one call.
    client_key: str | None = Field(default=None, max_length=80, unique=True)
    called_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CallRecord(SQLModel, table=True):
    """One row of the PBX's call-detail records (Asterisk Master.csv), matched to a logged call."""

    __tablename__ = "call_record"

    id: int | None = Field(default=None, primary_key=True)
    uniqueid: str = Field(max_length=150, unique=True)
    source_number: str = Field(max_length=80)  # as the PBX wrote it
    phone: str | None = Field(default=None, max_length=20, index=True)  # E.164 when it is a mobile number
    destination: str = Field(default="", max_length=80)
    caller_id: str = Field(default="", max_length=200)
    started_at: datetime = Field(sa_type=UTCDateTime, index=True)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime = Field(sa_type=UTCDateTime)
    duration: int  # seconds, ringing included
    billsec: int  # seconds talked
    disposition: str = Field(max_length=20, index=True)
    call_log_id: int | None = Field(default=None, foreign_key="call_log.id", unique=True)
    imported_by_id: int | None = Field(default=None, foreign_key="staffuser.id")
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CallTicketChoice(SQLModel, table=True):
    """Which of several open call-center tickets a WhatsApp number is sending files for."""

    __tablename__ = "call_ticket_choice"

    phone: str = Field(primary_key=True, max_length=20)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")  # None while the question is open
    asked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
