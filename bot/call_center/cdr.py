"""Call-detail records from the PBX (Asterisk's Master.csv): read, import, match to logged calls.

Asterisk's cdr_csv writes one quoted row per call, without a header, in this order: accountcode,
src, dst, dcontext, clid, channel, dstchannel, lastapp, lastdata, start, answer, end, duration,
billsec, disposition, amaflags, then uniqueid (with `loguniqueid`) and userfield (`loguserfield`);
newer versions may append more columns, which are ignored. Times are the PBX's local time unless
`usegmtime` is set: CALL_CDR_TIMEZONE says which.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlmodel import Session, col, select

from bot.call_center.models import CallLog, CallRecord
from layanan.ids import parse_id
from layanan.phone import InvalidPhone, normalize_phone
from layanan.clock import utcnow

COLUMNS = ("accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp", "lastdata",
           "start", "answer", "end", "duration", "billsec", "disposition", "amaflags", "uniqueid")
DISPOSITIONS = frozenset({"ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION"})
ANSWERED = "ANSWERED"
MAX_ROWS = 50_000
# A call is logged while the caller is on the line or shortly after: this is how far we look.
MATCH_BEFORE = timedelta(minutes=2)
MATCH_AFTER = timedelta(minutes=30)
_TIME_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")
_CLID_NUMBER = re.compile(r"<([^>]*)>")


class CdrFileError(ValueError):
    """The file as a whole cannot be read (not text, empty, far too big)."""


@dataclass(frozen=True)
class CdrRow:
    line: int
    uniqueid: str
    source_number: str
    phone: str | None
    destination: str
    caller_id: str
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime
    duration: int
    billsec: int
    disposition: str


@dataclass
class ImportResult:
    imported: int = 0
    matched: int = 0
    duplicates: list[int] = field(default_factory=list)  # line numbers already imported (file or database)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, what is wrong); nothing stored then


def read_master_csv(data: bytes, timezone: str) -> tuple[list[CdrRow], list[tuple[int, str]]]:
    """Parse the file; return its rows and, per bad line, what is wrong with it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # older PBXs write caller names in Latin-1
    if "\x00" in text:
        raise CdrFileError("Berkas bukan teks CSV.")
    zone = ZoneInfo(timezone)
    rows: list[CdrRow] = []
    errors: list[tuple[int, str]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    for fields in reader:
        line = reader.line_num
        if line > MAX_ROWS:
            raise CdrFileError(f"Berkas terlalu besar: maksimal {MAX_ROWS} baris per impor.")
        if not fields or all(not f.strip() for f in fields):
            continue
        if line == 1 and [f.strip().lower() for f in fields[:2]] == ["accountcode", "src"]:
            continue  # a header row some exports add
        try:
            rows.append(_row(line, fields, zone))
        except ValueError as exc:
            errors.append((line, str(exc)))
    if not rows and not errors:
        raise CdrFileError("Berkas kosong: tidak ada baris rekaman panggilan.")
    return rows, errors


def _row(line: int, fields: list[str], zone: ZoneInfo) -> CdrRow:
    if len(fields) < len(COLUMNS):
        raise ValueError(f"kolom hanya {len(fields)}, seharusnya minimal {len(COLUMNS)} "
                         "(format Master.csv Asterisk dengan uniqueid)")
    value = dict(zip(COLUMNS, (f.strip() for f in fields)))
    if not value["uniqueid"]:
        raise ValueError("uniqueid kosong (aktifkan loguniqueid di cdr.conf)")
    disposition = value["disposition"].upper()
    if disposition not in DISPOSITIONS:
        raise ValueError(f"disposition tidak dikenal: {value['disposition'] or '(kosong)'}")
    started = _time(value["start"], "start", zone)
    ended = _time(value["end"], "end", zone)
    answered = _time(value["answer"], "answer", zone) if value["answer"] else None
    duration, billsec = _seconds(value["duration"], "duration"), _seconds(value["billsec"], "billsec")
    if ended < started:
        raise ValueError("waktu end lebih awal dari start")
    number = value["src"] or _clid_number(value["clid"])
    return CdrRow(
        line=line, uniqueid=value["uniqueid"][:150], source_number=number[:80], phone=_mobile(number),
        destination=value["dst"][:80], caller_id=value["clid"][:200], started_at=started, answered_at=answered,
        ended_at=ended, duration=duration, billsec=billsec, disposition=disposition,
    )


def _time(raw: str, name: str, zone: ZoneInfo) -> datetime:
    # The exact shape first, then the fast C parser (strptime is several times slower on big files).
    try:
        if not _TIME_SHAPE.fullmatch(raw):
            raise ValueError(raw)
        return datetime.fromisoformat(raw).replace(tzinfo=zone)
    except ValueError:
        raise ValueError(f"waktu {name} tidak terbaca: {raw or '(kosong)'} (format YYYY-MM-DD HH:MM:SS)") from None


def _seconds(raw: str, name: str) -> int:
    seconds = parse_id(raw)  # a whole number an integer column holds
    if seconds is None:
        raise ValueError(f"{name} bukan bilangan detik: {raw or '(kosong)'}")
    return seconds


def _clid_number(clid: str) -> str:
    found = _CLID_NUMBER.search(clid)
    return found.group(1).strip() if found else clid.strip()


@lru_cache(maxsize=8192)  # the same callers ring again and again; phonenumbers is the slow part of a row
def _mobile(number: str) -> str | None:
    """The caller's E.164 number when it is a mobile one; extensions and landlines stay unmatched."""
    try:
        return normalize_phone(number)
    except InvalidPhone:
        return None


def import_records(session: Session, data: bytes, *, timezone: str, imported_by_id: int | None) -> ImportResult:
    """Import a Master.csv: all of it or, when any line is bad, nothing; commits on success.

    Rows whose uniqueid is already stored (or repeats in the file) are skipped, so importing the
    same file again adds nothing.
    """
    rows, errors = read_master_csv(data, timezone)
    result = ImportResult(errors=errors)
    if errors:
        return result
    known = _known_uniqueids(session, [r.uniqueid for r in rows])
    fresh: list[CdrRow] = []
    for row in rows:
        if row.uniqueid in known:
            result.duplicates.append(row.line)
        else:
            known.add(row.uniqueid)
            fresh.append(row)
    candidates, taken = _candidate_calls(session, fresh)
    now = utcnow()
    values: list[dict[str, object]] = []
    for row in fresh:
        call = _closest_call(row, candidates.get(row.phone or "", []), taken)
        if call is not None and call.id is not None:
            taken.add(call.id)
            result.matched += 1
        values.append({
            "uniqueid": row.uniqueid, "source_number": row.source_number, "phone": row.phone,
            "destination": row.destination, "caller_id": row.caller_id, "started_at": row.started_at,
            "answered_at": row.answered_at, "ended_at": row.ended_at, "duration": row.duration,
            "billsec": row.billsec, "disposition": row.disposition, "imported_by_id": imported_by_id,
            "call_log_id": call.id if call is not None else None, "imported_at": now,
        })
    # Plain multi-row inserts: building an ORM object per row costs more than the database does.
    for i in range(0, len(values), _CHUNK):
        session.execute(insert(CallRecord.__table__), values[i:i + _CHUNK])  # type: ignore[arg-type]
    result.imported = len(values)
    session.commit()
    return result


_CHUNK = 500  # values per IN (...) list, well under every database's parameter limit


def _known_uniqueids(session: Session, uniqueids: list[str]) -> set[str]:
    known: set[str] = set()
    for i in range(0, len(uniqueids), _CHUNK):
        chunk = uniqueids[i:i + _CHUNK]
        known.update(session.exec(select(CallRecord.uniqueid).where(col(CallRecord.uniqueid).in_(chunk))))
    return known


def _candidate_calls(session: Session, rows: list[CdrRow]) -> tuple[dict[str, list[CallLog]], set[int]]:
    """Logged calls that answered rows may match, by phone, and those already linked to a record."""
    answered = [r for r in rows if r.disposition == ANSWERED and r.phone]
    if not answered:
        return {}, set()
    low = min(r.started_at for r in answered) - MATCH_BEFORE
    high = max(r.ended_at for r in answered) + MATCH_AFTER
    phones = sorted({r.phone for r in answered if r.phone})
    by_phone: dict[str, list[CallLog]] = {}
    for i in range(0, len(phones), _CHUNK):
        for call in session.exec(select(CallLog).where(
                col(CallLog.phone).in_(phones[i:i + _CHUNK]), col(CallLog.called_at) >= low,
                col(CallLog.called_at) <= high)):
            by_phone.setdefault(call.phone, []).append(call)
    ids = [c.id for calls in by_phone.values() for c in calls]
    taken: set[int] = set()
    for i in range(0, len(ids), _CHUNK):
        taken.update(x for x in session.exec(select(CallRecord.call_log_id).where(
            col(CallRecord.call_log_id).in_(ids[i:i + _CHUNK]))) if x is not None)
    return by_phone, taken


def _closest_call(row: CdrRow, calls: list[CallLog], taken: set[int]) -> CallLog | None:
    """The unlinked call logged for an answered row's number closest to its start, within the window."""
    if row.disposition != ANSWERED:
        return None
    fitting = [c for c in calls if c.id not in taken
               and row.started_at - MATCH_BEFORE <= c.called_at <= row.ended_at + MATCH_AFTER]
    return min(fitting, key=lambda c: abs((c.called_at - row.started_at).total_seconds()), default=None)


def link_record(session: Session, call: CallLog, record_id: int | None) -> None:
    """Link a just-logged call to its PBX record: the one the agent completed, or one matching in time."""
    if record_id is not None:
        record = session.get(CallRecord, record_id)
        if record is not None and record.call_log_id is None:
            record.call_log_id = call.id
            session.add(record)
        return
    record = session.exec(
        select(CallRecord).where(
            CallRecord.phone == call.phone, CallRecord.disposition == ANSWERED,
            col(CallRecord.call_log_id).is_(None),
            col(CallRecord.started_at) >= call.called_at - MATCH_AFTER - timedelta(hours=1),
            col(CallRecord.started_at) <= call.called_at + MATCH_BEFORE,
        ).order_by(col(CallRecord.started_at).desc())
    ).first()
    if record is not None and record.ended_at + MATCH_AFTER >= call.called_at:
        record.call_log_id = call.id
        session.add(record)


def unlogged_answered(session: Session, limit: int = 200) -> list[CallRecord]:
    """Answered calls the PBX recorded that no agent has logged yet, newest first."""
    return list(session.exec(
        select(CallRecord).where(CallRecord.disposition == ANSWERED, col(CallRecord.call_log_id).is_(None))
        .order_by(col(CallRecord.started_at).desc()).limit(limit)
    ))
