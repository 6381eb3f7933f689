"""A PostgreSQL database with a million tickets for the queue benchmark, built in minutes instead of hours.

The ticket generator (`tickets.generate`) plans every ticket's walk through the SOP chain in Python, a few
hundred tickets a second on this machine: a million would take over an hour. So it writes a seed of real
generated tickets, and PostgreSQL copies that seed server-side (INSERT ... SELECT) until the count is
reached. Each copy gets its own ids, applicants with their own NIK serial and phone number, ticket and
registration numbers that continue the year's sequence, and times shifted by a few seconds, so the
stage, service, kecamatan and deadline mix of the copies is the generator's. Copies carry no stage
history (the queue page and the search do not read it).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from tickets.generate import generate_tickets
from tickets.services import NUMBER_SEQUENCE
from layanan.clock import utcnow

Say = Callable[[str], None]
COPIES_PER_STATEMENT = 5

_COPY_APPLICANTS = text("""
INSERT INTO applicant (id, nik, name, phone, created_at)
SELECT a.id + k * :applicants,
       CASE WHEN a.nik IS NULL THEN NULL
            ELSE substr(a.nik, 1, 12) || lpad(((substr(a.nik, 13, 4)::int + k * 37) % 10000)::text, 4, '0') END,
       a.name,
       substr(a.phone, 1, 6)
         || lpad(((substr(a.phone, 7)::bigint + k * 104729) % (10 ^ (length(a.phone) - 6))::bigint)::text,
                 length(a.phone) - 6, '0'),
       a.created_at + k * interval '7 seconds'
FROM applicant a CROSS JOIN generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS k
WHERE a.id <= :applicants
""")

_COPY_TICKETS = text("""
INSERT INTO ticket (id, number, year, seq, service, channel, workflow, stage, applicant_id, kecamatan_code,
                    description, registration_number, claimed_by_id, return_stage, outputs, stage_entered_at,
                    sla_started_at, sla_paused_seconds, due_at, overdue, created_at, updated_at, version)
SELECT t.id + k * :tickets,
       'PGD-' || t.year || '-' || lpad((t.seq + k * y.top)::text, 6, '0'),
       t.year, t.seq + k * y.top, t.service, t.channel, t.workflow, t.stage, t.applicant_id + k * :applicants,
       t.kecamatan_code, t.description,
       CASE WHEN t.registration_number IS NULL THEN NULL ELSE t.registration_number || '-' || k END,
       NULL, t.return_stage, t.outputs,
       t.stage_entered_at + k * interval '7 seconds', t.sla_started_at + k * interval '7 seconds',
       t.sla_paused_seconds, t.due_at + k * interval '7 seconds', t.overdue,
       t.created_at + k * interval '7 seconds', t.updated_at + k * interval '7 seconds', t.version
FROM ticket t
JOIN (SELECT year, max(seq) AS top FROM ticket WHERE id <= :tickets GROUP BY year) y ON y.year = t.year
CROSS JOIN generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS k
WHERE t.id <= :tickets
""")


def ticket_count(engine: Engine) -> int:
    """How many tickets the database holds (0 when the schema is not there yet)."""
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT to_regclass('public.ticket') IS NOT NULL")).scalar()
        return int(conn.execute(text("SELECT count(*) FROM ticket")).scalar() or 0) if exists else 0


def fill(engine: Engine, count: int, *, seed_count: int, say: Say = print) -> None:
    """Write `count` tickets into an empty schema: `seed_count` generated ones, the rest server-side copies."""
    if count % seed_count:
        raise ValueError("count must be a multiple of seed_count")
    started = time.monotonic()
    now = utcnow()
    say(f"  menghasilkan {seed_count:,} tiket benih dengan tickets.generate ...")
    generate_tickets(engine, seed_count, start=now - timedelta(days=365), end=now, seed=7)
    with engine.connect() as conn:
        applicants = int(conn.execute(text("SELECT max(id) FROM applicant")).scalar() or 0)
        tickets = int(conn.execute(text("SELECT max(id) FROM ticket")).scalar() or 0)
    copies = count // seed_count - 1
    for first in range(1, copies + 1, COPIES_PER_STATEMENT):
        last = min(first + COPIES_PER_STATEMENT - 1, copies)
        with engine.begin() as conn:
            params = {"applicants": applicants, "tickets": tickets, "first": first, "last": last}
            conn.execute(_COPY_APPLICANTS, params)
            conn.execute(_COPY_TICKETS, params)
        say(f"  {(last + 1) * seed_count:>10,} / {count:,} tiket ({time.monotonic() - started:,.0f} d)")
    with engine.begin() as conn:
        _continue_sequences(conn)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE applicant"))
        conn.execute(text("VACUUM ANALYZE ticket"))
    say(f"  selesai dalam {time.monotonic() - started:,.0f} detik")


def _continue_sequences(conn: Connection) -> None:
    """New rows made by the app after the fill number on after the copies."""
    for table in ("applicant", "ticket"):
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    conn.execute(text("""
        INSERT INTO number_sequence (name, year, value)
        SELECT :name, year, max(seq) FROM ticket GROUP BY year
        ON CONFLICT (name, year) DO UPDATE SET value = GREATEST(number_sequence.value, excluded.value)
    """), {"name": NUMBER_SEQUENCE})
