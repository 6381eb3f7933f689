"""Webhook benchmark: the app's inbound WhatsApp webhook beside the baselines any webhook has to pay.

Four servers, one after another, under the same gunicorn command line (the Procfile's `web` line) and
driven by wrk the same way (bench/baseline_apps.py):
1. bare Flask: form in, TwiML out;
2. the same with Twilio's signature check;
3. the durability floor: signature check, one INSERT of the message row and a COMMIT with psycopg;
4. the app, with its RQ worker beside it.
Each with req/s and the ratio to the floor; then the app's latency open loop at a fixed 100 req/s; then
the floor and the app again with a million messages and 200,000 conversations already stored.

The traffic (bench/traffic.py) is 1,000 citizens conversing in order: greetings, menu choices, a full
document request with NIK, kecamatan and a photo (a ticket is created), status checks of their own
tickets, questions, 10 % redeliveries. A photo's MediaUrl points at a local port nothing listens on,
allowed as a media host for this run: the download job is enqueued with the turn and the worker runs it,
but the fetch fails at once (connection refused) and waits for its retry, so no bytes are moved and
the worker's work stays that of taking the job.

Every measurement starts after VACUUM ANALYZE with autovacuum off for its duration (so no vacuum runs
inside it) and records its noise (bench/noise.py): the load average sampled throughout, the CPU seconds
of the servers, of the load generator and of everything else on the machine, peak RSS of web and worker,
and how the requests split over the two gunicorn workers.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

import psycopg
import redis
import requests
from rq import Worker

from bench import infra, message_fill
from bench.baseline_apps import FLOOR_TABLE, create_floor_table
from bench.noise import Noise, Sampler
from bench.report import Row, Say, percentile
from bench.traffic import Citizen, Traffic

TARGET_RATIO = 0.6
TARGET_P99_MS = 50.0
TARGET_P999_MS = 100.0
DATABASE = "layanan_bench_webhook"
LUA_SCRIPT = Path(__file__).resolve().parent / "webhook.lua"
WORK = infra.ROOT / "bench" / "instance"
AUTH_TOKEN = "bench" + "0" * 27  # the token both the servers and the signer use in this run
BENCH = "Webhook WhatsApp"
PROBE_SECONDS = 3
APPS = {
    "bare": ("bench.baseline_apps:create_bare()", "bare Flask (form → TwiML)"),
    "signed": ("bench.baseline_apps:create_signed()", "+ cek tanda tangan Twilio"),
    "floor": ("bench.baseline_apps:create_floor()", "lantai: + INSERT + COMMIT psycopg"),
    "app": ("layanan.wsgi:app", "aplikasi"),
}


@dataclass(frozen=True)
class WebhookSettings:
    throughput_seconds: int
    latency_seconds: int
    warmup_seconds: int = 3
    rate: int = 100
    connections: int = 16  # wrk threads too: one connection each, so each keeps its citizens in order
    citizens: int = 1000
    stored_messages: int = 1_000_000
    stored_conversations: int = 200_000
    # The Procfile's one shared socket, as served (BENCH_REUSE_PORT=1: a socket per gunicorn worker, for all
    # four servers alike). With one socket the app's workers took wrk's keep-alive connections 59/41 to 89/11
    # in short runs; the Procfile keeps it, because a worker restarting with its own socket drops the
    # connections waiting in that socket's queue, and a webhook must lose nothing.
    reuse_port: bool = False


FULL = WebhookSettings(throughput_seconds=30, latency_seconds=60)
QUICK = WebhookSettings(throughput_seconds=8, latency_seconds=15, warmup_seconds=2,
                        stored_messages=100_000, stored_conversations=20_000)


@dataclass
class Measured:
    """One wrk or open-loop run and what else happened meanwhile."""

    noise: Noise
    rps: float = 0.0
    requests: int = 0
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    split: list[int] = field(default_factory=list)  # requests per gunicorn worker

    def note(self) -> str:
        split = ""
        if len(self.split) > 1:
            shares = "/".join(f"{100 * n / sum(self.split):.0f}" for n in self.split)
            split = f"; per worker {shares} %"
        failed = f"{self.failures:,} GAGAL; " if self.failures else ""
        return f"{failed}{self.noise.describe()}{split}"


def run(settings: WebhookSettings, say: Say) -> list[Row]:
    """Measure the baselines and the app at empty and at scale; the table rows."""
    if os.environ.get("BENCH_REUSE_PORT"):
        settings = replace(settings, reuse_port=os.environ["BENCH_REUSE_PORT"] != "0")
    _need_wrk()
    WORK.mkdir(parents=True, exist_ok=True)
    redis.Redis.from_url(infra.REDIS_URL).flushdb()
    database = infra.recreate_database(DATABASE)
    citizens = _prepare_database(database, settings, say)
    # Nothing listens on media_port, and the worker leaves the media queue alone (see _worker_without_media).
    port, media_port = infra.free_port(), infra.free_port()
    base = f"http://127.0.0.1:{port}"
    media_url = f"http://127.0.0.1:{media_port}/2010-04-01/Accounts/AC{'1' * 32}/Messages"
    env = infra.app_env(database, PUBLIC_BASE_URL=base, TWILIO_AUTH_TOKEN=AUTH_TOKEN, INSTANCE_PATH=str(WORK),
                        TWILIO_MEDIA_HOSTS=f"127.0.0.1:{media_port}")
    url = f"{base}/webhooks/whatsapp"
    baseline_traffic = Traffic(citizens, url, AUTH_TOKEN, media_url, seed=1)
    app_traffic = Traffic(citizens, url, AUTH_TOKEN, media_url, seed=2, stagger=True)
    _seed_conversations(database, app_traffic)
    bench = _Bench(settings, say, database, base, env)
    say(f"  gunicorn: {' '.join(bench.command('APP'))}")

    bench.budget(baseline_traffic)
    measured: dict[str, Measured] = {}
    for name in ("bare", "signed", "floor"):
        measured[name] = bench.throughput(name, baseline_traffic)
    tickets_before = _count(database, "SELECT count(*) FROM ticket")
    measured["app"], measured["latency"] = bench.app(app_traffic)
    check = _check(database, app_traffic, tickets_before)
    say(f"  pemeriksaan: {check}")

    say(f"  mengisi {settings.stored_messages:,} pesan (aplikasi dan lantai) dan "
        f"{settings.stored_conversations:,} percakapan di sisi server ...")
    message_fill.fill(database, settings.stored_messages, settings.stored_conversations)
    scaled = f"{settings.stored_messages:,} pesan + {settings.stored_conversations:,} percakapan"
    measured["floor_scaled"] = bench.throughput("floor", baseline_traffic)
    measured["app_scaled"], measured["latency_scaled"] = bench.app(app_traffic)
    return _rows(settings, measured, scaled, check)


class _Bench:
    """Runs the servers and the load generators of one benchmark run."""

    def __init__(self, settings: WebhookSettings, say: Say, database: str, base: str, env: dict[str, str]) -> None:
        self.settings, self.say, self.database, self.base, self.env = settings, say, database, base, env
        self.port = int(base.rsplit(":", 1)[1])
        self.access_log = infra.ROOT / "bench" / "logs" / "webhook-access.log"
        self.per_thread = 0  # signed lines per wrk thread for one run (budget)

    def command(self, spec: str) -> list[str]:
        """The servers' command line as printed: the program's name, paths relative to the repository."""
        log = self.access_log.relative_to(infra.ROOT)
        command = infra.gunicorn_command(spec, self.port, log, self.settings.reuse_port)
        return [Path(command[0]).name, *command[1:]]

    @contextmanager
    def _server(self, name: str) -> Iterator[infra.Server]:
        self.access_log.unlink(missing_ok=True)
        command = infra.gunicorn_command(APPS[name][0], self.port, self.access_log, self.settings.reuse_port)
        with infra.running(command, self.env, self.base, "/healthz") as server:
            self._until_every_worker_answers(server)
            yield server

    def _until_every_worker_answers(self, server: infra.Server) -> None:
        """/healthz answers once one gunicorn worker has booted, while another may still be importing the app
        (seconds of CPU under load), which the measurement would count as the app's cost and during which one
        worker serves alone. Knock with parallel requests until every worker has answered in the access log."""
        workers = len(server.tree()) - 1
        deadline = time.monotonic() + 120
        with ThreadPoolExecutor(8) as pool:
            while time.monotonic() < deadline:
                list(pool.map(lambda _: requests.get(self.base + "/healthz", timeout=30), range(16)))
                if len(self._split(server, 0)) >= workers:
                    return
                time.sleep(0.5)
        raise RuntimeError(f"not every one of {workers} gunicorn workers answered within 120 s")

    def budget(self, traffic: Traffic) -> None:
        """Signed lines per wrk thread for one run: from a short probe of the bare endpoint (the fastest),
        the busiest thread's rate over warm-up and measurement, twice over: an upper bound for every server,
        narrowed per server by its warm-up (see _wrk_measured)."""
        threads, lines = self.settings.connections, 1000
        with self._server("bare"):
            while True:
                traffic.write_wrk_files(WORK / "webhook-requests", threads, lines)
                result = _wrk(self.base, threads, PROBE_SECONDS)
                traffic.sent_by_wrk(threads, result["positions"])
                if not result["ran_out"]:
                    break
                lines *= 3
        busiest = max(result["positions"]) / (result["duration_us"] / 1e6)
        seconds = self.settings.throughput_seconds + self.settings.warmup_seconds
        self.per_thread = math.ceil(busiest * seconds * 2) + 100
        self.say(f"  uji singkat bare: {result['total'] / (result['duration_us'] / 1e6):,.0f} req/s; "
                 f"{self.per_thread:,} pesan bertanda tangan per koneksi per pengukuran ({threads} koneksi)")

    def throughput(self, name: str, traffic: Traffic) -> Measured:
        """One baseline server's closed-loop throughput."""
        self.say(f"  {APPS[name][1]} ...")
        with self._server(name) as server:
            return self._wrk_measured(server, None, traffic, writes=name == "floor")

    def app(self, traffic: Traffic) -> tuple[Measured, Measured]:
        """The app with its RQ worker: throughput, then latency open loop at the fixed rate."""
        self.say(f"  {APPS['app'][1]} ...")
        with self._server("app") as web, \
                infra.running(_worker_without_media(self.env), self.env, self.base, "/healthz") as worker:
            _until_worker_registered()
            throughput = self._wrk_measured(web, worker, traffic, writes=True)
            latency = self._open_loop(web, worker, traffic)
        return throughput, latency

    def _wrk_measured(self, web: infra.Server, worker: infra.Server | None, traffic: Traffic,
                      writes: bool) -> Measured:
        """Warm-up, then the measured run. The warm-up is this server's own probe: the measured run gets
        its busiest thread's rate × the duration × 3 signed lines per connection (the bare endpoint's
        budget when the warm-up ran out), and is measured again with twice as many if it still runs out."""
        threads, stem, settings = self.settings.connections, WORK / "webhook-requests", self.settings
        warm_lines = math.ceil(self.per_thread * settings.warmup_seconds
                               / (settings.warmup_seconds + settings.throughput_seconds))
        traffic.write_wrk_files(stem, threads, warm_lines)
        warm = _wrk(self.base, threads, settings.warmup_seconds)
        traffic.sent_by_wrk(threads, warm["positions"])
        per_thread = self.per_thread
        if not warm["ran_out"]:
            busiest = max(warm["positions"]) / (warm["duration_us"] / 1e6)
            per_thread = min(per_thread, math.ceil(busiest * settings.throughput_seconds * 3) + 100)
        while True:
            measured = self._wrk_once(web, worker, traffic, writes, per_thread)
            if measured is not None:
                return measured
            per_thread *= 2
            self.say(f"    pesan bertanda tangan habis: diulang dengan {per_thread:,} per koneksi")

    def _wrk_once(self, web: infra.Server, worker: infra.Server | None, traffic: Traffic,
                  writes: bool, per_thread: int) -> Measured | None:
        """One measured wrk run; None when a thread ran out of signed lines (the run is void)."""
        threads, stem = self.settings.connections, WORK / "webhook-requests"
        traffic.write_wrk_files(stem, threads, per_thread)
        if writes:
            _quiet_database(self.database)
        logged = self.access_log.stat().st_size
        try:
            with Sampler(_groups(web, worker), DATABASE) as sampler:
                result = _wrk(self.base, threads, self.settings.throughput_seconds)
        finally:
            if writes:
                message_fill.set_autovacuum(self.database, enabled=True)
        traffic.sent_by_wrk(threads, result["positions"])
        if result["ran_out"]:
            return None
        seconds = result["duration_us"] / 1e6
        # Throughput counts answered requests only: a failed one did not do the work.
        answered = result["total"] - result["failures"]
        measured = Measured(sampler.noise, rps=answered / seconds, requests=answered, failures=result["failures"],
                            split=self._split(web, logged))
        self.say(f"    {result['total']:,} permintaan dalam {seconds:.1f} d: {measured.rps:,.0f} req/s; {measured.note()}")
        return measured

    def _open_loop(self, web: infra.Server, worker: infra.Server, traffic: Traffic) -> Measured:
        rate, seconds = self.settings.rate, self.settings.latency_seconds
        path = traffic.write_open_loop_file(WORK / "webhook-open-loop.tsv", rate * seconds)
        result_path = WORK / "webhook-open-loop.json"
        _quiet_database(self.database)
        logged = self.access_log.stat().st_size
        try:
            with Sampler(_groups(web, worker), DATABASE) as sampler:
                subprocess.run([sys.executable, "-m", "bench.open_loop", f"{self.base}/webhooks/whatsapp",
                                str(path), str(rate), str(result_path)], cwd=infra.ROOT, check=True)
        finally:
            message_fill.set_autovacuum(self.database, enabled=True)
        outcome = json.loads(result_path.read_text())
        measured = Measured(sampler.noise, latencies=outcome["latencies"], failures=outcome["failures"],
                            split=self._split(web, logged))
        self.say(f"    latensi pada {rate} req/s: p50 {percentile(measured.latencies, 50):.1f} ms · "
                 f"p99 {percentile(measured.latencies, 99):.1f} ms · p99,9 {percentile(measured.latencies, 99.9):.1f} ms;"
                 f" {measured.note()}")
        self.say(f"    {_slowest(outcome['latencies'], outcome['answered_at'])}")
        return measured

    def _split(self, web: infra.Server, offset: int) -> list[int]:
        """Requests per gunicorn worker since `offset` of the access log, busiest first."""
        with self.access_log.open("rb") as log:
            log.seek(offset)
            pids = Counter(re.findall(rb" pid=<?(\d+)>?$", log.read(), flags=re.M))
        return sorted(pids.values(), reverse=True)


def _slowest(latencies: list[float], answered_at: list[float]) -> str:
    """When the slowest 0.1 % of the answers (at least two) came: close together means one stall (a pause of
    the server or of the machine) behind the tail, spread out means the tail is the usual spread."""
    count = max(2, len(latencies) // 1000)
    slowest = sorted(zip(latencies, answered_at), reverse=True)[:count]
    in_order = sorted(slowest, key=lambda pair: pair[1])
    listed = ", ".join(f"{latency:.0f} ms di detik {moment:.1f}" for latency, moment in in_order)
    return f"{count} jawaban paling lambat dalam rentang {in_order[-1][1] - in_order[0][1]:.1f} d: {listed}"


def _worker_without_media(env: dict[str, str]) -> list[str]:
    """The Procfile's RQ worker, taking every queue but `media`: a photo's download job is enqueued and
    waits, as the measurement is of the webhook, not of downloading (the worker's other jobs run)."""
    command = infra.procfile_command("worker", env)
    if command[-1] != "media":
        raise RuntimeError(f"the Procfile's worker line no longer ends with its media queue: {command}")
    return command[:-1]


def _until_worker_registered() -> None:
    """The RQ worker builds the app before it registers in Redis: wait for that, so its start-up is not
    measured as the app's cost."""
    connection = redis.Redis.from_url(infra.REDIS_URL)
    deadline = time.monotonic() + 120
    while not Worker.all(connection=connection):
        if time.monotonic() > deadline:
            raise RuntimeError("the RQ worker did not register within 120 s")
        time.sleep(0.2)


def _groups(web: infra.Server, worker: infra.Server | None):  # type: ignore[no-untyped-def]
    def pids() -> dict[str, set[int]]:
        return {"web": {p.pid for p in web.tree()}, "worker": {p.pid for p in worker.tree()} if worker else set()}
    return pids


def _quiet_database(database: str) -> None:
    """VACUUM ANALYZE, then no autovacuum until the measurement is over."""
    message_fill.vacuum_analyze(database)
    message_fill.set_autovacuum(database, enabled=False)


def _wrk(base: str, threads: int, seconds: int) -> dict:
    """One wrk run over the thread files: totals, errors and how many lines each thread sent."""
    result = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{threads}", f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA_SCRIPT), base],
        env=os.environ | {"BENCH_REQUESTS": str(WORK / "webhook-requests")}, capture_output=True, text=True,
        check=True,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("BENCH")]
    totals = dict(re.findall(r"(\w+)=(\d+)", next(line for line in lines if "total=" in line)))
    threads_seen = sorted((int(t), int(p), r == "true") for t, p, r in
                          re.findall(r"thread=(\d+) position=(\d+) ran_out=(\w+)", "\n".join(lines)))
    # Answers other than 2xx, and sockets that failed: counted, shown in the table, the run goes on.
    failures = sum(int(v) for k, v in totals.items() if k.startswith("errors_"))
    return {"total": int(totals["total"]), "duration_us": int(totals["duration_us"]), "failures": failures,
            "positions": [p for _, p, _ in threads_seen], "ran_out": any(r for _, _, r in threads_seen)}


def _prepare_database(database: str, settings: WebhookSettings, say: Say) -> list[Citizen]:
    """Schema, generated tickets, the floor's table; the citizens: applicants of tickets that wait for
    nothing from them (so every message reaches the conversation), each with that ticket's number."""
    from layanan.clock import utcnow
    from layanan.db import make_engine
    from layanan.migrate import upgrade
    from routing import definitions
    from tickets.generate import generate_tickets

    tickets = settings.citizens * 3
    say(f"  basis data {DATABASE}: skema, {tickets:,} tiket, tabel lantai ...")
    upgrade(database)
    now = utcnow()
    engine = make_engine(database)
    generate_tickets(engine, tickets, start=now - timedelta(days=60), end=now, seed=3)
    engine.dispose()
    waiting = [(d.key, d.waiting_stage.key) for d in definitions() if d.waiting_stage is not None]
    with psycopg.connect(database) as conn:
        create_floor_table(conn)
        rows = conn.execute(
            "SELECT DISTINCT ON (a.phone) a.phone, t.number FROM ticket t JOIN applicant a ON a.id = t.applicant_id"
            " WHERE t.service <> 'pengaduan' AND NOT EXISTS (SELECT 1 FROM unnest(%s::text[], %s::text[]) AS"
            " w(workflow, stage) WHERE w.workflow = t.workflow AND w.stage = t.stage) ORDER BY a.phone, t.id",
            ([w for w, _ in waiting], [s for _, s in waiting])).fetchall()
    if len(rows) < settings.citizens:
        raise RuntimeError(f"hanya {len(rows)} pemohon yang cocok untuk {settings.citizens} warga")
    return [Citizen(phone=phone, ticket_number=number) for phone, number in rows[:settings.citizens]]


def _seed_conversations(database: str, traffic: Traffic) -> None:
    """Store, for each citizen, the conversation state the bot makes of the messages before its starting
    point (the pure conversation function, with the FAQ the migration seeds), and, for those who had
    written before, the privacy notice as the bot handled it: shown on their first message, accepted by
    their second. A citizen starting at the greeting is new to the office and meets the notice in the run."""
    from bench.bench_conversation import knowledge
    from bot.catalogue import PRIVACY_NOTICE_VERSION
    from bot.conversation import Incoming, MediaItem, State, handle
    from layanan.clock import utcnow

    faq = knowledge()[0]
    rows, consents = [], []
    for index, (citizen, messages) in enumerate(zip(traffic.citizens, traffic.preceding)):
        state, now = State(), utcnow() - timedelta(minutes=len(messages) + 1)
        for turn, (body, media) in enumerate(messages):
            now += timedelta(minutes=1)
            incoming = Incoming(body=body, media=(MediaItem("image/jpeg"),) if media else (), now=now,
                                key=f"SMseed{index:04d}{turn:02d}")
            state = handle(state, incoming, knowledge=faq).state
        if messages:
            rows.append((citizen.phone, state.name, json.dumps(state.data), state.misses, state.needs_human,
                         state.updated_at))
            shown = now - timedelta(minutes=len(messages) - 1)
            consents.append((citizen.phone, PRIVACY_NOTICE_VERSION, shown,
                             shown + timedelta(minutes=1) if len(messages) > 1 else None))
    with psycopg.connect(database) as conn, conn.cursor() as cursor:
        cursor.executemany("INSERT INTO conversation (phone, state, data, misses, needs_human, updated_at)"
                           " VALUES (%s, %s, %s, %s, %s, %s)", rows)
        cursor.executemany("INSERT INTO privacy_consent (phone, notice_version, shown_at, accepted_at)"
                           " VALUES (%s, %s, %s, %s)", consents)


def _count(database: str, query: str) -> int:
    with psycopg.connect(database) as conn:
        row = conn.execute(query).fetchone()  # type: ignore[arg-type]
        return int(row[0]) if row else 0


def _check(database: str, traffic: Traffic, tickets_before: int) -> str:
    """What the app stored of the conversations: tickets created, messages, files and their jobs."""
    tickets = _count(database, "SELECT count(*) FROM ticket") - tickets_before
    inbound = _count(database, "SELECT count(*) FROM message WHERE direction = 'inbound' AND reply IS NOT NULL")
    files = _count(database, "SELECT count(*) FROM attachment")
    jobs = _count(database, "SELECT count(*) FROM attachment WHERE job_id IS NOT NULL")
    return (f"{traffic.sent:,} kiriman (10 % kiriman ulang), {inbound:,} pesan masuk tersimpan dan dijawab, "
            f"{tickets:,} tiket dibuat lewat percakapan, {files:,} foto dicatat ({jobs:,} dengan job unduhan)")


def _rows(settings: WebhookSettings, m: dict[str, Measured], scaled: str, check: str) -> list[Row]:
    floor, floor_scaled = m["floor"].rps, m["floor_scaled"].rps
    rows = [Row(BENCH, f"{APPS[name][1]} (req/s)", f"{m[name].rps:,.0f}", note=f"{m[name].rps / floor:.2f} × lantai; "
                f"{m[name].note()}") for name in ("bare", "signed", "floor", "app")]
    ratio = m["app"].rps / floor
    rows.append(Row(BENCH, "rasio aplikasi / lantai", f"{ratio:.2f}", f">= {TARGET_RATIO}",
                    ratio >= TARGET_RATIO and not m["app"].failures, check))
    rows.append(_latency_row(settings, m["latency"], "tabel kosong"))
    rows.append(Row(BENCH, f"lantai, {scaled} tersimpan (req/s)", f"{floor_scaled:,.0f}",
                    note=f"{floor_scaled / floor:.2f} × lantai kosong; {m['floor_scaled'].note()}"))
    rows.append(Row(BENCH, f"aplikasi, {scaled} tersimpan (req/s)", f"{m['app_scaled'].rps:,.0f}",
                    note=f"{m['app_scaled'].rps / m['app'].rps:.2f} × aplikasi kosong; {m['app_scaled'].note()}"))
    ratio_scaled = m["app_scaled"].rps / floor_scaled
    rows.append(Row(BENCH, f"rasio aplikasi / lantai, {scaled}", f"{ratio_scaled:.2f}", f">= {TARGET_RATIO}",
                    ratio_scaled >= TARGET_RATIO and not m["app_scaled"].failures))
    rows.append(_latency_row(settings, m["latency_scaled"], scaled))
    for group, label in (("web", "web (gunicorn, master + worker)"), ("worker", "worker RQ")):
        peak = max(m[k].noise.peak_rss.get(group, 0) for k in ("app", "latency", "app_scaled", "latency_scaled"))
        rows.append(Row("Memori puncak", f"{label}, aplikasi di bawah beban", f"{peak / 2**20:,.0f} MiB"))
    return rows


def _latency_row(settings: WebhookSettings, measured: Measured, label: str) -> Row:
    lat = measured.latencies
    p50, p99, p999 = percentile(lat, 50), percentile(lat, 99), percentile(lat, 99.9)
    met = p99 < TARGET_P99_MS and p999 < TARGET_P999_MS and not measured.failures
    answered = f"{len(lat):,} dijawab"
    return Row(BENCH, f"latensi open loop {settings.rate} req/s, {label}",
               f"p50 {p50:.1f} · p99 {p99:.1f} · p99,9 {p999:.1f} ms",
               f"p99 < {TARGET_P99_MS:.0f}, p99,9 < {TARGET_P999_MS:.0f} ms", met, f"{answered}; {measured.note()}")


def _need_wrk() -> None:
    """wrk is a Debian package: install it with apt-get when it is missing."""
    if shutil.which("wrk"):
        return
    prefix = [] if os.geteuid() == 0 else ["sudo"]
    if subprocess.run([*prefix, "apt-get", "install", "-y", "-q", "wrk"], capture_output=True).returncode != 0:
        subprocess.run([*prefix, "apt-get", "update", "-q"], capture_output=True)
        subprocess.run([*prefix, "apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True)
