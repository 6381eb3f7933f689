"""What else ran during a measurement: load average, CPU by who used it, peak memory of the servers.

Sampled twice a second from /proc (psutil) while one measurement runs. CPU seconds are grouped: the web
server (gunicorn master and workers), the RQ worker, PostgreSQL (the backends of the benchmark database and
the server's own background processes), the Redis server, the load generator (wrk or the open-loop
client, from its rusage when it exits), the benchmark process itself, and everything else on the machine:
all busy CPU time in /proc/stat minus the groups above, so short-lived processes of others count too.
"""

from __future__ import annotations

import os
import resource
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import psutil

INTERVAL = 0.5
GROUP_LABELS = {"web": "web", "worker": "worker RQ", "postgres": "PostgreSQL", "redis": "Redis",
                "loadgen": "pembangkit beban", "bench": "pengukur"}
# Background processes of the PostgreSQL server: their work is the benchmark's commits and checkpoints.
PG_BACKGROUND = ("checkpointer", "background writer", "walwriter", "wal writer", "autovacuum launcher",
                 "logical replication launcher", "io worker", "archiver", "stats collector")


@dataclass
class Noise:
    """Figures of one measured run."""

    seconds: float = 0.0
    load_min: float = 0.0
    load_max: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by group, "other" included
    peak_rss: dict[str, int] = field(default_factory=dict)  # bytes, for "web" and "worker"

    def describe(self) -> str:
        """One line for the table's note: load range and CPU seconds by group."""
        groups = " · ".join(f"{GROUP_LABELS.get(k, k)} {v:.1f}" for k, v in self.cpu.items() if k != "other")
        return (f"load {self.load_min:.1f}–{self.load_max:.1f}; CPU d: {groups} · lain {self.cpu.get('other', 0):.1f}"
                f" (dari {self.seconds * psutil.cpu_count():.0f} d CPU)")


class Sampler:
    """Samples while a `with` block runs; `pids` names the processes of each server group at each sample."""

    def __init__(self, pids: Callable[[], dict[str, set[int]]], database: str) -> None:
        self._pids, self._database = pids, database
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._first: dict[int, float] = {}  # CPU seconds of a process when first seen
        self._last: dict[int, tuple[str, float]] = {}  # its group and CPU seconds when last seen
        self._loads: list[float] = []
        self.noise = Noise()

    def __enter__(self) -> Sampler:
        self._started = time.monotonic()
        self._busy0 = _busy()
        self._children0 = _children_cpu()
        self._self0 = _own_cpu()
        self._scan(first=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._scan()
        noise = self.noise
        noise.seconds = time.monotonic() - self._started
        noise.load_min, noise.load_max = min(self._loads), max(self._loads)
        cpu: dict[str, float] = {group: 0.0 for group in ("web", "worker", "postgres", "redis")}
        for pid, (group, seconds) in self._last.items():
            if group in cpu:
                cpu[group] += seconds - self._first.get(pid, 0.0)
        # The load generator has exited: its CPU is in our children's rusage, and in no other group.
        cpu["loadgen"] = _children_cpu() - self._children0
        cpu["bench"] = _own_cpu() - self._self0
        cpu["other"] = max(0.0, _busy() - self._busy0 - sum(cpu.values()))
        noise.cpu = cpu

    def _run(self) -> None:
        while not self._stop.wait(INTERVAL):
            self._scan()

    def _scan(self, first: bool = False) -> None:
        self._loads.append(os.getloadavg()[0])
        groups = self._pids()
        by_pid = {pid: group for group, pids in groups.items() for pid in pids}
        roots = {pid for pid in groups.get("worker", ()) if _parent(pid) not in groups.get("worker", ())}
        rss: dict[str, int] = {}
        for proc in psutil.process_iter(["name", "cmdline", "cpu_times", "memory_info", "create_time"]):
            info = proc.info
            group = by_pid.get(proc.pid) or self._group_of(info)
            if group is None or info["cpu_times"] is None:
                continue
            seconds = info["cpu_times"].user + info["cpu_times"].system
            if group == "worker" and proc.pid in roots:
                # The RQ worker forks a work horse per job, gone before the next sample: its CPU comes back
                # in the worker's reaped children (a horse seen alive at a sample may count twice, briefly).
                seconds += info["cpu_times"].children_user + info["cpu_times"].children_system
            if proc.pid not in self._first:
                # Seen for the first time: from zero if it started during the measurement.
                self._first[proc.pid] = seconds if first or info["create_time"] < self._wall_start else 0.0
            self._last[proc.pid] = (group, seconds)
            if group in ("web", "worker") and info["memory_info"] is not None:
                rss[group] = rss.get(group, 0) + info["memory_info"].rss
        for group, value in rss.items():
            self.noise.peak_rss[group] = max(self.noise.peak_rss.get(group, 0), value)

    @property
    def _wall_start(self) -> float:
        return time.time() - (time.monotonic() - self._started)

    def _group_of(self, info: dict) -> str | None:
        name = info["name"] or ""
        if name.startswith("redis-server"):
            return "redis"
        if name != "postgres" and not name.startswith("postgres"):
            return None
        title = " ".join(info["cmdline"] or ())
        if self._database in title.split() or not title.startswith("postgres:"):
            return "postgres"  # a backend of ours, or the postmaster
        return "postgres" if any(word in title for word in PG_BACKGROUND) else None


def _parent(pid: int) -> int | None:
    try:
        return psutil.Process(pid).ppid()
    except psutil.NoSuchProcess:
        return None


def _busy() -> float:
    """CPU seconds the whole machine spent busy since boot (all cores)."""
    t = psutil.cpu_times()
    return t.user + t.nice + t.system + t.irq + t.softirq + getattr(t, "steal", 0.0)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
