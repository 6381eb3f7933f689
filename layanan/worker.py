"""The RQ worker class the Procfile's `rq worker` runs (`--worker-class layanan.worker.AppWorker`).

A plain worker would import the job's module and build the Flask app again inside every forked
job process, several seconds each; this one builds the app once, before forking, so every job
process inherits it.
"""

from __future__ import annotations

from typing import Any

from rq import Worker

from layanan import create_app, jobs


class AppWorker(Worker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        jobs.use_app(create_app())
