"""Run every benchmark and print one table: `.venv/bin/python -m bench [--quick] [--only NAME] [--fresh]`."""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

from bench.report import Row, table

BENCH_DIR = Path(__file__).resolve().parent
BENCHMARKS = ("webhook", "queue", "reports", "call_center", "pdf_delivery", "signing", "conversation")
# Benchmarks of other parts, each a module with FULL/QUICK settings and run(settings, say[, database_url]).
OTHERS = {
    "call_center": ("bench.bench_call_center", "Call center (impor PBX, statistik)", True),
    "pdf_delivery": ("bench.bench_pdf_delivery", "Pengiriman PDF", True),
    "signing": ("bench.bench_signing", "TTE (tanda tangan dan verifikasi PDF)", False),
    "conversation": ("bench.bench_conversation", "Pemahaman percakapan (korpus pesan warga)", False),
}


def say(text: str) -> None:
    print(text, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Jalankan semua benchmark.")
    parser.add_argument("--quick", action="store_true",
                        help="ukuran kecil untuk melihat sekilas (50 000 tiket, pengukuran singkat)")
    parser.add_argument("--only", choices=BENCHMARKS, action="append", help="jalankan benchmark ini saja (boleh berulang)")
    parser.add_argument("--fresh", action="store_true", help="bangun ulang basis data tiket walau sudah ada")
    args = parser.parse_args(argv)
    # Stopped from outside: unwind, so the servers a benchmark started are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    chosen = args.only or list(BENCHMARKS)
    (BENCH_DIR / "logs").mkdir(exist_ok=True)
    rows: list[Row] = []
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    if "webhook" in chosen:
        from bench import bench_webhook

        say("== Webhook WhatsApp ==")
        rows += bench_webhook.run(bench_webhook.QUICK if args.quick else bench_webhook.FULL, say)
    if "queue" in chosen:
        from dataclasses import replace

        from bench import bench_queue

        say("== Halaman antrean dan pencarian ==")
        rows += bench_queue.run(replace(bench_queue.QUICK if args.quick else bench_queue.FULL, fresh=args.fresh), say)
    if "reports" in chosen:
        say("== Berita acara dan laporan pemilahan ==")
        rows += _reports(args.quick)
    for name, (module_name, title, takes_database) in OTHERS.items():
        if name in chosen:
            say(f"== {title} ==")
            rows += _other(name, module_name, takes_database, args.quick)
    say("")
    # Other work on the machine takes CPU from the servers: the load average says how much.
    say(f"Hasil ({_machine()}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {time.monotonic() - started:,.0f} d; "
        f"load average 1 menit {load_before:.1f} di awal, {os.getloadavg()[0]:.1f} di akhir"
        f"{'; --quick' if args.quick else ''}):")
    say(table(rows))
    return 0 if all(row.met is not False for row in rows) else 1


def _reports(quick: bool) -> list[Row]:
    """The report-rendering benchmark: its `run(quick, say)` rows, or its own printout if it has no `run`."""
    if importlib.util.find_spec("bench.bench_reports") is None:
        return [Row("Berita acara dan laporan", "-", "belum ada", note="bench/bench_reports.py belum tersedia")]
    from bench import bench_reports

    run = getattr(bench_reports, "run", None)
    if callable(run):
        return list(run(quick=quick, say=say))
    command = [sys.executable, "-m", "bench.bench_reports", *(["--quick"] if quick else [])]
    result = subprocess.run(command, cwd=BENCH_DIR.parent, env=os.environ)
    return [Row("Berita acara dan laporan", "-", "lihat keluaran di atas",
                note="" if result.returncode == 0 else f"keluar dengan kode {result.returncode}")]


def _other(name: str, module_name: str, takes_database: bool, quick: bool) -> list[Row]:
    """Another part's benchmark, on a fresh PostgreSQL database of its own when it uses one."""
    if importlib.util.find_spec(module_name) is None:
        return [Row(name, "-", "belum ada", note=f"{module_name} belum tersedia")]
    module = importlib.import_module(module_name)
    settings = module.QUICK if quick else module.FULL
    if not takes_database:
        return list(module.run(settings, say))
    from bench import infra

    return list(module.run(settings, say, infra.recreate_database(f"layanan_bench_{name}")))


def _machine() -> str:
    memory = psutil.virtual_memory().total / 2**30
    return f"{platform.processor() or platform.machine()}, {psutil.cpu_count()} inti, {memory:.0f} GiB RAM"


if __name__ == "__main__":
    sys.exit(main())
