"""The FAQ as staff keep it (bot.faq_views): a table of questions, each with the ways citizens ask it and
its answer, read by the webhook (cached briefly) and handed to the conversation as `Knowledge`."""

from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, Session, SQLModel, col, select

from bot.catalogue import render
from bot.faq import FaqEntry, Knowledge
from bot.upt_directory import UptOffice, directory, office_hours
from layanan.clock import utcnow
from routing.sla import default_calendar
from tickets.types import UTCDateTime

CACHE_SECONDS = 60.0  # an edit reaches every worker within a minute; this worker's own edits at once
MAX_VARIANTS = 30
MAX_VARIANT_CHARS = 120
MAX_ANSWER_CHARS = 1500  # with the question repeated after it, an answer stays one WhatsApp message


class FaqAnswer(SQLModel, table=True):
    """One question of the FAQ: the phrases citizens use for it (one a line) and the answer they get."""

    __tablename__ = "faq_answer"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=120)  # what staff call it on the FAQ page
    variants: str = Field(sa_type=Text)  # one phrase a line; every word of one phrase must be in the message
    answer: str = Field(sa_type=Text)
    position: int = Field(default=0)  # on a tie between two questions, the lower one is answered
    active: bool = Field(default=True)
    updated_by_id: int | None = Field(default=None, foreign_key="staffuser.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    def entry(self) -> FaqEntry:
        """The question as the conversation matches it."""
        return FaqEntry(variants=split_variants(self.variants), answer=self.answer)


def split_variants(text: str) -> tuple[str, ...]:
    """The phrases of a variants field, one a line, blank lines and spaces dropped."""
    return tuple(" ".join(line.split()) for line in text.splitlines() if line.strip())


def entries(session: Session) -> list[FaqAnswer]:
    """Every question, in the order they are tried."""
    return list(session.exec(select(FaqAnswer).order_by(col(FaqAnswer.position), col(FaqAnswer.id))))


_cache: dict[str, tuple[float, Knowledge]] = {}


def knowledge(session: Session) -> Knowledge:
    """The active questions and what their answers need (hours, calendar, each UPT), cached briefly."""
    key = str(session.get_bind().url)
    cached = _cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    calendar = default_calendar()
    pickup = {office.kecamatan_code: _pickup_line(office) for office in directory(session)}
    loaded = Knowledge(faq=tuple(row.entry() for row in entries(session) if row.active), calendar=calendar,
                       hours=office_hours(calendar), pickup=pickup)
    _cache[key] = (time.monotonic(), loaded)
    return loaded


def forget() -> None:
    """Drop the cached FAQ (after an edit), so this worker answers with it at once."""
    _cache.clear()


def _pickup_line(office: UptOffice) -> str:
    return render("pickup_at_upt", upt_name=office.name, address=office.address, hours=office.opening_hours,
                  bring=office.bring)
