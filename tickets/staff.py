"""Staff accounts and API tokens."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
import sqlalchemy as sa
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from layanan.clock import utcnow
from tickets.types import UTCDateTime


class StaffUser(UserMixin, SQLModel, table=True):
    """A member of staff with one or more roles of the workflow definition."""

    __tablename__ = "staffuser"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=60, unique=True)
    full_name: str = Field(max_length=120)
    nip: str | None = Field(default=None, max_length=30)
    password_hash: str = Field(max_length=200)
    roles: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # For UPT staff: the one kecamatan they work for.
    kecamatan_code: str | None = Field(default=None, foreign_key="kecamatan.code")
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Part of every session's login id: raising it (logout, password reset, deactivation) ends them all.
    session_version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    # Failed logins since the last good one, told to the account holder at the next login.
    failed_logins: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    failed_login_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # At work today: automatic assignment gives new work only to officers on duty (tickets.assignment).
    on_duty: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    # The daily digest on WhatsApp (bot.staff_digest): the staff member's own number (E.164), whether they want
    # it, and the WIB time (HH:MM) it goes out on working days.
    whatsapp: str | None = Field(default=None, max_length=20)
    daily_digest: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    digest_time: str = Field(default="07:30", max_length=5, sa_column_kwargs={"server_default": "07:30"})

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def get_id(self) -> str:
        """The login id kept in the session: the account and its session version."""
        return f"{self.id}:{self.session_version}"

    def has_role(self, *roles: str) -> bool:
        """Whether the user holds any of these roles."""
        return any(r in self.roles for r in roles)


class ApiToken(SQLModel, table=True):
    """A bearer token for integrations; only its sha256 is stored."""

    __tablename__ = "api_token"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    token_hash: str = Field(max_length=64, unique=True)
    revoked: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
