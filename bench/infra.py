"""The real parts a benchmark runs on: its own PostgreSQL database, the Redis server, gunicorn processes."""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil
import psycopg
import requests
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
PROCFILE = ROOT / "Procfile"
# The server that holds the benchmark databases, reached as a role allowed to create databases.
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
# A Redis server of its own database number, flushed before each run.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def database_url(name: str) -> str:
    """The URL of database `name` on the benchmark server."""
    parts = urlsplit(POSTGRES_URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_exists(name: str) -> bool:
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def recreate_database(name: str) -> str:
    """Drop and create database `name`; its URL."""
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return database_url(name)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def procfile_command(process: str, env: dict[str, str] | None = None) -> list[str]:
    """The Procfile's command line for `process`, with its ${VAR:-default} expanded as the shell would."""
    env = dict(os.environ if env is None else env)
    env.setdefault("PORT", "5000")
    for line in PROCFILE.read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == process:
            expanded = subprocess.run(["bash", "-c", f"printf '%s\\0' {command}"], capture_output=True, text=True,
                                      check=True, env=env)
            parts = [part for part in expanded.stdout.split("\0") if part]
            return [str(Path(sys.executable).parent / parts[0]), *parts[1:]]
    raise LookupError(f"Procfile has no {process!r} line")


@dataclass
class Server:
    """A running gunicorn (or other) process tree."""

    process: subprocess.Popen[bytes]
    url: str

    def tree(self) -> list[psutil.Process]:
        """The master and its workers, as they are now."""
        try:
            master = psutil.Process(self.process.pid)
            return [master, *master.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def rss(self) -> int:
        """Resident memory of the whole tree, in bytes."""
        total = 0
        for proc in self.tree():
            try:
                total += proc.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total


# Gunicorn's default access-log line with the worker's pid at the end: requests per worker are counted from it.
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" pid=%(p)s'


def gunicorn_command(app_spec: str, port: int, access_log: Path | None = None, reuse_port: bool = False) -> list[str]:
    """The Procfile's web line with only the bound address and the app changed. The access log goes to
    `access_log` (with each line's worker pid) or /dev/null instead of stdout; either way it stays in the
    measured path. `reuse_port`: a listening socket per worker (SO_REUSEPORT), so the kernel spreads
    connections over the workers instead of the first to accept taking them."""
    command = procfile_command("web")
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[-1] = app_spec
    i = command.index("--access-logfile")
    command[i + 1] = str(access_log) if access_log else "/dev/null"
    if access_log:
        command[i + 2:i + 2] = ["--access-logformat", ACCESS_LOG_FORMAT]
    if reuse_port:
        command[-1:-1] = ["--reuse-port"]
    return command


@contextmanager
def running(command: list[str], env: dict[str, str], url: str, health_path: str = "/") -> Iterator[Server]:
    """Start a server process, wait until it answers, stop it (SIGTERM, then SIGKILL) afterwards."""
    log = open(ROOT / "bench" / "logs" / f"{Path(command[0]).name}-{int(time.time() * 1000)}.log", "wb")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    server = Server(process, url)
    try:
        _wait_until_up(server, health_path, " ".join(shlex.quote(c) for c in command))
        yield server
    finally:
        _stop(process)
        log.close()


def _wait_until_up(server: Server, path: str, described: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited ({server.process.returncode}): {described}")
        try:
            requests.get(server.url + path, timeout=5)
            return
        except requests.RequestException:  # not listening yet, or still importing the app
            time.sleep(0.2)
    raise RuntimeError(f"server did not answer within 60 s: {described}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def app_env(database: str, **extra: str) -> dict[str, str]:
    """The environment the real app runs with in a benchmark: PostgreSQL, the Redis server, no Twilio account."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "DATABASE_", "REDIS_"))}
    env.update(DATABASE_URL=database, REDIS_URL=REDIS_URL, LOG_LEVEL="WARNING", **extra)
    return env
