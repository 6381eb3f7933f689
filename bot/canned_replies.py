"""Canned replies staff insert into a message to a citizen (the ticket page, the help desk), kept by admins.

A reply may hold {nama}, {nomor_tiket} and {tahap}: filled from the ticket when it is offered, so the officer
reads and may change the very text that goes out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Field, Session, SQLModel, col, select

from layanan.clock import utcnow
from routing import workflow
from tickets.models import Applicant, Ticket
from tickets.types import UTCDateTime

MAX_BODY = 1300  # what the ticket page's reply box takes
# What a reply may hold in braces; the admin page refuses any other.
VARIABLES: dict[str, str] = {
    "nama": "nama pemohon",
    "nomor_tiket": "nomor tiket",
    "tahap": "tahap tiket, dengan kata-kata untuk pemohon",
}
NO_NAME = "Bapak/Ibu"  # for a citizen whose name is unknown or may not be shown to the reader
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class CannedReply(SQLModel, table=True):
    """A reply text staff insert and adapt; admins keep the list."""

    __tablename__ = "canned_reply"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=120)
    body: str = Field(max_length=MAX_BODY)
    updated_by_id: int | None = Field(default=None, foreign_key="staffuser.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


@dataclass(frozen=True)
class Offered:
    """A canned reply as a reply box offers it: its title and its text filled in."""

    id: int
    title: str
    text: str


def unknown_variables(body: str) -> list[str]:
    """The braces of a reply text that name no variable, as typed."""
    return [m.group(0) for m in _PLACEHOLDER.finditer(body) if m.group(1) not in VARIABLES]


def problems(title: str, body: str) -> list[str]:
    """What keeps a canned reply from being saved, in words for the admin; empty when it may be."""
    found = []
    if not title.strip():
        found.append("Judul wajib diisi.")
    if len(title) > 120:
        found.append("Judul paling banyak 120 karakter.")
    if not body.strip():
        found.append("Isi balasan wajib diisi.")
    if len(body) > MAX_BODY:
        found.append(f"Isi balasan paling banyak {MAX_BODY} karakter.")
    unknown = unknown_variables(body)
    if unknown:
        names = ", ".join("{" + name + "}" for name in VARIABLES)
        found.append(f"Isian {', '.join(unknown)} tidak dikenal; yang dapat dipakai: {names}.")
    return found


def fill(body: str, values: Mapping[str, str]) -> str:
    """The reply with its variables filled in (an unknown one is left as typed)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), body)


def values_for(session: Session, ticket: Ticket | None, *, name_shown: bool) -> dict[str, str]:
    """What the variables stand for on this ticket: without a ticket, or a name the reader may not see,
    a polite form of address and a dash."""
    if ticket is None:
        return {"nama": NO_NAME, "nomor_tiket": "-", "tahap": "-"}
    applicant = session.get(Applicant, ticket.applicant_id)
    name = applicant.name if applicant is not None and applicant.name and name_shown else NO_NAME
    stage = workflow(ticket.workflow).stage(ticket.stage)
    return {"nama": name, "nomor_tiket": ticket.number, "tahap": stage.citizen_label}


def all_replies(session: Session) -> list[CannedReply]:
    """Every canned reply, by title."""
    return list(session.exec(select(CannedReply).order_by(col(CannedReply.title), col(CannedReply.id))).all())


def offered(session: Session, ticket: Ticket | None, *, name_shown: bool) -> list[Offered]:
    """Every canned reply filled in for this ticket (or for no ticket), as a reply box offers them."""
    values = values_for(session, ticket, name_shown=name_shown)
    return [Offered(int(r.id or 0), r.title, fill(r.body, values)) for r in all_replies(session)]
