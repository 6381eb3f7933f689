"""Importing the PBX's Master.csv: all or nothing, no duplicates, matched to logged calls by number and time."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import datetime
from html import unescape
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.call_center.models import CallLog, CallRecord
from tests.call_center.conftest import log_call_via_form
from tests.tickets.conftest import csrf_token, login, make_staff

WIB = ZoneInfo("Asia/Jakarta")


def cdr_row(uniqueid: str, src: str, start: str, *, answer: str | None = None, end: str | None = None,
            billsec: int = 120, disposition: str = "ANSWERED") -> list[str]:
    """One Master.csv row as Asterisk's cdr_csv writes it (loguniqueid and loguserfield on)."""
    answer = start if answer is None else answer
    end = end or start
    return ["", src, "100", "from-pstn", f'"Penelepon" <{src}>', "SIP/trunk-0001", "SIP/100-0002", "Dial",
            "SIP/100,30", start, answer, end, str(billsec + 5), str(billsec), disposition, "DOCUMENTATION",
            uniqueid, ""]


def master_csv(*rows: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode()


GOOD = cdr_row("1763870000.1", "081298765432", "2026-11-23 09:00:00", end="2026-11-23 09:04:00", billsec=235)
UNLOGGED = cdr_row("1763870000.2", "6281311112222", "2026-11-23 09:10:00", end="2026-11-23 09:12:00")
MISSED = cdr_row("1763870000.3", "081399998888", "2026-11-23 09:20:00", answer="", end="2026-11-23 09:20:30",
                 billsec=0, disposition="NO ANSWER")
EXTENSION = cdr_row("1763870000.4", "201", "2026-11-23 09:30:00", end="2026-11-23 09:31:00")


def upload(http, data: bytes):  # type: ignore[no-untyped-def]
    page = http.get("/call-center/rekaman")
    return http.post("/call-center/rekaman", data={"csrf_token": csrf_token(page.text)},
                     files={"berkas": ("Master.csv", data, "text/csv")})


def test_bad_rows_are_reported_line_by_line_and_nothing_is_imported(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "call_center_agent")
    login(http, "call-center-agent")
    short = GOOD[:10]
    bad_time = cdr_row("1763870000.8", "081298765432", "23/11/2026 09:00")
    bad_disposition = cdr_row("1763870000.9", "081298765432", "2026-11-23 09:00:00", disposition="MAYBE")
    response = upload(http, master_csv(GOOD, GOOD, short, UNLOGGED, bad_time, bad_disposition))
    assert response.status_code == 422
    page = unescape(response.text)
    errors = re.findall(r"<li>(Baris \d+: [^<]+)</li>", page)
    assert [e.split(":")[0] for e in errors] == ["Baris 3", "Baris 5", "Baris 6"]
    assert "kolom hanya 10" in errors[0]
    assert "waktu start tidak terbaca: 23/11/2026 09:00" in errors[1]
    assert "disposition tidak dikenal: MAYBE" in errors[2]
    assert "Tidak ada yang diimpor" in page
    assert session.exec(select(CallRecord)).all() == []


def test_good_rows_are_imported_matched_and_duplicates_skipped(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "call_center_agent")
    login(http, "call-center-agent")
    log_call_via_form(http, outcome="answered", topic="kk")
    call = session.exec(select(CallLog)).one()
    call.called_at = datetime(2026, 11, 23, 9, 3, tzinfo=WIB)  # logged while the caller was on the line
    session.add(call)
    session.commit()

    first = upload(http, master_csv(GOOD, UNLOGGED, MISSED, EXTENSION, UNLOGGED))
    assert first.status_code == 200
    summary = " ".join(unescape(first.text).split())
    assert "Diimpor 4 rekaman, 1 cocok dengan panggilan tercatat, 1 dilewati karena sudah pernah diimpor (baris 5)" \
        in summary
    matched = session.exec(select(CallRecord).where(CallRecord.uniqueid == "1763870000.1")).one()
    assert matched.call_log_id == call.id
    assert matched.started_at == datetime(2026, 11, 23, 2, 0, tzinfo=ZoneInfo("UTC"))  # read as WIB

    # Answered calls nobody logged: the mobile caller and the internal extension; not the missed call.
    assert re.findall(r'data-uniqueid="([^"]+)"', first.text) == ["1763870000.4", "1763870000.2"]

    again = " ".join(unescape(upload(http, master_csv(GOOD, UNLOGGED, MISSED, EXTENSION)).text).split())
    assert "Diimpor 0 rekaman, 0 cocok dengan panggilan tercatat, 4 dilewati" in again
    assert len(session.exec(select(CallRecord)).all()) == 4


def test_an_agent_completes_an_unlogged_answered_call(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "call_center_agent")
    login(http, "call-center-agent")
    upload(http, master_csv(UNLOGGED))
    record = session.exec(select(CallRecord)).one()
    form = http.get(f"/call-center/?rekaman={record.id}")
    assert 'value="+6281311112222"' in form.text and "Melengkapi panggilan terjawab" in form.text
    key = re.search(r'name="client_key" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    saved = http.post("/call-center/", data={
        "csrf_token": csrf_token(form.text), "client_key": key, "rekaman": str(record.id),
        "phone": "+6281311112222", "caller_name": "Sri Wahyuni", "topic": "akta-kelahiran", "outcome": "answered",
        "kecamatan": "", "nik": "", "notes": "Menanyakan syarat akta kelahiran"})
    assert saved.status_code == 200
    session.refresh(record)
    call = session.exec(select(CallLog)).one()
    assert record.call_log_id == call.id
    assert call.called_at == record.started_at
    assert 'data-uniqueid="1763870000.2"' not in http.get("/call-center/rekaman").text


def test_a_call_logged_after_the_import_is_matched_too(http, session) -> None:  # type: ignore[no-untyped-def]
    from bot.call_center.services import log_call, parse_call
    from tests.call_center.conftest import call_form

    make_staff(session, "call_center_agent")
    login(http, "call-center-agent")
    upload(http, master_csv(GOOD))
    draft, _ = parse_call(call_form(outcome="answered"))
    draft = replace(draft, called_at=datetime(2026, 11, 23, 9, 5, tzinfo=WIB))  # type: ignore[type-var]
    call = log_call(session, draft, agent_id=None)
    record = session.exec(select(CallRecord)).one()
    assert record.call_log_id == call.id


def test_a_file_that_is_not_a_cdr_export_is_refused(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "call_center_agent")
    login(http, "call-center-agent")
    assert "Berkas kosong" in unescape(upload(http, b"\n\n").text)
    assert "Berkas bukan teks CSV" in unescape(upload(http, b"\x89PNG\r\n\x1a\n\x00\x00").text)
    assert session.exec(select(CallRecord)).all() == []
