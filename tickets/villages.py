"""The pekon and kelurahan of each kecamatan: reference data an administrator keeps, asked wherever an address is.

The table is the truth (seeded by a migration from the Kemendagri 2025 code list). A pekon is never deleted,
only deactivated: records keep the name they were given, and a deactivated pekon is no longer offered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from rapidfuzz import fuzz
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from layanan.clock import utcnow
from tickets.types import UTCDateTime

MAX_NAME = 120
MIN_SCORE = 80.0  # as the kecamatan matcher: below this a typo is too far from every name to guess
MIN_MARGIN = 6.0  # the best guess must beat the runner-up by this much, or the name stays as typed
_CACHE_KEY = "pekon_by_kecamatan"
_PREFIX = re.compile(r"^(?:pekon|desa|kelurahan|kel|ds)\b\.?\s*")


class PekonKind(StrEnum):
    """What the Kemendagri list calls a village: a pekon (desa) or a kelurahan."""

    PEKON = "pekon"
    KELURAHAN = "kelurahan"

    @property
    def label(self) -> str:
        return "Pekon" if self is PekonKind.PEKON else "Kelurahan"


class Pekon(SQLModel, table=True):
    """One pekon or kelurahan of a kecamatan."""

    __tablename__ = "pekon"
    __table_args__ = (UniqueConstraint("kecamatan_code", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    kecamatan_code: str = Field(foreign_key="kecamatan.code", max_length=6, index=True)
    name: str = Field(max_length=MAX_NAME)
    kind: str = Field(default=PekonKind.PEKON, max_length=10)
    active: bool = Field(default=True)
    kemendagri_code: str | None = Field(default=None, max_length=13)  # e.g. 18.06.01.2001, when known
    updated_by_id: int | None = Field(default=None, foreign_key="staffuser.id")
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


@dataclass(frozen=True)
class Place:
    """A pekon as the forms offer it."""

    id: int
    kecamatan_code: str
    name: str
    kind: str
    active: bool


def _compact(text: str) -> str:
    cleaned = _PREFIX.sub("", " ".join(text.casefold().split()))
    return re.sub(r"[\W_]+", "", cleaned)


def _all(session: Session) -> dict[str, tuple[Place, ...]]:
    """Every pekon by kecamatan code, by name; kept on the session (one request) so a page asks once."""
    cached = session.info.get(_CACHE_KEY)
    if cached is None:
        found: dict[str, list[Place]] = {}
        for row in session.exec(select(Pekon).order_by(col(Pekon.kecamatan_code), col(Pekon.name))):
            found.setdefault(row.kecamatan_code, []).append(
                Place(int(row.id or 0), row.kecamatan_code, row.name, row.kind, row.active))
        cached = session.info[_CACHE_KEY] = {code: tuple(places) for code, places in found.items()}
    return cached


def forget(session: Session) -> None:
    """Drop the session's copy after a change, so the same request sees the new list."""
    session.info.pop(_CACHE_KEY, None)


def pekon_of(session: Session, kecamatan_code: str | None, *, with_inactive: bool = False) -> tuple[Place, ...]:
    """The pekon of a kecamatan by name: the active ones (those offered), or all of them."""
    places = _all(session).get(kecamatan_code or "", ())
    return places if with_inactive else tuple(p for p in places if p.active)


def offered(session: Session) -> dict[str, tuple[str, ...]]:
    """Kecamatan code -> names of its active pekon, for a form's grouped choice."""
    return {code: tuple(p.name for p in places if p.active) for code, places in _all(session).items()}


def listed_name(session: Session, kecamatan_code: str | None, typed: str) -> str | None:
    """The list's name of an active pekon of this kecamatan written in any case and spacing, or None."""
    return exact_name([p.name for p in pekon_of(session, kecamatan_code)], typed)


def match_pekon(session: Session, kecamatan_code: str | None, typed: str) -> str | None:
    """The list's name of the active pekon of this kecamatan the text means, typos forgiven, or None."""
    return match_name([p.name for p in pekon_of(session, kecamatan_code)], typed)


def exact_name(names: list[str], typed: str) -> str | None:
    """The name among `names` typed in any case, spacing or with "pekon"/"desa" before it ("suka maju")."""
    key = _compact(typed)
    return next((n for n in names if key and _compact(n) == key), None)


def match_name(names: list[str], typed: str) -> str | None:
    """The name among `names` the text means: exactly, else the one close typo; None when none or two fit."""
    found = exact_name(names, typed)
    if found is not None or not names:
        return found
    key = _compact(typed)
    if not key:
        return None
    scored = sorted(((fuzz.ratio(key, _compact(n)), n) for n in names), reverse=True)
    best, name = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    return name if best >= MIN_SCORE and best - runner_up >= MIN_MARGIN else None


def touch(row: Pekon, staff_id: int | None) -> None:
    """Note who changed the row and when."""
    row.updated_by_id, row.updated_at = staff_id, utcnow()
