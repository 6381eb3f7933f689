"""Gapless yearly numbers: one atomic upsert per number, held until the transaction commits."""

from __future__ import annotations

from sqlmodel import Session

from layanan.db import insert_for
from tickets.models import NumberSequence


def next_value(session: Session, name: str, year: int) -> int:
    """Take the next number of a yearly sequence; the row stays locked until commit, so no gaps."""
    table = NumberSequence.__table__
    stmt = (
        insert_for(session.get_bind().dialect.name, table)
        .values(name=name, year=year, value=1)
        .on_conflict_do_update(index_elements=["name", "year"], set_={"value": table.c.value + 1})
        .returning(table.c.value)
    )
    return int(session.execute(stmt).scalar_one())


def ticket_number(year: int, seq: int) -> str:
    """The public ticket number, e.g. PGD-2026-000123."""
    return f"PGD-{year}-{seq:06d}"
