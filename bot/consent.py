"""The privacy notice (UU 27/2022 PDP) and each number's acceptance of it.

A number that has not accepted the current notice (catalogue.PRIVACY_NOTICE_VERSION) is a pending matter: its
message is answered as always and the notice follows the answer, so a first message is never lost. What counts
as acceptance: the citizen *continues* after seeing the notice, i.e. the next message from the number (other than
`privasi` or `hapus data`) is recorded as the acceptance of the version shown, with its time and message. Until
then nothing the citizen sent can have become a ticket: a request or complaint takes several answers. A new
version of the notice is shown once more and accepted the same way. `privasi` shows the notice again;
`hapus data` opens a deletion request (bot.deletion_requests).
"""

from __future__ import annotations

import functools
from datetime import datetime

from flask import Flask, current_app
from sqlalchemy import Boolean, ColumnElement, Insert, String, UniqueConstraint, and_, bindparam, exists, update
from sqlmodel import Field, Session, SQLModel, col, select

from bot import catalogue
from bot.conversation import PRIVACY_WORDS, Pending
from layanan.clock import utcnow
from layanan.db import insert_for
from tickets import events
from tickets.messages import Attachment, Message
from tickets.types import UTCDateTime

DELETION_WORDS = frozenset(w for w in PRIVACY_WORDS if w.startswith("hapus"))


class PrivacyConsent(SQLModel, table=True):
    """A version of the privacy notice shown to a number, and when the number accepted it."""

    __tablename__ = "privacy_consent"
    __table_args__ = (UniqueConstraint("phone", "notice_version"),)
    id: int | None = Field(default=None, primary_key=True)
    phone: str = Field(max_length=20, index=True)
    notice_version: str = Field(max_length=20)
    shown_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    accepted_message_id: int | None = Field(default=None, foreign_key="message.id")


def init_app(app: Flask) -> None:
    """Show the notice to every number that has not accepted the current version; `privasi` and `hapus data`."""
    events.add_pending(app, events.PendingMatter(Pending.PRIVACY, waits_for, take_message))


def current_version() -> str:
    """The version of the notice the catalogue holds now."""
    return catalogue.PRIVACY_NOTICE_VERSION


def notice() -> str:
    """The notice's text, with the retention period as configured."""
    days = int(current_app.config["RETENTION_DAYS_AFTER_DONE"])
    kept = catalogue.render("privacy_kept_days", days=days) if days > 0 else catalogue.render("privacy_kept_always")
    return catalogue.render("privacy_notice", version=current_version(), kept=kept)


def waits_for(phone: object) -> ColumnElement[bool]:
    """SQL test: the number has not accepted the current version of the notice."""
    # Read when the query runs: the webhook builds it once for every app of the process.
    version = bindparam("privacy_notice_version", type_=String, callable_=current_version)
    enabled = bindparam("privacy_notice_enabled", type_=Boolean, callable_=_enabled)
    return and_(enabled, ~exists().where(col(PrivacyConsent.phone) == phone,
                                         col(PrivacyConsent.notice_version) == version,
                                         col(PrivacyConsent.accepted_at).is_not(None)))


def _enabled() -> bool:
    return bool(current_app.config["PRIVACY_NOTICE_ENABLED"])


def take_message(session: Session, message: Message, attachments: list[Attachment]) -> list[str]:
    """The notice's turn: `hapus data` opens a deletion request, `privasi` shows the notice; any other message
    shows the notice the first time and accepts it the next."""
    from bot.deletion_requests import open_request

    words = " ".join("".join(ch if ch.isalnum() else " " for ch in message.body.lower()).split())
    if words in DELETION_WORDS:
        return [open_request(session, message)]
    # One statement for the common case: every first-time number comes here twice, in the webhook's turn.
    connection = session.connection()
    values = {"number": message.phone, "version": current_version()}
    if words not in PRIVACY_WORDS:
        if connection.execute(_ACCEPT, {**values, "now": utcnow(), "message_id": message.id}).rowcount:
            return []
    shown = connection.execute(_shown(connection.dialect.name), {**values, "now": utcnow()}).first()
    return [notice()] if shown or words in PRIVACY_WORDS else []  # not shown now: accepted meanwhile


_TABLE = PrivacyConsent.__table__  # type: ignore[attr-defined]
_ACCEPT = (update(_TABLE).where(_TABLE.c.phone == bindparam("number"), _TABLE.c.notice_version == bindparam("version"),
                                _TABLE.c.accepted_at.is_(None))
           .values(accepted_at=bindparam("now"), accepted_message_id=bindparam("message_id")))


@functools.lru_cache(maxsize=4)
def _shown(dialect: str) -> Insert:
    """The notice recorded as shown to the number, unless it was before."""
    return (insert_for(dialect, _TABLE)
            .values(phone=bindparam("number"), notice_version=bindparam("version"), shown_at=bindparam("now"))
            .on_conflict_do_nothing(index_elements=["phone", "notice_version"])
            .returning(_TABLE.c.id))  # not rowcount: -1 on PostgreSQL, where SQLAlchemy adds RETURNING id


def accepted(session: Session, phone: str) -> PrivacyConsent | None:
    """The number's acceptance of the current notice, if it accepted it."""
    return session.exec(select(PrivacyConsent).where(
        PrivacyConsent.phone == phone, PrivacyConsent.notice_version == current_version(),
        col(PrivacyConsent.accepted_at).is_not(None))).first()
