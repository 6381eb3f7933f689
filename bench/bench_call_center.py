"""Call-center benchmark: importing a month of PBX records and the section head's statistics.

A Master.csv of `records` rows (a busy month for a regency call center, every caller a different
number so nothing is cached) is imported into a migrated
database beside `calls` logged calls, half of which the import matches; then the statistics for the
whole period are computed. Figures: seconds for the import (and for re-importing the same file, all
duplicates), milliseconds for the statistics. Run: `.venv/bin/python -m bench.bench_call_center
[--quick] [--database-url URL]` (default: a SQLite file in a temporary folder).
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert, text
from sqlmodel import Session, SQLModel

from bench.report import Row, Say, table

WIB = ZoneInfo("Asia/Jakarta")
IMPORT_TARGET_S = 30.0  # an agent waits for the page; a month's file must come back within this
STATS_TARGET_MS = 500.0


@dataclass(frozen=True)
class Settings:
    records: int
    calls: int


FULL = Settings(records=10_000, calls=5_000)
QUICK = Settings(records=2_000, calls=1_000)


def _master_csv(settings: Settings, start: date, rng: random.Random) -> tuple[bytes, list[tuple[str, datetime]]]:
    """The file, and (phone, time) of the records that an agent logged (every second answered one)."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    logged: list[tuple[str, datetime]] = []
    for i in range(settings.records):
        moment = datetime.combine(start + timedelta(days=rng.randrange(30)), datetime.min.time(), WIB) \
            + timedelta(seconds=rng.randrange(8 * 3600, 16 * 3600))
        number = f"0812{rng.randrange(10**8):08d}"
        answered = rng.random() < 0.8
        talk = rng.randrange(30, 600) if answered else 0
        end = moment + timedelta(seconds=talk + 5)
        stamp = "%Y-%m-%d %H:%M:%S"
        writer.writerow(["", number, "100", "from-pstn", f'"" <{number}>', "SIP/trunk", "SIP/100", "Dial", "",
                         moment.strftime(stamp), moment.strftime(stamp) if answered else "", end.strftime(stamp),
                         str(talk + 5), str(talk), "ANSWERED" if answered else "NO ANSWER", "DOCUMENTATION",
                         f"{1763870000 + i}.{i}", ""])
        if answered and i % 2 == 0 and len(logged) < settings.calls:
            logged.append(("+62" + number[1:], moment + timedelta(seconds=talk)))
    return out.getvalue().encode(), logged


def run(settings: Settings, say: Say, database_url: str | None = None) -> list[Row]:
    """Build the database, time the import, the re-import and the statistics."""
    import layanan.models  # noqa: F401
    from bot.call_center.cdr import import_records
    from bot.call_center.models import Outcome
    from bot.call_center.stats import call_statistics
    from layanan.db import make_engine
    from layanan.migrate import upgrade

    folder = tempfile.mkdtemp(prefix="bench-call-center-")
    url = database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
    if database_url:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    rng = random.Random(7)
    start = date(2026, 10, 1)
    data, logged = _master_csv(settings, start, rng)
    now = datetime.now(WIB)
    with Session(engine) as session:
        session.execute(insert(SQLModel.metadata.tables["call_log"]), [
            {"source": "form", "phone": phone, "topic": "kk", "outcome": Outcome.ANSWERED.value, "called_at": at,
             "created_at": now} for phone, at in logged])
        session.commit()
        say(f"  {settings.records:,} rekaman PBX, {len(logged):,} panggilan tercatat")

        began = time.perf_counter()
        result = import_records(session, data, timezone="Asia/Jakarta", imported_by_id=None)
        first = time.perf_counter() - began
        began = time.perf_counter()
        again = import_records(session, data, timezone="Asia/Jakarta", imported_by_id=None)
        second = time.perf_counter() - began
        assert not result.errors and again.imported == 0

        timings = []
        for _ in range(5):
            began = time.perf_counter()
            stats = call_statistics(session, start, start + timedelta(days=29))
            timings.append((time.perf_counter() - began) * 1000)
        assert stats.total == session.exec(text("SELECT count(*) FROM call_log")).one()[0]  # type: ignore[call-overload]
    engine.dispose()
    size = f"{settings.records:,} baris"
    return [
        Row("call center", f"impor Master.csv {size}", f"{first:.1f} d", f"< {IMPORT_TARGET_S:.0f} d",
            first < IMPORT_TARGET_S, f"{result.imported:,} baru, {result.matched:,} cocok"),
        Row("call center", f"impor ulang {size}", f"{second:.1f} d", f"< {IMPORT_TARGET_S:.0f} d",
            second < IMPORT_TARGET_S, "semua dilewati (duplikat)"),
        Row("call center", f"statistik 30 hari, {len(logged):,} panggilan", f"{min(timings):.0f} ms",
            f"< {STATS_TARGET_MS:.0f} ms", min(timings) < STATS_TARGET_MS, "terbaik dari 5"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_call_center")
    parser.add_argument("--quick", action="store_true", help="ukuran kecil")
    parser.add_argument("--database-url", help="basis data yang boleh dikosongkan (bawaan: SQLite sementara)")
    args = parser.parse_args()
    rows = run(QUICK if args.quick else FULL, lambda s: print(s, flush=True), args.database_url)
    print(table(rows))
    return 0 if all(r.met is not False for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
