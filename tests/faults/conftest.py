"""Real processes the fault tests start, stop and kill: a Redis server of their own, RQ workers."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from redis import Redis

FOLDER = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """One worker runs the fault tests one after another (scripts/test: --dist loadgroup): each starts
    servers and kills them on a clock, and two at once on two cores would race for the CPU."""
    for item in items:
        if FOLDER in item.path.parents:
            item.add_marker(pytest.mark.xdist_group("faults"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RedisProcess:
    """A redis-server of the test's own, with append-only persistence like a production server."""

    folder: Path
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisProcess":
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed (Debian package redis-server)")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--protected-mode", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = Redis.from_url(self.url, socket_connect_timeout=0.2)
        for _ in range(100):
            try:
                client.ping()
                return self
            except Exception:  # noqa: BLE001 - still starting
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        """A clean stop (SIGTERM): the server refuses connections until started again."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def redis_process(tmp_path: Path) -> Iterator[RedisProcess]:
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisProcess(folder, free_port()).start()
    yield server
    server.stop()


def worker_env(app_config: dict, redis_url: str) -> dict[str, str]:
    """The environment a worker process of this test's app reads its settings from."""
    import os

    env = dict(os.environ)
    env.update(DATABASE_URL=app_config["DATABASE_URL"], REDIS_URL=redis_url,
               INSTANCE_PATH=app_config["INSTANCE_PATH"], MEDIA_PATH=app_config["MEDIA_PATH"],
               TWILIO_AUTH_TOKEN=app_config["TWILIO_AUTH_TOKEN"], SECRET_KEY=app_config["SECRET_KEY"],
               TWILIO_MEDIA_HOSTS=app_config["TWILIO_MEDIA_HOSTS"], LOG_LEVEL="WARNING")
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_WHATSAPP_FROM", "TWILIO_API_BASE", "DOCUMENTS_PATH",
                 "TWILIO_CONTENT_SID_DOCUMENT_READY"):
        if app_config.get(name):
            env[name] = app_config[name]
        else:
            env.pop(name, None)
    return env


def rq_worker(app_config: dict, redis_url: str, *extra: str) -> list[str]:
    """The Procfile's worker command (without the scheduler), for subprocess.Popen."""
    import sys

    return [sys.executable, "-m", "rq.cli", "worker", "--worker-class", "layanan.worker.AppWorker",
            "--url", redis_url, *extra, "default", "media"]


def kill_worker_and_horse(worker: subprocess.Popen) -> None:
    """SIGKILL an RQ worker and the work horse running its job, as when the machine under them dies.

    RQ puts each work horse in a process group of its own, so killing the worker's group would leave the horse
    running: an orphan that finishes or retries the job by itself, racing the test's look at the registries."""
    import psutil

    horses = psutil.Process(worker.pid).children(recursive=True)
    for process in [psutil.Process(worker.pid), *horses]:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    worker.wait(10)
    psutil.wait_procs(horses, timeout=10)
