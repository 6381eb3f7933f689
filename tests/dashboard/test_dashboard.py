"""The dashboard: every number against a known set of tickets, the CSV exports, the period filter, who may look."""

from __future__ import annotations

import csv
import io
import re
import statistics
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any
from xml.etree import ElementTree

import pytest
from sqlmodel import Session, select

from routing import workflow
from layanan.clock import WIB
from routing.sla import working_time_between
from tests.tickets.conftest import login, make_staff, make_ticket
from tickets import dashboard_queries as q
from tickets.generate import generate_tickets
from tickets.models import StageEvent, Ticket
from layanan.clock import utcnow
from tests.support.workflows import TANGGAMUS

OCTOBER = q.Period(date(2026, 10, 1), date(2026, 10, 31))
HOUR = 3600.0


def wib(day: int, hour: int, minute: int = 0, month: int = 10) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WIB)


def with_history(session: Session, created: datetime, moves: list[tuple[str, str, datetime]],
                 **fields: Any) -> Ticket:
    """A ticket created at `created` that then made these (action, to_stage, when) moves."""
    ticket = make_ticket(session, now=created, **{k: v for k, v in fields.items() if k != "due_at"})
    stage = ticket.stage
    for action, to_stage, moment in moves:
        session.add(StageEvent(ticket_id=ticket.id, action=action, from_stage=stage,
                               to_stage=to_stage, created_at=moment))
        stage = to_stage
    ticket.stage = stage
    ticket.updated_at = max([created] + [moment for _, _, moment in moves])  # as every change of a ticket does
    ticket.due_at = fields.get("due_at")
    session.add(ticket)
    session.commit()
    return ticket


@pytest.fixture
def october(session: Session) -> dict[str, Ticket]:
    """Tickets around October 2026 whose every number is worked out by hand in the tests below."""
    now = utcnow()
    t = {}
    # Received Monday 5 Oct 06:00 WIB (Sunday in UTC): through the intake group in 4 working hours.
    t["t1"] = with_history(session, wib(5, 6), [
        ("claim", "intake", wib(5, 9)),  # claiming moves nothing and must not end a passage
        ("advance", "data_lifting", wib(5, 9, 30)), ("advance", "berkas_printing", wib(5, 10)),
        ("advance", "counter_registration", wib(5, 11)), ("advance", "kasi_verification", wib(5, 12)),
        ("advance", "data_entry", wib(6, 10)),
    ], service="ktp-el", channel="whatsapp", kecamatan_code="180601")
    # By phone; waited a working day for the citizen (not counted), still 17 working hours in the group.
    t["t2"] = with_history(session, wib(5, 10), [
        ("advance", "data_lifting", wib(5, 15)), ("ask_citizen", "waiting_citizen", wib(6, 9)),
        ("citizen_replied", "data_lifting", wib(7, 9)), ("advance", "berkas_printing", wib(7, 10)),
        ("advance", "counter_registration", wib(7, 11)), ("advance", "kasi_verification", wib(8, 11)),
    ], service="kk", channel="call-center", kecamatan_code="180620")
    # Rejected after an hour: finished within the mutu baku.
    t["t3"] = with_history(session, wib(6, 9), [("reject", "rejected", wib(6, 10))],
                           service="kia", channel="whatsapp", kecamatan_code="180601")
    # Received in September; its intake ended in October.
    t["t4"] = with_history(session, wib(30, 9, month=9), [("advance", "data_lifting", wib(1, 9))],
                           service="akta-kelahiran", kecamatan_code="180602")
    # Received in November: outside the period; not yet due.
    t["t5"] = with_history(session, wib(2, 9, month=11), [], service="kk", due_at=now + timedelta(days=1))
    # The last half hour of October in WIB (still the same day in UTC), and the first of November.
    # (A data correction: complaints run on their own SOP and its own dashboard.)
    t["t6"] = with_history(session, wib(31, 23, 30), [], service="perbaikan-data", kecamatan_code=None,
                           due_at=now - timedelta(days=1))
    t["t7"] = with_history(session, wib(1, 0, 30, month=11), [], service="kk", due_at=now - timedelta(days=2))
    # Berita acara: 9 working hours (late) and 4 (on time); both received in September.
    for key, entered, left in (("t8", wib(12, 9), wib(13, 10)), ("t9", wib(14, 9), wib(14, 13))):
        t[key] = with_history(session, wib(1, 9, month=9), [
            ("advance", "pdf_sending", wib(2, 9, month=9)), ("advance", "handover_batch", entered),
            ("advance", "courier_delivery", left)], service="ktp-el", kecamatan_code="180603")
    return t


def test_counts_of_tickets_received_in_the_period(session, october) -> None:  # type: ignore[no-untyped-def]
    definition = workflow(TANGGAMUS)
    kecamatan = {c.key: c.value for c in q.per_kecamatan(session, definition, OCTOBER)}
    services = {c.key: c.value for c in q.per_service(session, definition, OCTOBER)}
    channels = {c.key: c.value for c in q.per_channel(session, definition, OCTOBER)}
    weeks = [(c.key, c.value) for c in q.weekly_received(session, definition, OCTOBER)]

    assert kecamatan.pop("180601") == 2 and kecamatan.pop("180620") == 1 and kecamatan.pop("") == 1
    assert len(kecamatan) == 18 and set(kecamatan.values()) == {0}  # every other kecamatan listed, with 0
    assert services == {"ktp-el": 1, "kk": 1, "kia": 1, "pengaduan": 0, "akta-kelahiran": 0, "akta-kematian": 0,
                        "pindah": 0, "perbaikan-data": 1, "siaga": 0, "jemput-bola": 0}
    assert channels == {"whatsapp": 3, "call-center": 1}
    # 5 Oct 06:00 WIB is Sunday in UTC but Monday's week in Tanggamus.
    assert weeks == [("2026-09-28", 0), ("2026-10-05", 3), ("2026-10-12", 0), ("2026-10-19", 0), ("2026-10-26", 1)]


def test_tickets_per_stage_now_with_overdue(session, october) -> None:  # type: ignore[no-untyped-def]
    rows = {r.key: (r.tickets, r.overdue) for r in q.tickets_per_stage(session, workflow(TANGGAMUS), utcnow())}

    assert rows["intake"] == (3, 2)
    assert rows["data_lifting"] == (1, 0) and rows["kasi_verification"] == (1, 0) and rows["data_entry"] == (1, 0)
    assert rows["courier_delivery"] == (2, 0) and rows["rejected"] == (1, 0)
    assert sum(n for n, _ in rows.values()) == 9
    assert list(rows)[:3] == ["intake", "data_lifting", "berkas_printing"]  # SOP order


def test_stage_medians_and_mutu_baku_compliance(session, october) -> None:  # type: ignore[no-untyped-def]
    times = q.stage_times(session, workflow(TANGGAMUS), OCTOBER)
    medians = {s.key: (s.passages, s.median_seconds) for s in times.stages}
    sla = {u.key: (u.passages, u.within) for u in times.sla}

    assert medians["intake"] == (4, statistics.median([1.5, 5, 1, 8]) * HOUR)
    assert medians["data_lifting"] == (2, statistics.median([0.5, 3]) * HOUR)  # t2's wait left out
    assert medians["berkas_printing"] == (2, 1 * HOUR)
    assert medians["counter_registration"] == (2, statistics.median([1, 8]) * HOUR)
    assert medians["kasi_verification"] == (1, 6 * HOUR)
    assert medians["handover_batch"] == (2, statistics.median([9, 4]) * HOUR)
    # pdf_sending passages began in September; measured against the office calendar directly.
    expected_pdf = statistics.median(
        working_time_between(wib(2, 9, month=9), left).total_seconds() for left in (wib(12, 9), wib(14, 9)))
    assert medians["pdf_sending"] == (2, pytest.approx(expected_pdf))
    assert medians["data_entry"] == (0, None) and medians["archive"] == (0, None)
    # Intake group: t1 4 h and t3 1 h within a working day, t2 17 h not; t4 has not left the group yet.
    assert sla == {"sla:penerimaan": (3, 2), "sla:berita_acara": (2, 1)}


def test_passages_that_end_outside_the_period_do_not_count(session, october) -> None:  # type: ignore[no-untyped-def]
    first_week = q.stage_times(session, workflow(TANGGAMUS), q.Period(date(2026, 10, 5), date(2026, 10, 6)))
    sla = {u.key: (u.passages, u.within) for u in first_week.sla}
    medians = {s.key: s.passages for s in first_week.stages}

    assert sla == {"sla:penerimaan": (2, 2), "sla:berita_acara": (0, 0)}  # t1 and t3; t2 left on the 8th
    assert medians["intake"] == 3 and medians["data_lifting"] == 1 and medians["kasi_verification"] == 1


def csv_rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # the charset named once
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_exports_hold_the_same_numbers(http, session, october) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "kasi_identitas")
    login(http, "kasi-identitas")
    period = {"dari": "2026-10-01", "sampai": "2026-10-31"}

    kecamatan = csv_rows(http.get("/dasbor/kecamatan.csv", params=period))
    assert kecamatan[0] == ["kode_kecamatan", "kecamatan", "jumlah_tiket"]
    assert kecamatan[1:3] == [["180601", "Kota Agung", "2"], ["180620", "Gisting", "1"]]
    assert kecamatan[-1] == ["", "Tanpa kecamatan", "1"] and len(kecamatan) == 1 + 21
    assert csv_rows(http.get("/dasbor/kanal.csv", params=period))[1:] == [
        ["whatsapp", "WhatsApp", "3", "75.0"], ["call-center", "Call center", "1", "25.0"]]
    services = {row[0]: row[2] for row in csv_rows(http.get("/dasbor/layanan.csv", params=period))[1:]}
    assert services["perbaikan-data"] == "1" and services["pindah"] == "0"
    assert [r[2] for r in csv_rows(http.get("/dasbor/tren-mingguan.csv", params=period))[1:]] == \
        ["0", "3", "0", "0", "1"]
    sla = csv_rows(http.get("/dasbor/mutu-baku.csv", params=period))
    assert sla[0] == ["kode", "mutu_baku", "tahap", "batas_jam_kerja", "selesai", "tepat_waktu", "persen"]
    assert [r[0] for r in sla[1:]] == ["penerimaan", "berita_acara"]
    assert sla[1][2:] == ["intake data_lifting berkas_printing counter_registration", "8.00", "3", "2", "66.7"]
    assert sla[2][3:] == ["8.00", "2", "1", "50.0"]
    stage_times = {r[0]: r[2:] for r in csv_rows(http.get("/dasbor/waktu-tahap.csv", params=period))[1:]}
    assert stage_times["intake"] == ["4", "3.25"] and stage_times["data_entry"] == ["0", ""]
    stages = {r[0]: r[2:] for r in csv_rows(http.get("/dasbor/tahap.csv", params=period))[1:]}
    assert stages["intake"] == ["3", "2"] and stages["courier_delivery"] == ["2", "0"]
    disposition = http.get("/dasbor/tahap.csv", params=period).headers["Content-Disposition"]
    assert 'filename="dasbor-tahap-2026-10-01_2026-10-31.csv"' in disposition


def test_page_shows_every_chart_as_valid_svg_with_its_numbers(http, session, october) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "kepala_dinas")
    login(http, "kepala-dinas")
    page = http.get("/dasbor/", params={"dari": "2026-10-01", "sampai": "2026-10-31"})

    assert page.status_code == 200
    assert "1 Oktober 2026 s.d. 31 Oktober 2026" in page.text
    svgs = re.findall(r"<svg[^>]*role=\"img\".*?</svg>", page.text, flags=re.S)  # the charts, not the icons
    assert len(svgs) == 7
    titles = []
    for svg in svgs:
        root = ElementTree.fromstring(svg)  # well-formed XML
        title = root.find("{http://www.w3.org/2000/svg}title")
        assert title is not None and title.text
        titles.append(title.text)
        assert root.get("role") == "img"
    assert "Kepatuhan mutu baku" in titles and "Call center dan WhatsApp" in titles
    kecamatan = svgs[titles.index("Tiket masuk per kecamatan")]
    assert "<title>Kota Agung: 2</title>" in kecamatan and "<title>Gisting: 1</title>" in kecamatan
    assert "66,7% dari 3" in svgs[titles.index("Kepatuhan mutu baku")]
    assert "3 tiket (75,0%)" in svgs[titles.index("Call center dan WhatsApp")]
    stages = svgs[titles.index("Tiket per tahap saat ini")]
    assert "<title>Penerimaan permohonan WA: 3 (2 terlambat)</title>" in stages
    assert "Ditolak" not in stages and "Ditolak: 1" in page.text  # finished tickets in words, not as a bar
    links = re.findall(r'href="(/dasbor/[a-z-]+\.csv\?[^"]+)"', page.text)
    assert len(links) == 7
    assert all("dari=2026-10-01" in link and "sampai=2026-10-31" in link for link in links)
    assert http.get(links[0].replace("&amp;", "&")).status_code == 200
    # The back-office navigation links here for this role.
    assert 'href="/dasbor/"' in http.get("/antrian").text


def test_default_period_is_this_month_and_bad_dates_say_so(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "kabid")
    login(http, "kabid")
    this_month = q.Period.month_of(q.today_wib(utcnow()))

    assert this_month.label in http.get("/dasbor/").text
    bad = http.get("/dasbor/", params={"dari": "2026-13-01", "sampai": "2026-10-31"})
    assert bad.status_code == 200
    assert "Tanggal tidak dikenali" in bad.text and this_month.label in bad.text
    backwards = http.get("/dasbor/", params={"dari": "2026-10-31", "sampai": "2026-10-01"})
    assert "tidak boleh sebelum tanggal awal" in backwards.text
    too_long = http.get("/dasbor/", params={"dari": "2024-01-01", "sampai": "2026-10-01"})
    assert "paling panjang 366 hari" in too_long.text
    refused = http.get("/dasbor/kecamatan.csv", params={"dari": "kemarin"})
    assert refused.status_code == 400 and "Tanggal tidak dikenali" in refused.text
    assert http.get("/dasbor/tidak-ada.csv").status_code == 404


@pytest.mark.parametrize("role", ["kasi_identitas", "kasi_inovasi", "kabid", "kepala_dinas", "admin"])
def test_section_heads_and_admin_may_open_it(http, session, role) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, role, username="kepala")
    login(http, "kepala")
    assert http.get("/dasbor/").status_code == 200
    assert http.get("/dasbor/tahap.csv").status_code == 200


@pytest.mark.parametrize("role", ["wa_receiver", "call_center_agent", "upt_officer", "sorter"])
def test_other_roles_get_403(http, session, role) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, role, username="petugas", kecamatan_code="180601" if role == "upt_officer" else None)
    login(http, "petugas")
    assert http.get("/dasbor/").status_code == 403
    assert http.get("/dasbor/kecamatan.csv").status_code == 403
    assert 'href="/dasbor/"' not in http.get("/antrian").text


def test_anonymous_visitors_are_sent_to_log_in(http) -> None:  # type: ignore[no-untyped-def]
    response = http.get("/dasbor/", allow_redirects=False)
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]
    assert http.get("/dasbor/tahap.csv", allow_redirects=False).status_code == 302


def test_generated_month_matches_a_direct_count(session) -> None:  # type: ignore[no-untyped-def]
    generate_tickets(session, 400, start=datetime(2026, 9, 14, tzinfo=WIB), end=datetime(2026, 11, 1, tzinfo=WIB),
                     seed=21)
    definition = workflow(TANGGAMUS)
    start, end = OCTOBER.bounds()
    tickets = session.exec(select(Ticket)).all()
    received = [t for t in tickets if start <= t.created_at < end]

    def counted(rows: list[q.Count]) -> Counter[str]:
        return Counter({c.key: c.value for c in rows if c.value})

    assert counted(q.per_kecamatan(session, definition, OCTOBER)) == \
        Counter(t.kecamatan_code or "" for t in received)
    assert counted(q.per_service(session, definition, OCTOBER)) == Counter(t.service for t in received)
    assert counted(q.per_channel(session, definition, OCTOBER)) == Counter(t.channel for t in received)
    weeks = Counter()
    for t in received:
        day = t.created_at.astimezone(WIB).date()
        weeks[(day - timedelta(days=day.weekday())).isoformat()] += 1
    assert counted(q.weekly_received(session, definition, OCTOBER)) == weeks
    now = utcnow()
    stages = {r.key: (r.tickets, r.overdue) for r in q.tickets_per_stage(session, definition, now)}
    assert stages == {s.key: (sum(t.stage == s.key for t in tickets),
                              sum(t.stage == s.key and t.due_at is not None and t.due_at < now for t in tickets))
                      for s in definition.stages}
    times = q.stage_times(session, definition, OCTOBER)
    # Each advance, return or reject in October ends one stage passage (asking the citizen only pauses one).
    ends = session.exec(select(StageEvent.id).where(StageEvent.created_at >= start, StageEvent.created_at < end,
                                                    StageEvent.action.in_(["advance", "return", "reject"]))).all()  # type: ignore[attr-defined]
    assert sum(s.passages for s in times.stages) == len(ends) > 0
    assert all(u.passages >= u.within for u in times.sla) and times.sla[0].passages > 0


def test_kpi_tiles_agree_with_a_direct_count(http, session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    now = datetime(2026, 12, 15, 5, 0, tzinfo=UTC)  # 12:00 WIB
    monkeypatch.setattr("tickets.dashboard_views.utcnow", lambda: now)
    make_staff(session, "kasi_identitas")
    definition = workflow(TANGGAMUS)
    make_ticket(session, due_at=now - timedelta(hours=2))  # open, overdue
    make_ticket(session, due_at=now + timedelta(days=1))  # open
    make_ticket(session, stage="sorting", due_at=None)  # open, no deadline
    done = [make_ticket(session, stage=definition.done_stage.key, due_at=None) for _ in range(3)]
    for ticket, moment in zip(done, (now - timedelta(days=2), datetime(2026, 11, 30, 16, 59, tzinfo=UTC),
                                     datetime(2026, 11, 30, 17, 1, tzinfo=UTC))):  # 23:59 and 00:01 WIB
        session.add(StageEvent(ticket_id=ticket.id, action="advance", from_stage="archive",
                               to_stage=definition.done_stage.key, created_at=moment))
    session.commit()

    login(http, "kasi-identitas")
    page = http.get("/dasbor/").text
    tiles = dict(re.findall(r'data-kpi="([a-z-]+)"><span class="value">([^<]+)</span>', page))

    still_open = [t for t in session.exec(select(Ticket)).all() if not definition.is_terminal(t.stage)]
    assert tiles["open"] == str(len(still_open)) == "3"
    assert tiles["overdue"] == str(sum(1 for t in still_open if t.due_at and t.due_at < now)) == "1"
    assert tiles["done"] == "2"  # this month in WIB: the one on 30 November 23:59 WIB is last month's
    sla = q.stage_times(session, definition, q.Period.month_of(date(2026, 12, 15))).sla
    passages = sum(c.passages for c in sla)
    assert tiles["on-time"] == (f"{round(100 * sum(c.within for c in sla) / passages)}%" if passages else "—")
