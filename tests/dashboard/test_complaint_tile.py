"""The "Pengaduan terbuka" tile, added by the complaints feature through the dashboard's tile registry: its
numbers against a direct count, shown to those who supervise complaints on every SOP's dashboard, and the
core's dashboard knowing nothing of complaints."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import Session, select

from complaints.definitions import complaint_definitions
from routing.definition import OutputMeaning, StageDuty
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import login, make_staff, make_ticket
from tickets.constants import Service
from tickets.dashboard_views import register_tile
from tickets.models import Ticket

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
TILE = re.compile(r'<a class="kpi extra( late)?" data-kpi="pengaduan-terbuka" href="([^"]+)">\s*'
                  r'<span class="value">(\d+)</span><span class="label">Pengaduan terbuka</span>'
                  r'<span class="note">([^<]+)</span>')


@pytest.fixture
def complaints(session: Session) -> list[Ticket]:
    """Complaints: two on time, two late, one late where only the citizen's verdict is awaited, one closed."""
    definition = complaint_definitions()[0]
    verdict = definition.stage_for(StageDuty.CITIZEN_VERDICT).key
    unit = definition.output_meaning(OutputMeaning.UNIT)
    assert unit is not None
    made = [make_ticket(session, service=Service.PENGADUAN, description="Antrean lama", due_at=due)
            for due in (NOW + timedelta(days=2), None, NOW - timedelta(hours=3), NOW - timedelta(days=4))]
    made.append(make_ticket(session, service=Service.PENGADUAN, description="Dijawab", stage=verdict,
                            outputs={unit.key: unit.options[0]}, due_at=NOW - timedelta(days=1)))
    made.append(make_ticket(session, service=Service.PENGADUAN, description="Sudah selesai",
                            stage=definition.done_stage.key, due_at=NOW - timedelta(days=1)))
    make_ticket(session, due_at=NOW - timedelta(days=1))  # a late KTP-el request: not a complaint
    return made


def direct_count(session: Session) -> tuple[int, int]:
    """Open complaints and the late ones, one ticket at a time: late is past the deadline while the office
    holds it (waiting for the citizen's verdict is not the office's delay)."""
    by_key = {d.key: d for d in complaint_definitions()}
    open_, late = 0, 0
    for ticket in session.exec(select(Ticket).where(Ticket.workflow.in_(list(by_key)))).all():  # type: ignore[attr-defined]
        definition = by_key[ticket.workflow]
        if definition.is_terminal(ticket.stage):
            continue
        open_ += 1
        waiting_verdict = definition.decided_by_citizen(ticket.stage)
        late += bool(ticket.overdue or (ticket.due_at is not None and ticket.due_at < NOW and not waiting_verdict))
    return open_, late


def test_the_tile_counts_open_and_late_complaints_on_every_dashboard(http, session: Session, complaints, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("tickets.dashboard_views.utcnow", lambda: NOW)
    make_staff(session, "kepala_dinas")
    login(http, "kepala-dinas")
    expected_open, expected_late = direct_count(session)
    assert (expected_open, expected_late) == (5, 2)

    for sop in (TANGGAMUS, complaint_definitions()[0].key):
        page = http.get("/dasbor/", params={"alur": sop}).text
        tile = TILE.search(page)
        assert tile is not None, sop
        late_class, url, value, note = tile.groups()
        assert (int(value), note, bool(late_class)) == (expected_open, f"{expected_late} terlambat", True)
        assert url == "/pengaduan/"
    assert http.get(url).status_code == 200  # the Kepala Dinas can open the complaint queue it links to


def test_the_tile_is_left_out_for_those_who_do_not_supervise_complaints(http, session: Session, complaints) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "kasi_identitas")
    login(http, "kasi-identitas")
    page = http.get("/dasbor/").text
    assert page.count('class="kpi ') == 4 and "Pengaduan terbuka" not in page


def test_features_add_tiles_without_the_core_knowing_them(app: Flask) -> None:
    assert "pengaduan-terbuka" in app.extensions["dashboard_tiles"]  # registered by the complaints feature
    with pytest.raises(ValueError, match="already registered"):
        register_tile(app, "pengaduan-terbuka", lambda b: None)
    core = Path(__file__).parents[2] / "tickets"
    for module in ("dashboard_views.py", "dashboard_queries.py", "charts.py"):
        assert "complaint" not in (core / module).read_text(encoding="utf-8").lower(), module
