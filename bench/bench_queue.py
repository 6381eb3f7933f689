"""Queue-page benchmark: several staff sessions and the call center at once, over real HTTP, a million tickets.

The real app runs under gunicorn (the Procfile's web line) on a PostgreSQL database of its own, filled by
bench.ticket_fill (tickets of every SOP over two years, with their stage history, a tenth of them open).
Eight staff sessions over four roles (the three busiest queues and a UPT of one kecamatan) and two
call-center sessions log in through the form and work without pausing (bench.staff_sessions); figures
are p50/p95/p99 per page kind and the requests per second the server answered.
"""

from __future__ import annotations

import os
import time
import random
from dataclasses import dataclass

import psutil
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench import infra, staff_sessions
from bench.report import Row, Say, percentile
from bench.ticket_fill import FillSummary, fill, ticket_count

DEMO_PASSWORD = "demo-tanggamus-2026"
SEARCH_ROLE = "call_center_agent"
BENCHMARK = "Halaman antrean"
SEARCHES = set(staff_sessions.SEARCH_KINDS)
ALONE_SAMPLES = 20
SIGNER_SAMPLES = 3


@dataclass(frozen=True)
class QueueSettings:
    tickets: int
    seed_tickets: int
    seconds: float  # measured, after one warm-up round per session
    busiest_roles: int = 3
    sessions_per_role: int = 2
    search_sessions: int = 2
    fresh: bool = False


FULL = QueueSettings(tickets=1_000_000, seed_tickets=10_000, seconds=60)
QUICK = QueueSettings(tickets=50_000, seed_tickets=5_000, seconds=15)


def prepare(settings: QueueSettings, say: Say) -> tuple[str, FillSummary | None]:
    """The URL of a database holding the benchmark's tickets and the demo accounts, built once and kept;
    what the fill wrote when this call built it."""
    name = f"layanan_bench_queue_{settings.tickets}"
    url = infra.database_url(name)
    if not settings.fresh and infra.database_exists(name):
        engine = _engine(url)
        if ticket_count(engine) == settings.tickets and _has_demo_staff(engine) and _copies_have_history(engine):
            say(f"  basis data {name} sudah berisi {settings.tickets:,} tiket: dipakai lagi (--fresh membangun ulang)")
            return url, None
    say(f"  membangun basis data {name} ...")
    infra.recreate_database(name)
    from layanan.migrate import upgrade
    from tickets.accounts import load_demo_staff

    upgrade(url)
    engine = _engine(url)
    with Session(engine) as session:
        load_demo_staff(session, DEMO_PASSWORD)
        session.commit()
    return url, fill(engine, settings.tickets, seed_count=settings.seed_tickets, say=say)


def queue_sizes(url: str) -> dict[str, int]:
    """How many tickets each role's queue lists, as tickets.access.queue_scope draws it (the UPT's for
    the demo account's kecamatan), busiest first; roles without stages of their own are left out."""
    from routing import all_roles, definitions, roles_with_duty
    from routing.definition import RoleDuty
    from tickets.accounts import DEMO_UPT_KECAMATAN

    bound = set(roles_with_duty(RoleDuty.KECAMATAN_BOUND))
    with _engine(url).connect() as conn:
        rows = conn.execute(text("SELECT stage, return_stage, kecamatan_code, count(*) FROM ticket "
                                 "GROUP BY stage, return_stage, kecamatan_code")).all()
    waiting = {d.waiting_stage.key for d in definitions() if d.waiting_stage}
    sizes: dict[str, int] = {}
    for role in all_roles():
        own = {s.key for d in definitions() for s in d.stages_for_role(role)}
        if not own:
            continue
        sizes[role] = sum(n for stage, back, kecamatan, n in rows
                          if (stage in own or (stage in waiting and back in own))
                          and (role not in bound or kecamatan == DEMO_UPT_KECAMATAN))
    return dict(sorted(sizes.items(), key=lambda item: -item[1]))


def chosen_roles(sizes: dict[str, int], settings: QueueSettings) -> list[str]:
    """The busiest queues of roles that see every kecamatan, and the UPT (one kecamatan). The signer is
    measured apart (signer_role): every page of his counts the documents waiting for his signature, one
    query per document, seconds per page at this size, which would swamp the queue's own figures."""
    from routing import roles_with_duty
    from routing.definition import RoleDuty

    narrowed = set(roles_with_duty(RoleDuty.KECAMATAN_BOUND)) | set(roles_with_duty(RoleDuty.SUBMIT_FOR_CITIZEN))
    narrowed |= set(roles_with_duty(RoleDuty.SIGN))
    busiest = [role for role in sizes if role not in narrowed][:settings.busiest_roles]
    upt = [role for role in sizes if role in roles_with_duty(RoleDuty.KECAMATAN_BOUND)][:1]
    return busiest + upt


def run(settings: QueueSettings, say: Say) -> list[Row]:
    """Build or reuse the database, start the app, drive the sessions; the table rows."""
    url, built = prepare(settings, say)
    sizes = queue_sizes(url)
    roles = chosen_roles(sizes, settings)
    say("  antrean per peran: " + ", ".join(f"{role} {n:,}" for role, n in sizes.items()))
    say(f"  sesi: {settings.sessions_per_role} × {', '.join(roles)}; {settings.search_sessions} × {SEARCH_ROLE}")
    samples = _search_samples(url, 200)
    port = infra.free_port()
    env = infra.app_env(url, PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
                        INSTANCE_PATH=str(infra.ROOT / "bench" / "instance"))
    command = infra.gunicorn_command("layanan.wsgi:app", port)
    with infra.running(command, env, f"http://127.0.0.1:{port}", "/healthz") as server:
        at_start: dict[str, float] = {}

        def mark() -> None:
            at_start.update(server=_tree_cpu(server), client=_own_cpu(), load=os.getloadavg()[0])

        recorder = staff_sessions.drive(server.url, DEMO_PASSWORD,
                                        [r for r in roles for _ in range(settings.sessions_per_role)],
                                        [SEARCH_ROLE] * settings.search_sessions, samples, settings.seconds,
                                        on_start=mark)
        server_used = _tree_cpu(server) - at_start["server"]
        client_used = _own_cpu() - at_start["client"]
        load_before = at_start["load"]
        alone = _alone(server, roles[0], samples)
        signer = _signer_first_page(server, sizes)
    total = sum(len(times) for times in recorder.times.values())
    note = (f"{settings.tickets:,} tiket; {len(roles) * settings.sessions_per_role} sesi staf + "
            f"{settings.search_sessions} call center tanpa jeda, {settings.seconds:.0f} d")
    rows = [Row(BENCHMARK, f"throughput ({note})", f"{total / settings.seconds:,.1f} req/s",
                note=f"CPU gunicorn {server_used / total * 1000:.1f} ms/req, pembangkit beban "
                     f"{client_used / total * 1000:.1f} ms/req; load average {load_before:.1f} → "
                     f"{os.getloadavg()[0]:.1f}")]
    if recorder.failures:
        rows.append(Row(BENCHMARK, "permintaan gagal atau lewat batas waktu", f"{len(recorder.failures):,}",
                        "0", False, "; ".join(recorder.failures[:2])))
    if built is not None:
        rows.append(Row(BENCHMARK, f"membangun data ({built.tickets:,} tiket, {built.stage_events:,} riwayat tahap)",
                        f"{built.seconds_total:,.0f} d",
                        note=f"benih tickets.generate {built.seed_tickets:,} tiket dalam {built.seconds_seed:,.0f} d, "
                             f"sisanya disalin di PostgreSQL; {built.open_tickets:,} tiket terbuka"))
    for kind, times in staff_sessions.kinds_seen(recorder):
        rows.append(Row(BENCHMARK, kind, f"p50 {percentile(times, 50):.0f} · p95 {percentile(times, 95):.0f} · "
                                         f"p99 {percentile(times, 99):.0f} ms",
                        note=f"{len(times):,} permintaan; sendirian ({roles[0] if kind not in SEARCHES else SEARCH_ROLE}): "
                             f"p50 {alone[kind].median_ms:.0f} ms, CPU gunicorn {alone[kind].cpu_ms:.0f} ms"
                        if kind in alone else f"{len(times):,} permintaan"))
    if signer is not None:
        role, alone_signer, listed = signer
        rows.append(Row(BENCHMARK, f"antrean halaman 1, {role} (penanda tangan), sendirian",
                        f"p50 {alone_signer.median_ms:,.0f} ms", note=f"CPU gunicorn {alone_signer.cpu_ms:,.0f} ms; "
                        f"{listed:,} tiket di antreannya; menu menghitung dokumen yang menunggu TTE dengan satu "
                        f"kueri per dokumen"))
    return rows


def _signer_first_page(server: infra.Server, sizes: dict[str, int]) -> tuple[str, Alone, int] | None:
    """The signer's queue page 1, a few times one after the other, and how many tickets his queue holds."""
    from routing import roles_with_duty
    from routing.definition import RoleDuty

    signers = roles_with_duty(RoleDuty.SIGN)
    if not signers:
        return None
    role = signers[0]
    client = staff_sessions.logged_in(server.url, role, DEMO_PASSWORD)
    before, walls = _tree_cpu(server), []
    for _ in range(SIGNER_SAMPLES):
        started = time.perf_counter()
        client.get(f"{server.url}/antrian", params={"peran": role}, timeout=staff_sessions.REQUEST_TIMEOUT)
        walls.append((time.perf_counter() - started) * 1000)
    cpu = (_tree_cpu(server) - before) / SIGNER_SAMPLES * 1000
    return role, Alone(percentile(walls, 50), cpu), sizes.get(role, 0)


@dataclass(frozen=True)
class Alone:
    """One page kind asked one request at a time: median wall time and the server CPU per request, in ms."""

    median_ms: float
    cpu_ms: float


def _alone(server: infra.Server, role: str, samples: dict[str, list[str]]) -> dict[str, Alone]:
    """Each page kind one request at a time, after the concurrent run: its own cost without queueing (the
    CPU figure also holds on a busy machine, where latencies do not)."""
    client = staff_sessions.logged_in(server.url, role, DEMO_PASSWORD)
    searcher = staff_sessions.logged_in(server.url, SEARCH_ROLE, DEMO_PASSWORD)
    found: dict[str, Alone] = {}
    for kind, call in staff_sessions.one_of_each(client, server.url, role, samples, searcher):
        call()
        before, walls = _tree_cpu(server), []
        for _ in range(ALONE_SAMPLES):
            started = time.perf_counter()
            call()
            walls.append((time.perf_counter() - started) * 1000)
        found[kind] = Alone(percentile(walls, 50), (_tree_cpu(server) - before) / ALONE_SAMPLES * 1000)
    return found


def _own_cpu() -> float:
    """CPU seconds this process (the load generator) has used so far."""
    times = psutil.Process().cpu_times()
    return times.user + times.system


def _tree_cpu(server: infra.Server) -> float:
    """CPU seconds (user + system) the server's processes have used so far."""
    total = 0.0
    for proc in server.tree():
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def _search_samples(url: str, count: int) -> dict[str, list[str]]:
    """Ticket numbers, NIKs and phone numbers of random existing tickets, as staff would type them."""
    rng = random.Random(11)
    with _engine(url).connect() as conn:
        top = int(conn.execute(text("SELECT max(id) FROM ticket")).scalar() or 0)
        ids = [rng.randint(1, top) for _ in range(count * 2)]
        rows = conn.execute(text(
            "SELECT t.number, a.nik, a.phone FROM ticket t JOIN applicant a ON a.id = t.applicant_id "
            "WHERE t.id = ANY(:ids) AND NOT t.confidential"), {"ids": ids}).all()
    rng.shuffle(rows)
    number, nik, phone = staff_sessions.SEARCH_KINDS
    return {
        number: [r.number for r in rows][:count],
        nik: [r.nik for r in rows if r.nik][:count],
        # Staff type the local form most of the time: 0812-3456-7890.
        phone: ["0" + r.phone[3:] for r in rows if r.phone][:count],
    }


def _has_demo_staff(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.execute(text("SELECT count(*) FROM staffuser WHERE username = :u"), {"u": SEARCH_ROLE}).scalar())


def _copies_have_history(engine: Engine) -> bool:
    """Whether the last copied ticket has its stage history (databases of the earlier fill had none)."""
    with engine.connect() as conn:
        return bool(conn.execute(text(
            "SELECT EXISTS (SELECT 1 FROM stage_event WHERE ticket_id = (SELECT max(id) FROM ticket))")).scalar())


def _engine(url: str) -> Engine:
    from layanan.db import make_engine

    return make_engine(url)
