"""Gapless yearly numbers: one atomic upsert per number, held until the transaction commits."""

from __future__ import annotations

import functools

from sqlalchemy import Insert, bindparam
from sqlmodel import Session

from layanan import prepared
from layanan.db import insert_for
from tickets.models import NumberSequence


def next_value(session: Session, name: str, year: int) -> int:
    """Take the next number of a yearly sequence; the row stays locked until commit, so no gaps."""
    connection = session.connection()
    rows = prepared.execute(connection, (_take_next(connection.dialect.name), {"name": name, "year": year}))
    return int(rows[0][0])


@functools.lru_cache(maxsize=4)
def _take_next(dialect: str) -> Insert:
    """The upsert, built once: every new ticket takes a number."""
    table = NumberSequence.__table__  # type: ignore[attr-defined]
    return (insert_for(dialect, table).values(name=bindparam("name"), year=bindparam("year"), value=1)
            .on_conflict_do_update(index_elements=["name", "year"], set_={"value": table.c.value + 1})
            .returning(table.c.value))


def ticket_number(year: int, seq: int) -> str:
    """The public ticket number, e.g. PGD-2026-000123."""
    return f"PGD-{year}-{seq:06d}"
