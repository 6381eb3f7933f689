"""Stored history for the webhook benchmark's scale run: messages and conversations written server-side.

One INSERT … SELECT FROM generate_series per table: a million rows take seconds, where the app would take
an hour. Two thirds inbound (with the reply they got), one third outbound; random-looking SIDs; created
over the past year; the conversations of 200,000 numbers, most at the menu, one in a hundred waiting for a
person. The numbers (+62899…) are none of the benchmark's citizens.
"""

from __future__ import annotations

import psycopg

from bench.baseline_apps import FLOOR_TABLE

MESSAGE_COLUMNS = ("direction, twilio_sid, phone, body, num_media, profile_name, status, reply, created_at,"
                   " updated_at")
MESSAGE_ROWS = """
SELECT CASE WHEN mod(i, 3) = 0 THEN 'outbound' ELSE 'inbound' END,
       'SM' || md5(%(salt)s::text || i::text),
       '+62899' || lpad(mod(i, %(numbers)s)::text, 7, '0'),
       CASE mod(i, 5) WHEN 0 THEN 'Selamat pagi' WHEN 1 THEN '1' WHEN 2 THEN 'status PGD-2026-' || lpad((mod(i, 9999) + 1)::text, 6, '0')
                  WHEN 3 THEN 'terima kasih' ELSE 'Ketik nomor tiket Anda, contoh: PGD-2026-000123' END,
       0,
       CASE WHEN mod(i, 3) = 0 THEN NULL ELSE 'Warga' END,
       CASE WHEN mod(i, 3) = 0 THEN 'delivered' ELSE 'received' END,
       CASE WHEN mod(i, 3) = 0 THEN NULL ELSE '["Selamat datang di Layanan Pengaduan Online Disdukcapil Kabupaten Tanggamus."]' END,
       now() - i * interval '30 seconds',
       now() - i * interval '30 seconds'
FROM generate_series(1, %(count)s) AS i
"""
CONVERSATION_ROWS = """
INSERT INTO conversation (phone, state, data, misses, needs_human, updated_at)
SELECT '+62899' || lpad(i::text, 7, '0'), 'start', '{}', 0, mod(i, 100) = 0, now() - i * interval '2 minutes'
FROM generate_series(0, %(numbers)s - 1) AS i
ON CONFLICT (phone) DO NOTHING
"""


def fill(url: str, messages: int, conversations: int) -> None:
    """Add `messages` rows to the app's message table and to the floor's, and `conversations` conversations."""
    with psycopg.connect(url, autocommit=True) as conn:
        for table, salt in (("message", "app"), (FLOOR_TABLE, "floor")):
            conn.execute(f"INSERT INTO {table} ({MESSAGE_COLUMNS}) {MESSAGE_ROWS}",  # type: ignore[arg-type]
                         {"salt": salt, "numbers": conversations, "count": messages})
        conn.execute(CONVERSATION_ROWS, {"numbers": conversations})  # type: ignore[arg-type]


def vacuum_analyze(url: str) -> None:
    """VACUUM ANALYZE the whole database: no autovacuum is owed when a measurement starts."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def set_autovacuum(url: str, enabled: bool) -> None:
    """Turn autovacuum off for every table of the database (for one measurement's duration), or back on."""
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [name for (name,) in conn.execute(
            "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'")]
        for name in tables:
            conn.execute(f"ALTER TABLE {name} SET (autovacuum_enabled = off)" if not enabled  # type: ignore[arg-type]
                         else f"ALTER TABLE {name} RESET (autovacuum_enabled)")


def count(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()  # type: ignore[arg-type]
        return int(row[0]) if row else 0
