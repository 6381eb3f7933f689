"""A PostgreSQL database with a million realistic tickets for the queue benchmark, built in minutes.

The ticket generator (`tickets.generate`) walks each ticket through its SOP in Python, a few hundred
tickets a second here: a million would take over an hour. So it writes a seed of real tickets for every
SOP (created over the last `SEED_DAYS`, each with the stage history that brought it to its stage), and
PostgreSQL copies the seed server-side (INSERT ... SELECT over generate_series) until the count is reached.

A copy is its seed ticket moved back in time by whole weeks (office hours stay office hours) and a few
minutes: every timestamp moves together (creation, stage history, SLA start, deadline), so the copy is as
consistent as its seed. Closed seeds (done, rejected) fill two years of history; open seeds make the open
tickets, most of them recent and some weeks old, hence late. How many tickets are open is a choice
(`OPEN_SHARE`); within it, the stage mix is the generator's, i.e. where tickets pile up in the SOP.
Each copy gets its own applicant (NIK serial and phone number changed), and at the end every ticket is
numbered in order of creation within its office year, as the app numbers them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from layanan.clock import utcnow
from routing import definitions, workflow_for
from routing.definition import Definition
from tickets.constants import Service
from tickets.generate import generate_tickets
from tickets.services import NUMBER_SEQUENCE

Say = Callable[[str], None]

# Share of new tickets per SOP: the main chain takes most; SOPs not named here get 1.
WORKFLOW_SHARES: dict[str, int] = {
    "pengaduan_online_tanggamus": 78, "pengaduan_masyarakat_tanggamus": 6, "digitalisasi_desa_balangan": 8,
    "dukcapil_siaga_tanggamus": 3, "perekaman_ktp_sekolah": 3, "jemput_bola_sijarla_tanggamus": 2,
}
# SOPs whose channel takes any service but that in practice serve one.
ONLY_SERVICE: dict[str, Service] = {
    "perekaman_ktp_sekolah": Service.KTP_EL, "jemput_bola_sijarla_tanggamus": Service.JEMPUT_BOLA,
}
# Open tickets (in a work stage or waiting for the citizen) among all: an office with a backlog of about
# fifty working days of intake (printing waits for blanko, documents wait to be picked up). The generator
# alone, with a week or so per ticket, would leave about 3 % open.
OPEN_SHARE = 0.10
SEED_DAYS = 120  # the seed's creation window: recent enough that many seeds are still open
HISTORY_DAYS = 730  # closed tickets reach this far back
LATE_OPEN_SHARE = 0.3  # open copies moved back 1-12 weeks (still open then: late)
COPY_BATCH = 100_000
TABLES = ("applicant", "ticket", "stage_event")


@dataclass
class FillSummary:
    """What the fill wrote and how long it took."""

    tickets: int = 0
    open_tickets: int = 0
    stage_events: int = 0
    seed_tickets: int = 0
    seed_open: int = 0
    seconds_seed: float = 0.0
    seconds_total: float = 0.0
    per_workflow: dict[str, int] = field(default_factory=dict)


def ticket_count(engine: Engine) -> int:
    """How many tickets the database holds (0 when the schema is not there yet)."""
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT to_regclass('public.ticket') IS NOT NULL")).scalar()
        return int(conn.execute(text("SELECT count(*) FROM ticket")).scalar() or 0) if exists else 0


def terminal_stages() -> list[str]:
    """Stage keys in which a ticket is closed, over every SOP."""
    return sorted({s.key for d in definitions() for s in d.stages if s.is_terminal})


def fill(engine: Engine, count: int, *, seed_count: int, say: Say = print) -> FillSummary:
    """Write `count` tickets into an empty schema: `seed_count` generated ones, the rest server-side copies."""
    if not 0 < seed_count <= count:
        raise ValueError("seed_count must be between 1 and count")
    started = time.monotonic()
    summary = FillSummary(tickets=count, seed_tickets=seed_count)
    _write_seed(engine, seed_count, say)
    summary.seconds_seed = time.monotonic() - started
    closed = terminal_stages()
    with engine.begin() as conn:
        _decode_json_twice_encoded(conn)
        _fit_channels_and_services(conn)
        summary.seed_open = _count(conn, "SELECT count(*) FROM ticket WHERE stage <> ALL(:closed)", closed=closed)
        summary.open_tickets = min(count, max(round(count * OPEN_SHARE), summary.seed_open))
        planned = _plan_copies(conn, count - seed_count, summary.open_tickets - summary.seed_open, closed)
    say(f"  benih: {seed_count:,} tiket ({summary.seed_open:,} terbuka) dalam {summary.seconds_seed:,.0f} d; "
        f"menyalin {planned:,} tiket di PostgreSQL ...")
    with engine.connect() as conn:
        seed_count_top = _count(conn, "SELECT max(id) FROM ticket")
    with engine.begin() as conn, _indexes_dropped(conn):
        conn.execute(text("SET LOCAL synchronous_commit = off"))
        _number_in_order(conn)
        applicant_offset = _count(conn, "SELECT max(id) FROM applicant") - _count(conn, "SELECT max(id) FROM ticket")
        for first, last in _batches(conn):
            _copy(conn, first, last, applicant_offset)
            say(f"  {last - seed_count_top + seed_count:>10,} / {count:,} tiket ({time.monotonic() - started:,.0f} d)")
        conn.execute(text("DROP TABLE bench_copy, bench_number"))
        say(f"  membangun ulang indeks ({time.monotonic() - started:,.0f} d) ...")
    with engine.begin() as conn:
        _continue_sequences(conn)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in TABLES:
            conn.execute(text(f"VACUUM ANALYZE {table}"))
        summary.stage_events = _count(conn, "SELECT count(*) FROM stage_event")
        summary.per_workflow = dict(conn.execute(text("SELECT workflow, count(*) FROM ticket GROUP BY workflow")).all())
    summary.seconds_total = time.monotonic() - started
    say(f"  selesai: {count:,} tiket, {summary.stage_events:,} riwayat tahap, dalam {summary.seconds_total:,.0f} d")
    return summary


def _write_seed(engine: Engine, seed_count: int, say: Say) -> None:
    """Generated tickets for every SOP, in proportion to its share, over the last SEED_DAYS."""
    now = utcnow()
    loaded = definitions()
    weights = {d.key: WORKFLOW_SHARES.get(d.key, 1) for d in loaded}
    total = sum(weights.values())
    counts = {d.key: max(1, round(seed_count * weights[d.key] / total)) for d in loaded}
    main = max(counts, key=counts.__getitem__)
    counts[main] += seed_count - sum(counts.values())  # rounding: the main chain takes the difference
    for number, definition in enumerate(loaded):
        say(f"  menghasilkan {counts[definition.key]:,} tiket benih {definition.key} ...")
        generate_tickets(engine, counts[definition.key], start=now - timedelta(days=SEED_DAYS), end=now,
                         seed=7 + number, definition=definition)


def _decode_json_twice_encoded(conn: Connection) -> None:
    """The generator's binary COPY stores JSON columns as a JSON string holding the JSON text (json.dumps
    before a json-typed COPY column); the app reads them as dicts, so unwrap that string."""
    for table, column in (("ticket", "outputs"), ("stage_event", "data")):
        conn.execute(text(f"UPDATE {table} SET {column} = ({column} #>> '{{}}')::json "
                          f"WHERE json_typeof({column}) = 'string'"))


def _fit_channels_and_services(conn: Connection) -> None:
    """The generator picks WhatsApp or call center and any service; give each SOP's tickets what it serves."""
    for definition in definitions():
        channels = list(dict.fromkeys(s.channel for s in definition.serves))
        if not channels:
            continue
        conn.execute(text("UPDATE ticket SET channel = :c WHERE workflow = :w AND channel <> ALL(:all)"),
                     {"c": channels[0], "w": definition.key, "all": channels})
        for channel in channels:
            served = _served_services(definition, channel)
            if served:
                conn.execute(text("UPDATE ticket SET service = :s WHERE workflow = :w AND channel = :c "
                                  "AND service <> ALL(:served)"),
                             {"s": served[0], "w": definition.key, "c": channel, "served": served})


def _served_services(definition: Definition, channel: str) -> list[str]:
    """The services of `channel` whose new tickets run on this SOP (one, when ONLY_SERVICE names it)."""
    if definition.key in ONLY_SERVICE:
        return [str(ONLY_SERVICE[definition.key])]
    return [str(s) for s in Service if workflow_for(channel, s).key == definition.key]


def _plan_copies(conn: Connection, copies: int, open_copies: int, closed: list[str]) -> int:
    """One row per copy to make: its new id, its seed and how far back in time it moves."""
    open_copies = max(0, min(open_copies, copies))
    top = _count(conn, "SELECT max(id) FROM ticket")
    history_weeks = (HISTORY_DAYS - SEED_DAYS) // 7
    conn.execute(text("""
        CREATE UNLOGGED TABLE bench_copy (id integer PRIMARY KEY, seed_id integer NOT NULL,
                                          copy_no integer NOT NULL, shift interval NOT NULL)"""))
    conn.execute(text("SELECT setseed(0.42)"))
    # Open copies: most as recent as their seed, some 1-12 weeks older; closed copies over the history.
    for offset, amount, is_open in ((0, open_copies, True), (open_copies, copies - open_copies, False)):
        if amount <= 0:
            continue
        weeks = ("CASE WHEN random() < :late THEN 1 + floor(random() * 12) ELSE 0 END" if is_open
                 else "floor(random() * (:history_weeks + 1))")
        seeds = _count(conn, "SELECT count(*) FROM ticket WHERE (stage <> ALL(:closed)) = :is_open",
                       closed=closed, is_open=is_open)
        if seeds == 0:
            continue
        conn.execute(text(f"""
            WITH seed AS (
                SELECT id, row_number() OVER (ORDER BY id) - 1 AS rn
                FROM ticket WHERE (stage <> ALL(:closed)) = :is_open
            )
            INSERT INTO bench_copy (id, seed_id, copy_no, shift)
            SELECT :top + :offset + j + 1, seed.id, j / :seeds,
                   ({weeks}) * interval '7 days' + floor(random() * 1800) * interval '1 second'
            FROM generate_series(0, CAST(:amount AS integer) - 1) AS j
            JOIN seed ON seed.rn = j % :seeds
        """), {"seeds": seeds, "closed": closed, "is_open": is_open, "top": top, "offset": offset, "amount": amount,
               "late": LATE_OPEN_SHARE, "history_weeks": history_weeks})
    return _count(conn, "SELECT count(*) FROM bench_copy")


def _batches(conn: Connection) -> Iterator[tuple[int, int]]:
    low = _count(conn, "SELECT min(id) FROM bench_copy")
    high = _count(conn, "SELECT max(id) FROM bench_copy")
    for first in range(low, high + 1, COPY_BATCH):
        yield first, min(first + COPY_BATCH - 1, high)


def _copy(conn: Connection, first: int, last: int, applicant_offset: int) -> None:
    """Copy the tickets bench_copy plans with ids first..last: applicant, ticket and stage history."""
    params = {"first": first, "last": last, "applicant_offset": applicant_offset}
    # Each copy has its own applicant, numbered after the seed's: copy id + (applicant top - ticket top).
    conn.execute(text("""
        INSERT INTO applicant (id, nik, name, phone, created_at)
        SELECT c.id + :applicant_offset,
               CASE WHEN a.nik IS NULL THEN NULL
                    ELSE substr(a.nik, 1, 12)
                         || lpad(((substr(a.nik, 13, 4)::int + c.copy_no * 37 + 1) % 10000)::text, 4, '0') END,
               a.name,
               CASE WHEN a.phone IS NULL THEN NULL
                    ELSE substr(a.phone, 1, 6)
                         || lpad(((substr(a.phone, 7)::bigint + c.id::bigint * 104729) % 100000000)::text, 8, '0')
               END,
               a.created_at - c.shift
        FROM bench_copy c
        JOIN ticket t ON t.id = c.seed_id
        JOIN applicant a ON a.id = t.applicant_id
        WHERE c.id BETWEEN :first AND :last
    """), params)
    conn.execute(text("""
        INSERT INTO ticket (id, number, year, seq, service, channel, workflow, stage, applicant_id, kecamatan_code,
                            description, confidential, related_ticket_id, registration_number, claimed_by_id,
                            return_stage, outputs, stage_entered_at, sla_started_at, sla_paused_seconds, due_at,
                            overdue, created_at, updated_at, version)
        SELECT c.id, 'PGD-' || n.year || '-' || lpad(n.seq::text, 6, '0'), n.year, n.seq, t.service, t.channel, t.workflow, t.stage,
               c.id + :applicant_offset, t.kecamatan_code, t.description, t.confidential, NULL,
               CASE WHEN t.registration_number IS NULL THEN NULL ELSE t.registration_number || '-' || c.copy_no END,
               NULL, t.return_stage, t.outputs, t.stage_entered_at - c.shift, t.sla_started_at - c.shift,
               t.sla_paused_seconds, t.due_at - c.shift, COALESCE(t.due_at - c.shift < now(), false),
               t.created_at - c.shift, t.updated_at - c.shift, t.version
        FROM bench_copy c JOIN ticket t ON t.id = c.seed_id JOIN bench_number n ON n.id = c.id
        WHERE c.id BETWEEN :first AND :last
    """), params)
    conn.execute(text("""
        INSERT INTO stage_event (ticket_id, action, from_stage, to_stage, actor_id, actor_role, note, data, created_at)
        SELECT c.id, e.action, e.from_stage, e.to_stage, e.actor_id, e.actor_role, e.note, e.data,
               e.created_at - c.shift
        FROM bench_copy c JOIN stage_event e ON e.ticket_id = c.seed_id
        WHERE c.id BETWEEN :first AND :last
    """), params)


def _number_in_order(conn: Connection) -> None:
    """Number seeds and copies by creation within their office year (WIB), as the app would have
    (PGD-2026-000123): the seeds are renumbered in place, the copies take theirs from bench_number."""
    conn.execute(text("""
        CREATE UNLOGGED TABLE bench_number AS
        SELECT id, year, row_number() OVER (PARTITION BY year ORDER BY created_at, id)::int AS seq
        FROM (SELECT id, created_at, extract(year FROM created_at AT TIME ZONE 'Asia/Jakarta')::int AS year
              FROM (SELECT id, created_at FROM ticket
                    UNION ALL
                    SELECT c.id, t.created_at - c.shift FROM bench_copy c JOIN ticket t ON t.id = c.seed_id)
                   AS every_ticket) AS dated
    """))
    conn.execute(text("ALTER TABLE bench_number ADD PRIMARY KEY (id)"))
    conn.execute(text("""
        UPDATE ticket SET year = n.year, seq = n.seq, number = 'PGD-' || n.year || '-' || lpad(n.seq::text, 6, '0')
        FROM bench_number n WHERE n.id = ticket.id
    """))


@contextmanager
def _indexes_dropped(conn: Connection) -> Iterator[None]:
    """Bulk load without the secondary indexes and constraints of TABLES; they are built again afterwards."""
    constraints = conn.execute(text("""
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE conrelid = ANY(CAST(:tables AS regclass[])) AND contype IN ('u', 'f') ORDER BY contype DESC
    """), {"tables": list(TABLES)}).all()
    indexes = conn.execute(text("""
        SELECT indexname, indexdef FROM pg_indexes
        WHERE schemaname = 'public' AND tablename = ANY(:tables)
          AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))
    """), {"tables": list(TABLES)}).all()
    for table, name, _ in constraints:
        conn.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    for name, _ in indexes:
        conn.execute(text(f'DROP INDEX "{name}"'))
    yield
    for _, definition in indexes:
        conn.execute(text(definition))
    for table, name, definition in reversed(constraints):
        conn.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))


def _continue_sequences(conn: Connection) -> None:
    """New rows made by the app after the fill number on after the copies."""
    for table in TABLES:
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    conn.execute(text("""
        INSERT INTO number_sequence (name, year, value)
        SELECT :name, year, max(seq) FROM ticket GROUP BY year
        ON CONFLICT (name, year) DO UPDATE SET value = excluded.value
    """), {"name": NUMBER_SEQUENCE})


def _count(conn: Connection, sql: str, **params: object) -> int:
    return int(conn.execute(text(sql), params).scalar() or 0)
