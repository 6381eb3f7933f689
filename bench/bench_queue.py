"""Queue-page benchmark: the busiest role's queue and the search, over real HTTP, with a million tickets.

The real app runs under gunicorn (the Procfile's web line) on a PostgreSQL database of its own. A
logged-in staff session asks, one request after the other, for the first page of the queue of the role
with the most tickets waiting, and searches by ticket number, NIK and phone number as the call center
does (its queue spans every stage, the widest scope there is). Figures: p50 and p95 of each, in ms.
"""

from __future__ import annotations

import random
import re
import statistics
import time
from dataclasses import dataclass

import requests
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench import infra
from bench.report import Row, Say, percentile
from bench.ticket_fill import fill, ticket_count

TARGET_P95_MS = 50.0
DEMO_PASSWORD = "demo-tanggamus-2026"
SEARCH_ROLE = "call_center_agent"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class QueueSettings:
    tickets: int
    seed_tickets: int
    requests: int
    warmup: int = 5
    fresh: bool = False


FULL = QueueSettings(tickets=1_000_000, seed_tickets=10_000, requests=100)
QUICK = QueueSettings(tickets=50_000, seed_tickets=5_000, requests=50)


def prepare(settings: QueueSettings, say: Say) -> str:
    """The URL of a database holding the benchmark's tickets and the demo accounts, built once and kept."""
    name = f"layanan_bench_queue_{settings.tickets}"
    url = infra.database_url(name)
    if not settings.fresh and infra.database_exists(name):
        engine = _engine(url)
        if ticket_count(engine) == settings.tickets and _has_demo_staff(engine):
            say(f"  basis data {name} sudah berisi {settings.tickets:,} tiket: dipakai lagi (--fresh membangun ulang)")
            return url
    say(f"  membangun basis data {name} ...")
    infra.recreate_database(name)
    from layanan.migrate import upgrade
    from tickets.accounts import load_demo_staff

    upgrade(url)
    engine = _engine(url)
    with Session(engine) as session:
        load_demo_staff(session, DEMO_PASSWORD)
        session.commit()
    fill(engine, settings.tickets, seed_count=settings.seed_tickets, say=say)
    return url


def busiest_role(url: str) -> tuple[str, int]:
    """The SOP role whose queue lists the most tickets, and how many."""
    from routing import workflow_for
    from tickets.access import UPT_ROLE

    definition = workflow_for("whatsapp", "kk")
    engine = _engine(url)
    with engine.connect() as conn:
        per_stage = dict(conn.execute(text("SELECT stage, count(*) FROM ticket GROUP BY stage")).all())
        waiting = definition.waiting_stage
        resuming = dict(conn.execute(
            text("SELECT return_stage, count(*) FROM ticket WHERE stage = :w GROUP BY return_stage"),
            {"w": waiting.key if waiting else ""},
        ).all())
    best = ("", -1)
    for role in definition.roles:
        own = [s.key for s in definition.stages_for_role(role.key)]
        if not own or role.key == UPT_ROLE:  # UPT sees one kecamatan only
            continue
        listed = sum(per_stage.get(k, 0) + resuming.get(k, 0) for k in own)
        if listed > best[1]:
            best = (role.key, listed)
    return best


def run(settings: QueueSettings, say: Say) -> list[Row]:
    """Build or reuse the database, start the app, measure; the table rows."""
    url = prepare(settings, say)
    role, listed = busiest_role(url)
    say(f"  peran tersibuk: {role} ({listed:,} tiket di antreannya)")
    samples = _search_samples(url, settings.requests)
    port = infra.free_port()
    env = infra.app_env(url, PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
                        INSTANCE_PATH=str(infra.ROOT / "bench" / "instance"))
    command = infra.gunicorn_command("layanan:create_app()", port)
    rows: list[Row] = []
    with infra.running(command, env, f"http://127.0.0.1:{port}", "/healthz") as server:
        queue_client = _logged_in(server.url, role)
        search_client = _logged_in(server.url, SEARCH_ROLE)
        rows.append(_measure(f"antrean {role} ({listed:,} tiket), halaman 1", queue_client, server.url,
                             [{"peran": role}] * settings.requests, settings.warmup))
        for kind, values in samples.items():
            rows.append(_measure(f"cari {kind} ({SEARCH_ROLE}, semua tahap)", search_client, server.url,
                                 [{"q": v} for v in values], settings.warmup))
    for row in rows:
        row.note = f"{settings.tickets:,} tiket di PostgreSQL"
    return rows


def _measure(label: str, client: requests.Session, base: str, queries: list[dict[str, str]], warmup: int) -> Row:
    """Ask for /antrian with each query in turn; p50 and p95 of the answers after a warm-up."""
    for query in queries[:warmup]:
        client.get(f"{base}/antrian", params=query, timeout=30)
    times: list[float] = []
    for query in queries:
        started = time.perf_counter()
        response = client.get(f"{base}/antrian", params=query, timeout=30)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200 or "/masuk" in response.url:
            raise RuntimeError(f"{label}: {response.status_code} {response.url}")
        if "q" in query and "Tidak ada tiket yang cocok" in response.text:
            raise RuntimeError(f"{label}: {query['q']} found nothing")
    p95 = percentile(times, 95)
    return Row(
        benchmark="Halaman antrean", measure=label,
        value=f"p50 {statistics.median(times):.1f} ms · p95 {p95:.1f} ms",
        target=f"p95 < {TARGET_P95_MS:.0f} ms", met=p95 < TARGET_P95_MS,
    )


def _logged_in(base: str, username: str) -> requests.Session:
    """A requests session logged in through the real login form (CSRF token included)."""
    client = requests.Session()
    form = client.get(f"{base}/masuk", timeout=30)
    token = _CSRF.search(form.text)
    if token is None:
        raise RuntimeError("login form without CSRF token")
    answer = client.post(f"{base}/masuk", data={"csrf_token": token.group(1), "username": username,
                                                "password": DEMO_PASSWORD}, timeout=30)
    if answer.status_code != 200 or answer.url.rstrip("/").endswith("/masuk"):
        raise RuntimeError(f"login as {username} failed ({answer.status_code})")
    return client


def _search_samples(url: str, count: int) -> dict[str, list[str]]:
    """Ticket numbers, NIKs and phone numbers of random existing tickets, as staff would type them."""
    rng = random.Random(11)
    engine = _engine(url)
    with engine.connect() as conn:
        top = int(conn.execute(text("SELECT max(id) FROM ticket")).scalar() or 0)
        ids = [rng.randint(1, top) for _ in range(count * 2)]
        rows = conn.execute(text(
            "SELECT t.number, a.nik, a.phone FROM ticket t JOIN applicant a ON a.id = t.applicant_id "
            "WHERE t.id = ANY(:ids)"), {"ids": ids}).all()
    rng.shuffle(rows)
    niks = [r.nik for r in rows if r.nik][:count]
    return {
        "nomor tiket": [r.number for r in rows][:count],
        "NIK": niks,
        # Staff type the local form most of the time: 0812-3456-7890.
        "nomor HP": ["0" + r.phone[3:] for r in rows][:count],
    }


def _has_demo_staff(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.execute(text("SELECT count(*) FROM staffuser WHERE username = :u"), {"u": SEARCH_ROLE}).scalar())


def _engine(url: str) -> Engine:
    from layanan.db import make_engine

    return make_engine(url)
