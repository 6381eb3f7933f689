"""A web process starts without the PDF libraries (start time and memory), and the RQ worker has them before
it forks a job (so that no job imports them again)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PDF_LIBRARIES = ("weasyprint", "pyhanko", "pyhanko_certvalidator")
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _loaded_after(code: str, tmp_path: Path) -> dict[str, bool]:
    """Run `code` in a fresh interpreter and tell which PDF libraries it left imported."""
    env = dict(os.environ, INSTANCE_PATH=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'layanan.db'}",
               LOG_LEVEL="WARNING")
    env.pop("REDIS_URL", None)
    report = f"import json, sys; print(json.dumps({{m: m in sys.modules for m in {PDF_LIBRARIES!r}}}))"
    done = subprocess.run([sys.executable, "-c", f"{code}\n{report}"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_fresh_app_has_not_imported_the_pdf_libraries(tmp_path: Path) -> None:
    loaded = _loaded_after("from layanan import create_app; create_app()", tmp_path)

    assert loaded == dict.fromkeys(PDF_LIBRARIES, False)


def test_the_worker_imports_the_pdf_libraries_before_forking_jobs(tmp_path: Path, redis_url: str) -> None:
    code = ("from redis import Redis\nfrom layanan.worker import AppWorker\n"
            f"AppWorker(['default'], connection=Redis.from_url({redis_url!r}))")

    loaded = _loaded_after(code, tmp_path)

    assert loaded == dict.fromkeys(PDF_LIBRARIES, True)


def test_the_web_processs_app_is_as_lean_and_kept_out_of_full_collections(tmp_path: Path) -> None:
    """The Procfile serves layanan.wsgi:app: built without the PDF libraries too, and with what the build
    made frozen, so the garbage collector's full collections (each one stops every thread of the worker)
    no longer walk it."""
    loaded = _loaded_after("import gc, layanan.wsgi\nassert gc.get_freeze_count() > 100_000, gc.get_freeze_count()",
                           tmp_path)

    assert loaded == dict.fromkeys(PDF_LIBRARIES, False)
    assert "layanan.wsgi:app" in (PROJECT_ROOT / "Procfile").read_text()
