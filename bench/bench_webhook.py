"""Webhook benchmark: signed inbound WhatsApp posts through the whole path, against a bare Flask endpoint.

Both apps run under gunicorn with the Procfile's web settings; the real one on a fresh PostgreSQL
database of its own and the Redis server, with the Procfile's RQ worker beside it. Every request is a
form Twilio would send: a unique MessageSid, one of many numbers, a realistic mix of greetings, menu
choices and status checks of existing tickets, signed up front with twilio's RequestValidator.

Throughput is measured with wrk (C, so the load generator does not take the CPU the servers need on a
2-core machine): as many requests as the server answers, from 16 connections. Latency is measured
open-loop at a fixed 100 requests/s with asyncio + aiohttp, each request timed from the moment it was
due to be sent, so a slow answer cannot hide the ones queued behind it.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import redis
from twilio.request_validator import RequestValidator

from bench import infra
from bench.report import Row, Say, percentile
from tickets.generate import MOBILE_PREFIXES

TARGET_RATIO = 0.6
TARGET_P99_MS = 50.0
DATABASE = "layanan_bench_webhook"
LUA_SCRIPT = Path(__file__).resolve().parent / "webhook.lua"
AUTH_TOKEN = "bench" + "0" * 27  # the token both the app and the signer use in this run
# Inbound numbers: Indonesian mobiles, as Twilio writes them.
PHONES = 800


@dataclass(frozen=True)
class WebhookSettings:
    throughput_seconds: int
    latency_seconds: int
    rate: int = 100
    connections: int = 16
    tickets: int = 2000


FULL = WebhookSettings(throughput_seconds=30, latency_seconds=60)
QUICK = WebhookSettings(throughput_seconds=8, latency_seconds=15, tickets=500)


# What a citizen writes, message after message: a greeting, the menu, status checks by ticket number.
SCRIPT = ("Selamat pagi", "2", "{number}", "menu", "status {number}", "cek status", "{lower}", "terima kasih",
          "0", "halo min")


def message_body(index: int, ticket_numbers: list[str]) -> str:
    """The text of the index-th message: each number walks the script in order, asking about varied tickets."""
    number = ticket_numbers[index % len(ticket_numbers)]
    return SCRIPT[(index // PHONES) % len(SCRIPT)].format(number=number, lower=number.lower())


def signed_forms(base_url: str, count: int, ticket_numbers: list[str]) -> list[tuple[str, dict[str, str]]]:
    """`count` (signature, form) pairs; numbers take turns, so each number's messages arrive in order."""
    validator = RequestValidator(AUTH_TOKEN)
    url = f"{base_url}/webhooks/whatsapp"
    phones = [f"+62{MOBILE_PREFIXES[i % len(MOBILE_PREFIXES)]}{(i * 7919) % 10**8:08d}" for i in range(PHONES)]
    batch = secrets.token_hex(6)
    forms = []
    for i in range(count):
        phone = phones[i % PHONES]
        sid = f"SM{batch}{i:020d}"
        form = {
            "MessageSid": sid, "SmsMessageSid": sid, "AccountSid": "AC" + "1" * 32,
            "From": f"whatsapp:{phone}", "To": "whatsapp:+6272200000000",
            "Body": message_body(i, ticket_numbers), "NumMedia": "0",
            "ProfileName": "Warga", "WaId": phone.lstrip("+"),
        }
        forms.append((validator.compute_signature(url, form), form))
    return forms


def run(settings: WebhookSettings, say: Say) -> list[Row]:
    """Measure the bare endpoint and the real webhook; the table rows."""
    _need_wrk()
    redis.Redis.from_url(infra.REDIS_URL).flushdb()
    database = infra.recreate_database(DATABASE)
    numbers = _prepare_database(database, settings.tickets, say)
    port = infra.free_port()
    base = f"http://127.0.0.1:{port}"
    # Enough unique messages that no run wraps around even at the bare endpoint's rate.
    budget = max(settings.throughput_seconds * 4000, settings.latency_seconds * settings.rate * 2)
    say(f"  menandatangani {budget:,} pesan masuk ...")
    forms = signed_forms(base, budget, numbers)

    env = infra.app_env(database, PUBLIC_BASE_URL=base, TWILIO_AUTH_TOKEN=AUTH_TOKEN,
                        INSTANCE_PATH=str(infra.ROOT / "bench" / "instance"))
    say("  aplikasi kosong (bare Flask) ...")
    with infra.running(infra.gunicorn_command("bench.bare_app:create_app()", port), env, base, "/healthz") as bare:
        bare_rps = _throughput(base, forms, settings, say)
    say("  aplikasi sungguhan ...")
    with infra.running(infra.gunicorn_command("layanan:create_app()", port), env, base, "/healthz") as web, \
            infra.running(infra.procfile_command("worker", env), env, base, "/healthz") as worker:
        app_rps = _throughput(base, forms, settings, say)
        # Fresh messages for the latency runs: the throughput run used the first part of the list.
        offset = int(app_rps * settings.throughput_seconds * 1.2) + 1000
        # At half the measured capacity first: the latency of one message when the server keeps up.
        light_rate = max(1, int(app_rps / 2))
        light_count = light_rate * settings.latency_seconds // 2
        light, light_failures = asyncio.run(_open_loop(base, forms[offset:offset + light_count], light_rate))
        offset += light_count
        with _PeakRss(web) as web_peak, _PeakRss(worker) as worker_peak:
            latencies, failures = asyncio.run(
                _open_loop(base, forms[offset:offset + settings.rate * settings.latency_seconds], settings.rate))
    ratio = app_rps / bare_rps if bare_rps else 0.0
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    note = _answered(len(latencies), failures)
    return [
        Row("Webhook WhatsApp", "bare Flask, gunicorn (req/s)", f"{bare_rps:,.0f}"),
        Row("Webhook WhatsApp", "aplikasi, PostgreSQL + Redis (req/s)", f"{app_rps:,.0f}"),
        Row("Webhook WhatsApp", "rasio aplikasi / bare", f"{ratio:.2f}", f">= {TARGET_RATIO}",
            ratio >= TARGET_RATIO),
        Row("Webhook WhatsApp", f"latensi pada {light_rate} req/s (separuh kapasitas terukur)",
            f"p50 {percentile(light, 50):.1f} ms · p99 {percentile(light, 99):.1f} ms",
            note=_answered(len(light), light_failures)),
        Row("Webhook WhatsApp", f"latensi pada {settings.rate} req/s (open loop)",
            f"p50 {p50:.1f} ms · p99 {p99:.1f} ms", f"p99 < {TARGET_P99_MS:.0f} ms",
            p99 < TARGET_P99_MS and not failures, note),
        Row("Memori puncak", f"web (gunicorn, master + worker) pada {settings.rate} req/s",
            f"{web_peak.peak / 2**20:,.0f} MiB"),
        Row("Memori puncak", "worker RQ", f"{worker_peak.peak / 2**20:,.0f} MiB"),
    ]


def _answered(answered: int, failures: int) -> str:
    return f"{answered:,} dijawab" + (f", {failures:,} gagal atau lewat 30 d" if failures else "")


def _prepare_database(database: str, tickets: int, say: Say) -> list[str]:
    """Schema plus some generated tickets for the status checks; their numbers."""
    from datetime import timedelta

    from sqlalchemy import text

    from layanan.db import make_engine
    from layanan.migrate import upgrade
    from tickets.generate import generate_tickets
    from layanan.clock import utcnow

    say(f"  basis data {DATABASE}: skema dan {tickets:,} tiket untuk cek status ...")
    upgrade(database)
    engine = make_engine(database)
    now = utcnow()
    generate_tickets(engine, tickets, start=now - timedelta(days=60), end=now, seed=3)
    with engine.connect() as conn:
        numbers = [n for (n,) in conn.execute(text("SELECT number FROM ticket ORDER BY id"))]
    engine.dispose()
    return numbers


def _throughput(base: str, forms: list[tuple[str, dict[str, str]]], settings: WebhookSettings, say: Say) -> float:
    """Requests per second wrk gets answered with 2xx, closed loop."""
    requests_file = infra.ROOT / "bench" / "instance" / "webhook-requests.tsv"
    requests_file.parent.mkdir(parents=True, exist_ok=True)
    with requests_file.open("w") as out:
        for signature, form in forms:
            out.write(f"{signature}\t{urlencode(form)}\n")
    threads = 2
    result = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{settings.connections}", f"-d{settings.throughput_seconds}s", "--timeout", "10s",
         "-s", str(LUA_SCRIPT), base],
        env=os.environ | {"BENCH_REQUESTS": str(requests_file), "BENCH_THREADS": str(threads)},
        capture_output=True, text=True, check=True,
    )
    figures = dict(re.findall(r"(\w+)=(\d+)", " ".join(l for l in result.stdout.splitlines() if l.startswith("BENCH"))))
    total, bad = int(figures["total"]), sum(int(figures[k]) for k in figures if k.startswith("errors_"))
    if int(figures["wrapped_threads"]):
        raise RuntimeError("wrk ran out of unique messages: raise the budget in bench_webhook.run")
    if bad:
        raise RuntimeError(f"{bad} of {total} webhook requests failed:\n{result.stdout}")
    rps = total / (int(figures["duration_us"]) / 1e6)
    say(f"    {total:,} permintaan dalam {int(figures['duration_us']) / 1e6:.1f} d: {rps:,.0f} req/s")
    return rps


async def _open_loop(base: str, forms: list[tuple[str, dict[str, str]]], rate: int) -> tuple[list[float], int]:
    """Send one request every 1/rate seconds whatever the answers do; latency from the moment each was due."""
    url = f"{base}/webhooks/whatsapp"
    latencies: list[float] = []
    failures = 0
    loop = asyncio.get_running_loop()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as client:

        async def one(due: float, signature: str, form: dict[str, str]) -> None:
            nonlocal failures
            try:
                async with client.post(url, data=form, headers={"X-Twilio-Signature": signature}) as response:
                    body = await response.read()
                    if response.status != 200 or b"<Message>" not in body:
                        failures += 1
                        return
            except (aiohttp.ClientError, asyncio.TimeoutError):
                failures += 1
                return
            latencies.append((loop.time() - due) * 1000)

        start = loop.time() + 0.5
        tasks = []
        for i, (signature, form) in enumerate(forms):
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - loop.time()))
            tasks.append(asyncio.create_task(one(due, signature, form)))
        await asyncio.gather(*tasks)
    return latencies, failures


class _PeakRss:
    """Samples a server's resident memory (master and workers summed) every 100 ms; keeps the peak."""

    def __init__(self, server: infra.Server) -> None:
        self.server, self.peak = server, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> _PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.server.rss())
            self._stop.wait(0.1)


def _need_wrk() -> None:
    """wrk is a Debian package: install it with apt-get when it is missing."""
    if shutil.which("wrk"):
        return
    prefix = [] if os.geteuid() == 0 else ["sudo"]
    if subprocess.run([*prefix, "apt-get", "install", "-y", "-q", "wrk"], capture_output=True).returncode != 0:
        subprocess.run([*prefix, "apt-get", "update", "-q"], capture_output=True)
        subprocess.run([*prefix, "apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True)
