"""CPU per inbound message, measured in the process: for telling two versions of the message path apart.

Under gunicorn and wrk (bench_webhook) two runs of the same code differ by 15 % on a shared two-core machine,
so a change of 10 % cannot be read there. Here the same signed traffic is handed straight to the WSGI app on
PostgreSQL, and the CPU of the thread running the app and of PostgreSQL (this database's backends and the
server's own processes, as bench/noise.py counts them) is counted per message. The
versions (this tree, and with `--against REV` that commit checked out beside it) take turns, every turn on a
database copied from one template and with the same traffic, and the medians are compared.

    .venv/bin/python -m bench.webhook_cpu [--against REV] [--rounds 8] [--messages 1500]

Needs the PostgreSQL and Redis servers bench/run uses. A compared commit must have the webhook benchmark
(bench/bench_webhook.py, bench/traffic.py, bench/noise.py); this file is copied into its checkout.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import psycopg
from psycopg import sql
from werkzeug.test import EnvironBuilder

from bench import infra
from bench.noise import Sampler

TEMPLATE = "layanan_bench_webhook_cpu"
RUN = "layanan_bench_webhook_cpu_run"
BASE = "http://127.0.0.1:5999"  # never listened on: the app is called directly, the signatures name it
WARMUP = 300
CHECKOUTS = infra.ROOT / "bench" / "instance" / "checkouts"


def prepare() -> None:
    """The template database: schema, generated tickets and the citizens the traffic writes as."""
    from bench.bench_webhook import QUICK, _prepare_database

    database = infra.recreate_database(TEMPLATE)
    citizens = _prepare_database(database, QUICK, lambda text: None)
    with psycopg.connect(database) as conn, conn.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_citizen (phone text, ticket_number text)")
        cursor.executemany("INSERT INTO bench_citizen VALUES (%s, %s)",
                           [(c.phone, c.ticket_number) for c in citizens])


def measure(seed: int, messages: int) -> dict[str, Any]:
    """One turn in this process: a fresh copy of the template, the traffic of `seed`, CPU per message."""
    import redis

    from bench.bench_webhook import AUTH_TOKEN, _seed_conversations
    from bench.traffic import Citizen, Traffic

    with psycopg.connect(infra.POSTGRES_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(RUN)))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(RUN), sql.Identifier(TEMPLATE)))
    database = infra.database_url(RUN)
    redis.Redis.from_url(infra.REDIS_URL).flushdb()
    with psycopg.connect(database) as conn:
        citizens = [Citizen(phone=p, ticket_number=n)
                    for p, n in conn.execute("SELECT phone, ticket_number FROM bench_citizen ORDER BY phone")]
    media = f"http://127.0.0.1:5998/2010-04-01/Accounts/AC{'1' * 32}/Messages"  # nothing listens: never fetched
    traffic = Traffic(citizens, f"{BASE}/webhooks/whatsapp", AUTH_TOKEN, media, seed=seed, stagger=True)
    _seed_conversations(database, traffic)
    os.environ.update(infra.app_env(database, PUBLIC_BASE_URL=BASE, TWILIO_AUTH_TOKEN=AUTH_TOKEN,
                                    INSTANCE_PATH=str(infra.ROOT / "bench" / "instance"),
                                    TWILIO_MEDIA_HOSTS="127.0.0.1:5998"))
    from layanan import create_app

    app = create_app()
    environs, kinds, seen = [], [], set()  # built before the clock starts: the app is measured, not the making
    for index in range(WARMUP + messages):
        citizen = index % len(citizens)
        line = traffic._peek(citizen, 0)
        environs.append(_environ(line))
        kinds.append(_kind(line, seen))
        traffic._take(citizen, 1)
    for environ in environs[:WARMUP]:
        _deliver(app, environ)
    # The app runs in this thread; the sampler's own thread is left out of the web figure.
    by_kind: dict[str, list[float]] = {}
    started = time.thread_time()
    with Sampler(lambda: {}, RUN) as sampled:
        for environ, kind in zip(environs[WARMUP:], kinds[WARMUP:]):
            before = time.thread_time()
            _deliver(app, environ)
            by_kind.setdefault(kind, []).append(time.thread_time() - before)
    web = time.thread_time() - started
    import bot

    return {"web_ms": web / messages * 1000, "postgres_ms": sampled.noise.cpu["postgres"] / messages * 1000,
            "kinds_ms": {kind: sum(times) / len(times) * 1000 for kind, times in by_kind.items()},
            "code": str(Path(bot.__file__).resolve().parents[1])}


KINDS = ("teks", "tiket", "foto", "kiriman ulang")  # the kinds of delivery whose CPU is printed apart


def _kind(line: str, seen: set[str]) -> str:
    """What a delivery of the traffic is: a redelivery (its MessageSid sent before), a photo, the "ya" that
    opens a ticket (the traffic says it only there), or other text. A mix that moves little can hide a
    kind that moved a lot, and the web CPU of one turn varies more between turns than a small change."""
    form = dict(parse_qsl(line.split("\t", 1)[1], keep_blank_values=True))
    if form["MessageSid"] in seen:
        return "kiriman ulang"
    seen.add(form["MessageSid"])
    if form.get("NumMedia", "0") != "0":
        return "foto"
    return "tiket" if form.get("Body", "").strip().lower() == "ya" else "teks"


def _environ(line: str) -> dict[str, Any]:
    """The WSGI environ of one signed delivery of the traffic (signature, tab, form)."""
    signature, body = line.split("\t", 1)
    return EnvironBuilder(path="/webhooks/whatsapp", base_url=BASE, method="POST", data=body.encode(),
                          content_type="application/x-www-form-urlencoded",
                          headers={"X-Twilio-Signature": signature}).get_environ()


def _deliver(app: Any, environ: dict[str, Any]) -> None:
    """One delivery handed to the WSGI app as gunicorn would; anything but 200 stops the run."""
    status: list[str] = []
    b"".join(app(environ, lambda s, headers, exc_info=None: status.append(s)))
    if not status[0].startswith("200"):
        raise RuntimeError(f"webhook answered {status[0]}")


def _checkout(rev: str) -> Path:
    """The commit checked out beside this tree (detached), with this file copied in."""
    folder = CHECKOUTS / rev.replace("/", "-")
    if folder.exists():
        subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=infra.ROOT, check=False)
    CHECKOUTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(folder), rev], cwd=infra.ROOT, check=True)
    shutil.copy(Path(__file__), folder / "bench" / "webhook_cpu.py")
    return folder


def _turn(tree: Path, seed: int, messages: int) -> dict[str, Any]:
    """One turn of one version: a process of its own started in its tree, so its code is imported."""
    result = subprocess.run([sys.executable, "-m", "bench.webhook_cpu", "--turn", str(seed), str(messages)],
                            cwd=tree, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"turn in {tree} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.webhook_cpu", description=__doc__.splitlines()[0])
    parser.add_argument("--against", help="commit to compare with, checked out beside this tree")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--messages", type=int, default=1500)
    parser.add_argument("--turn", nargs=2, type=int, help=argparse.SUPPRESS)  # seed, messages: one turn
    args = parser.parse_args(argv)
    if args.turn:
        print(json.dumps(measure(*args.turn)))
        return 0
    prepare()
    versions = {"dasar " + args.against: _checkout(args.against)} if args.against else {}
    versions["pohon ini"] = infra.ROOT
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in versions}
    started = time.monotonic()
    try:
        for round_ in range(args.rounds):
            names = list(versions) if round_ % 2 == 0 else list(reversed(versions))  # neither always goes first
            for name in names:
                results[name].append(_turn(versions[name], 100 + round_, args.messages))
                last = results[name][-1]
                print(f"  putaran {round_ + 1} {name}: web {last['web_ms']:.2f} ms, "
                      f"PostgreSQL {last['postgres_ms']:.2f} ms per pesan (kode dari {last['code']})", flush=True)
    finally:
        for name, tree in versions.items():
            if tree != infra.ROOT:
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=infra.ROOT, check=False)
    print(f"\nCPU per pesan di dalam proses, median (rentang) dari {args.rounds} putaran × {args.messages:,} pesan "
          f"({time.monotonic() - started:,.0f} d):")
    for name, turns in results.items():
        web, postgres = [t["web_ms"] for t in turns], [t["postgres_ms"] for t in turns]
        print(f"  {name:<20} web {statistics.median(web):.2f} ms ({min(web):.2f}–{max(web):.2f}) · "
              f"PostgreSQL {statistics.median(postgres):.2f} ms ({min(postgres):.2f}–{max(postgres):.2f})")
    print("CPU web per jenis kiriman, median dari putaran (kode yang lebih tua tanpa angka ini: -):")
    for name, turns in results.items():
        parts = []
        for kind in KINDS:
            values = [t["kinds_ms"][kind] for t in turns if kind in t.get("kinds_ms", {})]
            parts.append(f"{kind} {statistics.median(values):.2f} ms" if values else f"{kind} -")
        print(f"  {name:<20} " + " · ".join(parts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
