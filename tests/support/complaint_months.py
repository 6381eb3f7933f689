"""Complaints built with known dates, April to June 2026, for the recap, the LAPOR! export and the dashboard:
each with what the reports should say of it, worked out by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from complaints.models import LaporRecord
from complaints.recap import NO_CATEGORY, NO_KECAMATAN, NO_UNIT, ComplaintStatus, Month
from layanan.clock import WIB
from tests.tickets.conftest import make_staff, make_ticket
from tickets.constants import Service
from tickets.models import Ticket
from tickets.workflow_service import act

SIMPLE, COORDINATION = "Informasi/pengaduan sederhana", "Perlu koordinasi"
MAY = Month(2026, 5)
HIDDEN = {"name": "Rahasia Pelapor Pungli", "nik": "1806015001900002", "phone": "+6281299990000"}


def wib(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WIB)


@dataclass
class Expected:
    """What the recap should say of one complaint, worked out by hand from the dates below."""

    ticket: Ticket
    category: str
    unit: str
    kecamatan: str
    status: ComplaintStatus
    answered: datetime | None = None
    deadline: datetime | None = None
    working_days: float | None = None
    recorded_due: datetime | None = None  # the ticket's own due_at just before the answer went out

    @property
    def on_time(self) -> bool | None:
        return None if self.answered is None else self.answered <= self.deadline  # type: ignore[operator]


class Desk:
    """The complaint officers, acting on tickets at chosen moments."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.staff = {role: make_staff(session, role).id
                      for role in ("pengelola_pengaduan", "unit_pengaduan", "penyetuju_jawaban")}

    def do(self, ticket: Ticket, role: str, action: str, when: datetime, **payload: Any) -> Ticket:
        for step, data in (("claim", {}), (action, payload)):
            ticket, _, _ = act(self.session, ticket, step, actor_id=self.staff[role], actor_roles={role},
                               expected_version=ticket.version, payload=data, now=when)
        return ticket

    def triage(self, ticket: Ticket, when: datetime, category: str, kelas: str = SIMPLE) -> Ticket:
        return self.do(ticket, "pengelola_pengaduan", "advance", when, outputs={
            "kategori_pengaduan": category, "kelas_pengaduan": kelas, "prioritas_pengaduan": "Biasa"})

    def dispose(self, ticket: Ticket, when: datetime, unit: str, referral: str = "") -> Ticket:
        outputs = {"unit_pengaduan_tujuan": unit} | ({"instansi_rujukan": referral} if referral else {})
        return self.do(ticket, "pengelola_pengaduan", "advance", when, outputs=outputs)

    def answer(self, ticket: Ticket, drafted: datetime, approved: datetime) -> tuple[Ticket, datetime | None]:
        """Draft and approve the answer; the ticket and the deadline it had just before the answer went out."""
        ticket = self.do(ticket, "unit_pengaduan", "advance", drafted,
                         outputs={"jawaban_pengaduan": "Sudah kami tindak lanjuti."})
        due = ticket.due_at
        return self.do(ticket, "penyetuju_jawaban", "advance", approved, outputs={"jawaban_disetujui": True}), due

    def close(self, ticket: Ticket, when: datetime) -> Ticket:
        return self.do(ticket, "pengelola_pengaduan", "advance", when, outputs={})

    def reopen(self, ticket: Ticket, when: datetime) -> Ticket:
        return self.do(ticket, "pengelola_pengaduan", "return", when, reason="Pelapor: belum selesai",
                       to_stage="tindak_lanjut_pengaduan")


def complaint(session: Session, received: datetime, kecamatan: str | None, **fields: Any) -> Ticket:
    values: dict[str, Any] = dict(nik=None, name=None, description="Pengaduan uji")
    return make_ticket(session, service=Service.PENGADUAN, now=received, kecamatan_code=kecamatan, **(values | fields))


def build_complaints(session: Session) -> dict[str, Expected]:
    """Complaints from late April to early June 2026; May has Friday 1 (Hari Buruh), 14-15 (Kenaikan and cuti
    bersama), 27-28 (Idul Adha and cuti bersama) and 31 (Waisak) closed besides the weekends."""
    desk = Desk(session)
    e: dict[str, Expected] = {}

    # April: disposed Thu 30 Apr 10:00, 14 working days skip 1 May, the weekends and 14-15 May: Mon 25 May
    # 10:00. Answered Tue 26 May: late. Counted in April's recap, and in May's answers on the dashboard.
    t = complaint(session, wib(4, 28, 10), "180601")
    t = desk.triage(t, wib(4, 29, 9), "Sikap petugas", COORDINATION)
    t = desk.dispose(t, wib(4, 30, 10), "Sekretariat")
    t, due = desk.answer(t, wib(5, 22, 9), wib(5, 26, 9))
    t = desk.close(t, wib(5, 27, 9))
    e["april"] = Expected(t, "Sikap petugas", "Sekretariat", "Kota Agung", ComplaintStatus.CLOSED, wib(5, 26, 9),
                          wib(5, 25, 10), (6 + 8 * 16 + 1) / 8, due)

    # Received Mon 4 May 09:00; disposed 11:00, due Mon 11 May 11:00; answered Fri 8 May 15:00, on time,
    # after 7 + 8 + 8 + 8 + 7 = 38 working hours.
    t = complaint(session, wib(5, 4, 9), "180601")
    t = desk.triage(t, wib(5, 4, 10), "Pelayanan lambat")
    t = desk.dispose(t, wib(5, 4, 11), "Sekretariat")
    t, due = desk.answer(t, wib(5, 8, 10), wib(5, 8, 15))
    t = desk.close(t, wib(5, 11, 9))
    e["slow"] = Expected(t, "Pelayanan lambat", "Sekretariat", "Kota Agung", ComplaintStatus.CLOSED, wib(5, 8, 15),
                         wib(5, 11, 11), 38 / 8, due)

    # Confidential pungli report. Disposed Wed 13 May 15:00: 14-15 May closed, due Fri 22 May 15:00;
    # answered Mon 25 May 10:00, late, after 2 + 40 + 2 working hours; waits for the citizen's verdict.
    t = complaint(session, wib(5, 13, 14), "180620", confidential=True, **HIDDEN)
    t = desk.triage(t, wib(5, 13, 14, 30), "Pungutan liar")
    t = desk.dispose(t, wib(5, 13, 15), "Bidang PIAK")
    t, due = desk.answer(t, wib(5, 22, 9), wib(5, 25, 10))
    e["pungli"] = Expected(t, "Pungutan liar", "Bidang PIAK", "Gisting", ComplaintStatus.ANSWERED, wib(5, 25, 10),
                           wib(5, 22, 15), 44 / 8, due)

    # Received on a Saturday, no kecamatan; referred Mon 18 May 09:00 (14 working days: Wed 10 June 09:00);
    # answered Tue 26 May 10:00 after 6 * 8 + 2 working hours; closed, and still counted as referred.
    t = complaint(session, wib(5, 16, 10), None)
    t = desk.triage(t, wib(5, 18, 8, 30), "Kesalahan data", COORDINATION)
    t = desk.dispose(t, wib(5, 18, 9), "Dirujuk ke instansi lain", "Dinas Sosial Kabupaten Tanggamus")
    t, due = desk.answer(t, wib(5, 25, 9), wib(5, 26, 10))
    t = desk.close(t, wib(5, 29, 9))
    e["referred"] = Expected(t, "Kesalahan data", "Dirujuk ke instansi lain", NO_KECAMATAN, ComplaintStatus.REFERRED,
                             wib(5, 26, 10), wib(6, 10, 9), 50 / 8, due)

    # Spam, closed at triage: no category, no unit.
    t = complaint(session, wib(5, 18, 10), "180601")
    t = desk.do(t, "pengelola_pengaduan", "reject", wib(5, 18, 11), reason="Pesan promosi, bukan pengaduan")
    e["spam"] = Expected(t, NO_CATEGORY, NO_UNIT, "Kota Agung", ComplaintStatus.DISMISSED)

    # Disposed Tue 19 May 10:00, due Tue 26 May 10:00, never answered.
    t = complaint(session, wib(5, 19, 9), "180603")
    t = desk.triage(t, wib(5, 19, 9, 30), "Sikap petugas")
    t = desk.dispose(t, wib(5, 19, 10), "UPT kecamatan")
    e["open"] = Expected(t, "Sikap petugas", "UPT kecamatan", "Wonosobo", ComplaintStatus.OPEN)

    # Triaged, not yet disposed.
    t = desk.triage(complaint(session, wib(5, 29, 15), "180601"), wib(5, 29, 15, 30), "Pelayanan lambat")
    e["triaged"] = Expected(t, "Pelayanan lambat", NO_UNIT, "Kota Agung", ComplaintStatus.OPEN)

    # The last half hour of May in WIB (still 31 May in UTC too), and the first of June (31 May in UTC).
    e["late_night"] = Expected(complaint(session, wib(5, 31, 23, 30), "180602"), NO_CATEGORY, NO_UNIT, "Talang Padang",
                               ComplaintStatus.OPEN)
    e["june"] = Expected(complaint(session, wib(6, 1, 0, 30), "180601"), NO_CATEGORY, NO_UNIT, "Kota Agung",
                         ComplaintStatus.OPEN)

    # Disposed Tue 5 May 10:00 (due Tue 12 May 10:00), answered the next day; the citizen said "belum" and
    # the second answer came late, but the first answer is the one counted: 7 + 2 working hours.
    t = complaint(session, wib(5, 5, 9), "180601")
    t = desk.triage(t, wib(5, 5, 9, 30), "Persyaratan")
    t = desk.dispose(t, wib(5, 5, 10), "Bidang Pelayanan Pendaftaran Penduduk")
    t, due = desk.answer(t, wib(5, 6, 9), wib(5, 6, 10))
    t = desk.reopen(t, wib(5, 7, 9))
    t, _ = desk.answer(t, wib(5, 22, 9), wib(5, 25, 11))
    t = desk.close(t, wib(5, 26, 9))
    e["reopened"] = Expected(t, "Persyaratan", "Bidang Pelayanan Pendaftaran Penduduk", "Kota Agung",
                             ComplaintStatus.CLOSED, wib(5, 6, 10), wib(5, 12, 10), 9 / 8, due)

    session.add(LaporRecord(ticket_id=e["slow"].ticket.id, tracking_number="LPR-2605-0042"))
    session.add(LaporRecord(ticket_id=e["pungli"].ticket.id, tracking_number="3107254"))
    session.commit()
    return e


def received_in_may(complaints: dict[str, Expected]) -> list[Expected]:
    """The complaints May's recap counts: received in May, WIB."""
    start, end = MAY.period.bounds()
    return [x for x in complaints.values() if start <= x.ticket.created_at < end]
