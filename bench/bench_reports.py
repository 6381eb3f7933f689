"""Report rendering benchmark: a 1000-item berita acara and a 20-kecamatan monthly sorting report.

Both are timed the way the app makes them: the berita acara from its document to the PDF
(`berita_acara_pdf`), the sorting report from the query on a month of sorted tickets (SQLite, migrated
like the app's) to the PDF. The baseline of each is the same document by the plainest path: the very HTML
string the app hands to WeasyPrint, captured once, rendered by one `HTML(string=...).write_pdf()` with the
same base URL. The difference is our own cost (query, template, item blocks). Each case runs
`repeats` times; the best wall time is the figure (other processes on a shared machine only add to
it), with the CPU time of the same run beside it. Run: `.venv/bin/python -m bench.bench_reports [--quick]`.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path
from unittest.mock import patch
from zoneinfo import ZoneInfo

from bench.report import Row, Say, table

TARGET_S = 2.0
ITEMS = 1000
WIB = ZoneInfo("Asia/Jakarta")


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float


def best_of(repeats: int, work: Callable[[], object]) -> Timing:
    """The fastest of `repeats` runs (wall seconds) and that run's CPU seconds."""
    best: Timing | None = None
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        timing = Timing(time.perf_counter() - wall, time.process_time() - cpu)
        if best is None or timing.wall < best.wall:
            best = timing
    assert best is not None
    return best


def _items() -> list:
    from berita_acara.render import ItemLine

    services = ["KTP-el", "KK", "KIA", "Akta Kelahiran", "Akta Kematian", "Surat Pindah", "Perbaikan Data"]
    rng = random.Random(6)
    return [ItemLine(n, f"PGD-2026-{n:06d}", f"Warga Kecamatan Kota Agung Nomor {n}",
                     rng.choice(services), f"1806********{n % 10000:04d}") for n in range(1, ITEMS + 1)]


def _document(items: list):  # type: ignore[no-untyped-def]
    from berita_acara.render import BeritaAcaraDocument, Person

    return BeritaAcaraDocument(
        number="470/012/BA-UPT/Disdukcapil/2026", document_date=date(2026, 11, 23), kecamatan_name="Kota Agung",
        items=items, totals=[("KTP-el", ITEMS)], handing_over=Person("Kasi Inovasi", "Kasi Inovasi", "-"),
        receiving=Person("Petugas UPT Kecamatan Kota Agung"), courier=Person("Kurir"),
        head=Person("Kepala Dinas"), is_draft=True,
    )


def html_handed_to_weasyprint(make_pdf: Callable[[], bytes]) -> str:
    """The HTML string the app's PDF function passes to its one WeasyPrint call, without rendering it."""
    from berita_acara import render

    captured: list[str] = []
    with patch.object(render, "render_pdf", lambda html: captured.append(html) or b""):
        make_pdf()
    if len(captured) != 1:
        raise RuntimeError(f"expected one WeasyPrint call, saw {len(captured)}")
    return captured[0]


def plain_weasyprint(html: str) -> bytes:
    """The baseline: WeasyPrint straight on the HTML, with the base URL the app gives it."""
    from flask import current_app
    from weasyprint import HTML

    return HTML(string=html, base_url=str(current_app.root_path)).write_pdf()


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(BytesIO(pdf)).pages)


def _month_of_tickets(session, count: int) -> None:  # type: ignore[no-untyped-def]
    """`count` tickets sorted during November 2026 over all 20 kecamatan, inserted directly."""
    from berita_acara.stages import handover_chains
    from routing.definition import Action
    from tickets.constants import DOCUMENT_SERVICES
    from tickets.kecamatan import KECAMATAN
    from tickets.models import Applicant, StageEvent, Ticket

    stages = handover_chains()[0]
    rng = random.Random(11)
    first = datetime(2026, 11, 1, tzinfo=WIB)
    for n in range(1, count + 1):
        applicant = Applicant(nik=None, name=f"Warga {n}", phone=f"+62812{n:08d}")
        session.add(applicant)
        session.flush()
        at = (first + timedelta(seconds=rng.randint(0, 30 * 86400 - 1))).astimezone(UTC)
        code = KECAMATAN[n % len(KECAMATAN)].code
        ticket = Ticket(number=f"PGD-2026-{n:06d}", year=2026, seq=n, service=rng.choice(DOCUMENT_SERVICES).value,
                        channel="whatsapp", workflow="pengaduan_online_tanggamus", stage=stages.handover.key,
                        applicant_id=applicant.id, kecamatan_code=code, created_at=at, updated_at=at,
                        stage_entered_at=at)
        session.add(ticket)
        session.flush()
        session.add(StageEvent(ticket_id=ticket.id, action=str(Action.ADVANCE), from_stage=stages.sorting.key,
                               to_stage=str(stages.sorting.next), created_at=at))
    session.commit()


def run(quick: bool = False, say: Say = print) -> list[Row]:
    """Time both documents, the app's way and by the plain baseline; the rows for the runner's table."""
    from sqlmodel import Session

    from berita_acara.render import Person, berita_acara_pdf, sorting_report_pdf
    from berita_acara.sorting import Period, period_report
    from layanan import create_app
    from layanan.migrate import upgrade

    repeats = 1 if quick else 3
    tickets = 1500 if quick else 6000
    workdir = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    url = f"sqlite:///{workdir / 'bench.db'}"
    app = create_app({"INSTANCE_PATH": str(workdir), "DATABASE_URL": url, "LOG_LEVEL": "WARNING"})
    items = _items()
    november = Period(date(2026, 11, 1), date(2026, 11, 30))
    with app.app_context():
        say(f"berita acara {ITEMS} berkas, {repeats} kali, lalu pembanding: WeasyPrint langsung pada HTML yang sama")
        make_berita_acara = lambda: berita_acara_pdf(_document(items))  # noqa: E731
        berita_acara = Case(best_of(repeats, make_berita_acara),
                            _baseline(repeats, html_handed_to_weasyprint(make_berita_acara)),
                            page_count(make_berita_acara()))
        say(f"laporan pemilahan: {tickets} tiket dipilah selama November 2026, {repeats} kali, lalu pembanding")
        upgrade(url)
        with Session(app.extensions["db_engine"], expire_on_commit=False) as session:
            _month_of_tickets(session, tickets)
            make_report = lambda: sorting_report_pdf(period_report(session, november), Person("Petugas"))  # noqa: E731
            report = Case(best_of(repeats, make_report), _baseline(repeats, html_handed_to_weasyprint(make_report)),
                          page_count(make_report()))
    app.extensions["db_engine"].dispose()

    load = os.getloadavg()[0]  # other work on the machine stretches wall time, not CPU time

    def row(case: str, size: str, measured: Case) -> Row:
        app_path, base = measured.app, measured.baseline
        # CPU first: on a shared machine the wall-time difference is mostly other processes.
        note = (f"CPU {app_path.cpu:.2f} d; WeasyPrint langsung pada HTML yang sama: CPU {base.timing.cpu:.2f} d, "
                f"dinding {base.timing.wall:.2f} d, {base.pages} hlm; biaya kita: CPU "
                f"{app_path.cpu - base.timing.cpu:+.2f} d, dinding {app_path.wall - base.timing.wall:+.2f} d; "
                f"beban mesin {load:.1f}")
        return Row(f"Laporan: {case}", f"{size}, {measured.pages} halaman", f"{app_path.wall:.2f} d",
                   f"< {TARGET_S:.0f} d", app_path.wall < TARGET_S, note)

    return [
        row("berita acara", f"{ITEMS} berkas", berita_acara),
        row("pemilahan per kecamatan", f"20 kecamatan, {tickets} tiket", report),
    ]


@dataclass(frozen=True)
class Baseline:
    timing: Timing
    pages: int


@dataclass(frozen=True)
class Case:
    app: Timing
    baseline: Baseline
    pages: int


def _baseline(repeats: int, html: str) -> Baseline:
    """The plain path timed on the captured HTML, and the pages it prints (the same as the app's)."""
    return Baseline(best_of(repeats, lambda: plain_weasyprint(html)), page_count(plain_weasyprint(html)))


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark berita acara dan laporan pemilahan.")
    parser.add_argument("--quick", action="store_true", help="sekali jalan, data lebih kecil")
    args = parser.parse_args()
    print(table(run(quick=args.quick)))


if __name__ == "__main__":
    main()
