"""A complaint's deadlines on the working calendar: 3 working days to respond, then the class's days to answer."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session

from bot.complaint_verdict import close_unanswered
from tests.complaints.conftest import COMPLAINT_SOP
from tests.tickets.conftest import make_staff, make_ticket
from tickets.constants import Service
from tickets.models import Ticket
from tickets.sla_jobs import mark_overdue_tickets
from tickets.workflow_service import act

# Tuesday 28 April 2026, 10:00 WIB; Friday 1 May is Hari Buruh, then a weekend.
FILED = datetime(2026, 4, 28, 3, 0, tzinfo=UTC)
DISPOSED = datetime(2026, 4, 30, 3, 0, tzinfo=UTC)  # Thursday 30 April, 10:00 WIB


def advance(session: Session, ticket: Ticket, role: str, actor: int, outputs: dict, now: datetime) -> Ticket:
    ticket, _, _ = act(session, ticket, "claim", actor_id=actor, actor_roles={role},
                       expected_version=ticket.version, now=now)
    ticket, _, _ = act(session, ticket, "advance", actor_id=actor, actor_roles={role},
                       expected_version=ticket.version, payload={"outputs": outputs}, now=now)
    return ticket


@pytest.mark.parametrize(("kelas", "answer_due"), [
    # Thu 6 h, Fri 1 May closed, weekend, Mon-Thu 32 h, Fri 8 May 2 h.
    ("Informasi/pengaduan sederhana", datetime(2026, 5, 8, 3, 0, tzinfo=UTC)),
    # ... and 14-15 May (Kenaikan, cuti bersama) closed too: Monday 25 May, 10:00 WIB.
    ("Perlu koordinasi", datetime(2026, 5, 25, 3, 0, tzinfo=UTC)),
])
def test_deadlines_skip_the_weekend_and_holidays(app, session, kelas: str, answer_due: datetime) -> None:  # type: ignore[no-untyped-def]
    handler = make_staff(session, "pengelola_pengaduan").id
    ticket = make_ticket(session, service=Service.PENGADUAN, nik=None, name=None, now=FILED,
                         description="Antrean di loket sangat lama dan petugas tidak ada di tempat")
    assert ticket.workflow == COMPLAINT_SOP
    # First response: Tue 6 h, Wed 8 h, Thu 8 h, Fri 1 May closed, weekend, Mon 4 May 2 h.
    assert ticket.due_at == datetime(2026, 5, 4, 3, 0, tzinfo=UTC)
    with app.app_context():
        ticket = advance(session, ticket, "pengelola_pengaduan", handler,
                         {"kategori_pengaduan": "Pelayanan lambat", "kelas_pengaduan": kelas,
                          "prioritas_pengaduan": "Biasa"}, DISPOSED)
        assert ticket.due_at == datetime(2026, 5, 4, 3, 0, tzinfo=UTC)  # the same group: the same deadline
        ticket = advance(session, ticket, "pengelola_pengaduan", handler,
                         {"unit_pengaduan_tujuan": "Sekretariat"}, DISPOSED)
    assert ticket.stage == "tindak_lanjut_pengaduan"
    assert ticket.due_at == answer_due


def test_a_complaint_with_no_verdict_closes_after_ten_working_days(app, session, run_jobs) -> None:  # type: ignore[no-untyped-def]
    staff = {role: make_staff(session, role).id
             for role in ("pengelola_pengaduan", "unit_pengaduan", "penyetuju_jawaban")}
    ticket = make_ticket(session, service=Service.PENGADUAN, nik=None, name=None, now=FILED,
                         description="Antrean di loket sangat lama dan petugas tidak ada di tempat")
    steps = [("pengelola_pengaduan", {"kategori_pengaduan": "Pelayanan lambat",
                                      "kelas_pengaduan": "Informasi/pengaduan sederhana", "prioritas_pengaduan": "Biasa"}),
             ("pengelola_pengaduan", {"unit_pengaduan_tujuan": "Sekretariat"}),
             ("unit_pengaduan", {"jawaban_pengaduan": "Loket kini buka pukul 08.00 dengan dua petugas."}),
             ("penyetuju_jawaban", {"jawaban_disetujui": True})]
    with app.app_context():
        for role, outputs in steps:
            ticket = advance(session, ticket, role, staff[role], outputs, DISPOSED)
        assert ticket.stage == "tanggapan_pelapor"
        # Answered Thu 30 April 10:00 WIB: 10 working days end Friday 15 May... which is a holiday, as is
        # the 14th: Tuesday 19 May, 10:00 WIB.
        assert ticket.due_at == datetime(2026, 5, 19, 3, 0, tzinfo=UTC)
        assert close_unanswered(session, datetime(2026, 5, 19, 2, 59, tzinfo=UTC)) == []
        later = datetime(2026, 5, 19, 4, 0, tzinfo=UTC)
        assert mark_overdue_tickets(session, later) == []  # waiting for the citizen is nobody's late work
        assert [t.id for t in close_unanswered(session, later)] == [ticket.id]
        assert close_unanswered(session, later) == []
    session.refresh(ticket)
    assert ticket.stage == "pengaduan_selesai"
    run_jobs()
    folder = Path(app.config["OUTBOX_PATH"])
    bodies = [json.loads(p.read_text())["body"] for p in folder.glob("*.json")]
    closing = [b for b in bodies if "belum menerima tanggapan Anda" in b]
    assert len(closing) == 1 and ticket.number in closing[0] and "10 hari kerja" in closing[0]
