"""Builders for the berita acara tests: a generated month of sorted tickets, PDF text and PNG artifacts."""

from __future__ import annotations

import random
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlmodel import Session

from berita_acara.stages import handover_stages
from routing import workflow
from routing.definition import Action
from tickets.constants import Channel, DOCUMENT_SERVICES
from tickets.kecamatan import KECAMATAN
from tickets.models import Applicant, StageEvent, Ticket
from tickets.numbering import ticket_number
from tests.support.workflows import TANGGAMUS

WIB = ZoneInfo("Asia/Jakarta")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "berita_acara"


@dataclass(frozen=True)
class Sorted:
    kecamatan_code: str
    service: str
    sorted_at: datetime  # UTC


def insert_sorted_tickets(session: Session, count: int, first_day: datetime, days: int, seed: int = 7,
                          stage: str | None = None, moments: list[datetime] | None = None) -> list[Sorted]:
    """Tickets sorted at random moments of `days` days from `first_day` (or at the given moments),
    inserted directly."""
    rng = random.Random(seed)
    stages = handover_stages(workflow(TANGGAMUS))
    made: list[Sorted] = []
    applicants = [Applicant(nik=f"18060{rng.randint(1, 9)}{rng.randint(41, 71):02d}0190{i:04d}",
                            name=f"Warga Uji {i}", phone=f"+62812{i:08d}") for i in range(1, count + 1)]
    session.add_all(applicants)
    session.flush()
    start_seq = 100_000 + rng.randint(0, 1000) * 100
    for i, applicant in enumerate(applicants):
        kecamatan = rng.choice(KECAMATAN).code
        service = rng.choice(DOCUMENT_SERVICES).value
        offset = timedelta(seconds=rng.randint(0, days * 86400 - 1))
        sorted_at = (moments[i] if moments else first_day + offset).astimezone(UTC)
        ticket = Ticket(number=ticket_number(2026, start_seq + i), year=2026, seq=start_seq + i, service=service,
                        channel=Channel.WHATSAPP, workflow=TANGGAMUS,
                        stage=stage or stages.handover.key, applicant_id=applicant.id, kecamatan_code=kecamatan,
                        outputs={"kode_kecamatan": kecamatan}, created_at=sorted_at - timedelta(days=3),
                        updated_at=sorted_at, stage_entered_at=sorted_at)
        session.add(ticket)
        session.flush()
        session.add(StageEvent(ticket_id=ticket.id, action=str(Action.ADVANCE), from_stage=stages.sorting.key,
                               to_stage=str(stages.sorting.next), data={"kode_kecamatan": kecamatan},
                               created_at=sorted_at))
        made.append(Sorted(kecamatan, service, sorted_at))
    session.commit()
    return made


def direct_counts(rows: list[Sorted], start: datetime, end: datetime) -> Counter[tuple[str, str]]:
    """The expected numbers, counted in Python from what was inserted."""
    return Counter((r.kecamatan_code, r.service) for r in rows if start <= r.sorted_at < end)


def pdf_text(data: bytes) -> str:
    """All text of a PDF, page after page."""
    return "\n".join(page.extract_text() or "" for page in PdfReader(BytesIO(data)).pages)


def save_artifact(name: str, data: bytes) -> Path:
    """Keep the PDF under test-artifacts/ and render its pages to PNG so a person can look at them."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for stale in ARTIFACTS.glob(f"{name}-*.png"):
        stale.unlink()  # a shorter PDF than last time must not leave old pages behind
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(data)
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed: the PDF was checked but not rendered to PNG")
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(path), str(ARTIFACTS / name)], check=True, timeout=120)
    assert list(ARTIFACTS.glob(f"{name}*.png")), "pdftoppm wrote no page image"
    return path


@pytest.fixture
def november(session: Session) -> list[Sorted]:
    """A generated month: 400 tickets sorted in November 2026 (WIB), plus days either side."""
    first = datetime(2026, 10, 30, tzinfo=WIB)
    return insert_sorted_tickets(session, 400, first, 34)
