"""The help desk's inbox items: citizens who asked on WhatsApp to talk to a person and still wait."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for
from sqlalchemy import func
from sqlmodel import Session, col, select

from routing.definition import RoleDuty
from tickets.access import duty_roles
from tickets.inbox import InboxItem, InboxQuery
from tickets.messages import Conversation
from tickets.staff import StaffUser

KIND = "help_desk"
LABEL = "Warga menunggu petugas"


def waiting(session: Session, account: StaffUser, since: datetime) -> InboxQuery | None:
    """Conversations waiting for a person, for the roles that answer citizens (and the administrator, as the help
    desk's pages let them in)."""
    if not account.has_role(*duty_roles(RoleDuty.ANSWER_CITIZENS, admin=True)):
        return None
    asked = func.coalesce(col(Conversation.human_requested_at), col(Conversation.updated_at))
    statement = select(col(Conversation.phone), asked.label("asked")).where(
        col(Conversation.needs_human).is_(True), asked.is_not(None))
    return InboxQuery(statement, col(Conversation.phone), asked, _item)


def _item(row: Any) -> InboxItem:
    # The number's end only: enough to find the chat on the help desk page, which shows it whole.
    return InboxItem(KIND, row.phone, row.asked, f"Warga (nomor …{row.phone[-4:]}) meminta bicara dengan petugas",
                     url_for("help_desk.conversations") + f"#c{row.phone.lstrip('+')}")
