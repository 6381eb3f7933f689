"""The RQ worker class the Procfile's `rq worker` runs (`--worker-class layanan.worker.AppWorker`).

A plain worker would import the job's module and build the Flask app again inside every forked
job process, several seconds each; this one builds the app once, before forking, so every job
process inherits it. It imports the PDF libraries once too: the app leaves them out (see
_import_pdf_libraries), and a job that renders or signs would otherwise import them in every fork.
Then it freezes what it has built out of the garbage collector's reach (gc.freeze, as Python's gc
docs advise before forking): otherwise the first collection in each job walks every object
inherited from the worker, copying the memory pages they sit in; that took half of a small
rendering job's 0.4 s.

RQ's scheduler runs in a process the worker forks. Should the worker be killed outright (SIGKILL,
the OOM killer), that process would live on orphaned, holding the scheduler locks, so the restarted
worker could not schedule and a stop of the service would not reach it; here it is told to stop
(SIGTERM, it then releases its locks) when the worker dies. It also closes its copies of the
worker's Redis sockets: one left open there keeps the dead worker's blocking pop waiting in Redis,
and the next job pushed would be handed to it and never run. Work horses are left to finish their job.
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import sys
from typing import Any

from rq import Worker

from layanan import create_app, jobs

_PR_SET_PDEATHSIG = 1
_forking_work_horse = False
_forking_pid = 0
_hooked = False
_worker_redis: Any = None


def _remember_forking_pid() -> None:
    global _forking_pid
    _forking_pid = os.getpid()


def _stop_with_the_worker() -> None:
    """In a child of the worker that is not a work horse: no hold on the worker's Redis connections,
    and SIGTERM when the worker dies."""
    if _forking_work_horse:
        return
    pool = _worker_redis.connection_pool if _worker_redis is not None else None
    for connection in [*getattr(pool, "_available_connections", ()), *getattr(pool, "_in_use_connections", ())]:
        connection.disconnect()  # in a forked process this closes only its own copy of the socket
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != _forking_pid:  # the worker died before the line above
            os.kill(os.getpid(), signal.SIGTERM)


def _import_pdf_libraries() -> None:
    """Import WeasyPrint and pyHanko in the worker, once, so that every forked job inherits them.

    create_app() does not import them: the modules that render and sign import them on first use (web
    processes seldom do either, and the libraries cost 0.7 s of CPU and 47 MB). A job here is a
    fresh fork of this process, so without this each PDF job would pay that import again."""
    import weasyprint  # noqa: F401  (berita_acara.render.render_pdf)

    from pdf_delivery import pades, pdf_reading  # noqa: F401  (signing and verifying; checking an upload)


class AppWorker(Worker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        global _hooked, _worker_redis
        super().__init__(*args, **kwargs)
        jobs.use_app(create_app())
        _import_pdf_libraries()
        gc.collect()  # no garbage kept for ever by the freeze
        gc.freeze()
        _worker_redis = self.connection
        if not _hooked:
            os.register_at_fork(before=_remember_forking_pid, after_in_child=_stop_with_the_worker)
            _hooked = True

    def fork_work_horse(self, *args: Any, **kwargs: Any) -> None:
        global _forking_work_horse
        _forking_work_horse = True
        try:
            super().fork_work_horse(*args, **kwargs)
        finally:
            _forking_work_horse = False
