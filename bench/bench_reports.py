"""Report rendering benchmark: a 1000-item berita acara and a 20-kecamatan monthly sorting report.

The berita acara is rendered the way the app prints it (item lines in page-sized blocks) and, as the
baseline, as one plain WeasyPrint table of the same rows. The sorting report is timed from the query
on a month of sorted tickets (SQLite, migrated like the app's) to the finished PDF. Each case runs
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
from html import escape
from io import BytesIO
from pathlib import Path
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


def _baseline_html(items: list) -> str:
    """One plain table of the same rows: the straightforward way to print the list."""
    rows = "".join(f"<tr><td>{i.position}</td><td>{i.ticket_number}</td><td>{escape(i.applicant_name)}</td>"
                   f"<td>{i.document_type}</td><td>{i.nik_masked}</td></tr>" for i in items)
    return ("<html><head><style>@page { size: A4; margin: 15mm } table { width: 100%; border-collapse: collapse }"
            " td, th { border: 0.6pt solid #000; padding: 2pt 3pt; font-size: 8pt }</style></head><body>"
            "<h1>Berita acara</h1><table><thead><tr><th>No.</th><th>Nomor Tiket</th><th>Nama Pemohon</th>"
            f"<th>Jenis Dokumen</th><th>NIK</th></tr></thead><tbody>{rows}</tbody></table></body></html>")


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
    """Time the three cases and hand back the rows for the runner's table."""
    from sqlmodel import Session

    from berita_acara.render import Person, berita_acara_pdf, sorting_report_pdf
    from berita_acara.sorting import Period, period_report
    from layanan import create_app
    from layanan.migrate import upgrade
    from pypdf import PdfReader
    from weasyprint import HTML

    repeats = 1 if quick else 3
    tickets = 1500 if quick else 6000
    workdir = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    url = f"sqlite:///{workdir / 'bench.db'}"
    app = create_app({"INSTANCE_PATH": str(workdir), "DATABASE_URL": url, "LOG_LEVEL": "WARNING"})
    items = _items()
    with app.app_context():
        say(f"berita acara {ITEMS} berkas, {repeats} kali")
        berita_acara = best_of(repeats, lambda: berita_acara_pdf(_document(items)))
        pages = len(PdfReader(BytesIO(berita_acara_pdf(_document(items)))).pages)
        say("pembanding: satu tabel WeasyPrint biasa")
        baseline = best_of(1 if quick else 2, lambda: HTML(string=_baseline_html(items)).write_pdf())
        say(f"laporan pemilahan: {tickets} tiket dipilah selama November 2026")
        upgrade(url)
        with Session(app.extensions["db_engine"], expire_on_commit=False) as session:
            _month_of_tickets(session, tickets)
            november = Period(date(2026, 11, 1), date(2026, 11, 30))
            report = best_of(repeats, lambda: sorting_report_pdf(period_report(session, november), Person("Petugas")))
    app.extensions["db_engine"].dispose()

    load = os.getloadavg()[0]  # other work on the machine stretches wall time, not CPU time

    def row(case: str, size: str, timing: Timing, base: Timing | None) -> Row:
        note = f"CPU {timing.cpu:.2f} d" + (f"; pembanding {base.wall:.2f} d (CPU {base.cpu:.2f} d)" if base else "")
        note += f"; beban mesin {load:.1f}"
        return Row(f"Laporan: {case}", size, f"{timing.wall:.2f} d", f"< {TARGET_S:.0f} d",
                   timing.wall < TARGET_S, note)

    return [
        row("berita acara", f"{ITEMS} berkas, {pages} halaman", berita_acara, baseline),
        row("pemilahan per kecamatan", f"20 kecamatan, {tickets} tiket", report, None),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark berita acara dan laporan pemilahan.")
    parser.add_argument("--quick", action="store_true", help="sekali jalan, data lebih kecil")
    args = parser.parse_args()
    print(table(run(quick=args.quick)))


if __name__ == "__main__":
    main()
