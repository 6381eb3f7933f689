"""Realistic tickets in bulk, for dashboards, reports and benchmarks: seeded, so the same call gives the same data.

Each ticket gets an applicant (a NIK of valid structure registered in a Tanggamus kecamatan, a name, an
E.164 phone), a service and channel in plausible shares, and walks the SOP chain from its creation with
the stage events that got it where it is: staff act in office hours, some steps take long enough to be
late, some tickets are returned, wait for the citizen or are rejected. Whatever would happen after the
end of the period has not happened yet, so recent tickets are still in the early stages.

Rows are written with SQLAlchemy Core executemany in chunks, with ids assigned here (the generator
must be the only writer while it runs); afterwards the id sequences (PostgreSQL) and the ticket and
registration number sequences continue after the generated rows.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Integer, String, Table, func, insert, select, text
from sqlalchemy.types import TypeDecorator
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

import functools
from pathlib import Path

import yaml
from psycopg.types.json import Json

from layanan import db
from layanan.clock import WIB, office_year, utcnow
from routing import workflow_for
from routing.definition import Action, Definition, FieldType, OutputSource, RoleDuty, Stage, StageKind
from tickets.constants import Channel, Service
from tickets.kecamatan import KECAMATAN
from tickets.models import Applicant, NumberSequence, StageEvent, Ticket
from tickets.numbering import ticket_number
from tickets.services import NUMBER_SEQUENCE
from tickets.work_clock import WorkClock
from tickets.workflow_service import REGISTER_SEQUENCE, registration_number

Progress = Callable[[int, int], None]

# Shares seen in a civil registry office: identity cards and family cards dominate.
SERVICE_WEIGHTS: dict[Service, int] = {
    Service.KTP_EL: 30, Service.KK: 24, Service.AKTA_KELAHIRAN: 15, Service.KIA: 8, Service.PINDAH: 7,
    Service.PERBAIKAN_DATA: 6, Service.AKTA_KEMATIAN: 4, Service.PENGADUAN: 6,
}
CHANNEL_WEIGHTS: dict[Channel, int] = {Channel.WHATSAPP: 72, Channel.CALL_CENTER: 28}
# Rough population weights: the regency seat and the market towns send the most.
KECAMATAN_WEIGHTS: dict[str, int] = {
    "180601": 12, "180602": 10, "180611": 9, "180620": 8, "180603": 7, "180604": 7, "180612": 6,
    "180613": 5, "180615": 5, "180619": 5, "180618": 4, "180621": 4, "180624": 4, "180625": 4,
    "180626": 4, "180609": 3, "180616": 3, "180617": 2, "180627": 2, "180628": 2,
}
NO_KECAMATAN_SHARE = 0.02  # the bot could not tell the kecamatan

# Working hours a step usually takes, per SOP (data, like the SOP itself); LONG_STEP_SHARE is how
# often a step drags on (the late tickets).
PROFILE_FILE = Path(__file__).with_name("generate_profile.yaml")
DEFAULT_STEP_HOURS = 2.0
LONG_STEP_SHARE = 0.12
REJECT_SHARE = 0.02
ASK_CITIZEN_SHARE = 0.06
RETURN_SHARE = 0.025

FIRST_NAMES = (
    "Siti", "Ahmad", "Muhammad", "Nur", "Dewi", "Budi", "Sri", "Agus", "Rina", "Joko", "Wahyu", "Fitri", "Andi",
    "Eka", "Yuliana", "Rudi", "Ratna", "Hendra", "Lestari", "Bambang", "Suryani", "Dedi", "Indah", "Slamet",
    "Putri", "Rahmat", "Ayu", "Heri", "Maya", "Sutrisno", "Aminah", "Fajar", "Nurhayati", "Iwan", "Wulan",
)
LAST_NAMES = (
    "Aminah", "Saputra", "Lestari", "Wijaya", "Pratama", "Susanti", "Hidayat", "Rahayu", "Setiawan", "Kurniawan",
    "Handayani", "Nugroho", "Sari", "Santoso", "Purnama", "Yusuf", "Harahap", "Siregar", "Ramadhan", "Maulana",
    "Anggraini", "Firmansyah", "Wati", "Gunawan", "Fauzi", "Marlina", "Syahputra", "Utami", "Effendi", "Hasibuan",
)
# Indonesian mobile prefixes after +62 (Telkomsel, Indosat, XL, Tri, Smartfren).
MOBILE_PREFIXES = ("811", "812", "813", "821", "822", "823", "852", "853", "814", "815", "856", "857", "858",
                   "817", "818", "819", "859", "877", "878", "895", "896", "897", "898", "899", "881", "882")
RETURN_REASONS = ("Data pada formulir tidak sesuai dengan berkas.", "Hasil cetak kurang jelas, mohon dicetak ulang.",
                  "Nomor registrasi belum tercatat di buku.", "Nama pada berkas berbeda ejaan dengan KK.")
ASK_REASONS = ("Foto KK kurang jelas, mohon kirim ulang.", "Mohon lampirkan surat pengantar dari desa.",
               "Mohon kirim foto akta kelahiran anak.", "Mohon lampirkan surat keterangan kematian dari desa.")
REJECT_REASONS = ("Berkas yang sama sudah pernah diajukan.", "Pemohon bukan penduduk Kabupaten Tanggamus.",
                  "Pemohon tidak melengkapi berkas dalam batas waktu.", "Permohonan ini tidak dapat dilayani daring.")
COMPLAINTS = ("KTP-el saya belum jadi padahal sudah lama.", "Antrian di kantor terlalu panjang.",
              "Petugas di kecamatan sulit dihubungi.", "Data di KK saya salah tulis tanggal lahir.")


@dataclass
class GenerationSummary:
    """What a generator run wrote."""

    tickets: int = 0
    applicants: int = 0
    events: int = 0
    first_number: str | None = None
    last_number: str | None = None
    by_stage: dict[str, int] = field(default_factory=dict)


@dataclass
class _Counters:
    """Ids and yearly sequences, taken from the database once and advanced in memory."""

    applicant_id: int
    ticket_id: int
    event_id: int
    sequences: dict[tuple[str, int], int]

    def next_seq(self, name: str, year: int) -> int:
        key = (name, year)
        self.sequences[key] = self.sequences.get(key, 0) + 1
        return self.sequences[key]


def generate_tickets(
    target: Session | Engine,
    count: int,
    *,
    start: datetime,
    end: datetime,
    seed: int,
    chunk_size: int = 5000,
    progress: Progress | None = None,
    definition: Definition | None = None,
) -> GenerationSummary:
    """Write `count` tickets created between start and end, each with the history that brought it to its stage.

    Nothing happens after `end` or after now, whichever comes first; for a period that has ended, the
    same seed writes the same rows (ids and numbers continue whatever the database already holds).
    """
    if count < 0:
        raise ValueError("count must not be negative")
    if start.utcoffset() is None or end.utcoffset() is None:
        raise ValueError("start and end must be timezone-aware")
    horizon = min(end, utcnow())
    if not start < horizon:
        raise ValueError("the period must begin before its end and before now")
    engine = target.get_bind() if isinstance(target, Session) else target
    if isinstance(target, Session):
        target.commit()  # the generator writes on its own connections
    definition = definition or workflow_for(Channel.WHATSAPP, Service.KK)
    planner = _Planner(definition, random.Random(seed), WorkClock.covering(start, horizon), horizon)
    summary = GenerationSummary()
    with engine.connect() as conn:
        counters = _read_counters(conn)
    spacing = (horizon - start).total_seconds() / max(count, 1)
    done = 0
    while done < count:
        size = min(chunk_size, count - done)
        moments = (start + timedelta(seconds=(done + i + planner.rng.random()) * spacing) for i in range(size))
        applicants, tickets, events = planner.chunk(moments, counters)
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Generated rows can be generated again: no need to wait for each chunk to reach the disk.
                conn.execute(text("SET LOCAL synchronous_commit = off"))
            _write_rows(conn, Applicant.__table__, applicants)  # type: ignore[attr-defined]
            _write_rows(conn, Ticket.__table__, tickets)  # type: ignore[attr-defined]
            _write_rows(conn, StageEvent.__table__, events)  # type: ignore[attr-defined]
            _store_sequences(conn, counters.sequences)
        _summarise(summary, applicants, tickets, events)
        done += size
        if progress:
            progress(done, count)
    with engine.begin() as conn:
        _continue_id_sequences(conn)
    return summary


@functools.cache
def _typical_hours(workflow_key: str) -> dict[str, float]:
    """Usual working hours per step of one SOP, from the profile file."""
    data = yaml.safe_load(PROFILE_FILE.read_text(encoding="utf-8")) or {}
    return {str(k): float(v) for k, v in (data.get(workflow_key) or {}).items()}


@dataclass(frozen=True)
class _StageInfo:
    """What the walk needs to know about a stage, looked up once instead of once per event."""

    stage: Stage
    back: str | None  # the previous work stage, where a return sends the ticket
    group: str | None
    group_duration: timedelta | None
    terminal: bool
    typical_hours: float

    @classmethod
    def of(cls, definition: Definition, stage: Stage) -> _StageInfo:
        earlier = definition.earlier_stages(stage.key)
        group = definition.sla_group_for(stage.key)
        return cls(stage=stage, back=earlier[-1].key if earlier else None, group=group.key if group else None,
                   group_duration=group.duration if group else None, terminal=stage.is_terminal,
                   typical_hours=_typical_hours(definition.key).get(stage.key, DEFAULT_STEP_HOURS))


class _Planner:
    """Decides, ticket by ticket, who asked for what and how far the office got before the horizon."""

    def __init__(self, definition: Definition, rng: random.Random, clock: WorkClock, horizon: datetime) -> None:
        self.definition, self.rng, self.clock, self.horizon = definition, rng, clock, horizon
        self.call_taker = definition.role_for(RoleDuty.TAKE_CALLS) if definition.has_duty(RoleDuty.TAKE_CALLS) else None
        self.info = {stage.key: _StageInfo.of(definition, stage) for stage in definition.stages}
        self.waiting = definition.waiting_stage
        self.rejected = definition.rejected_stage
        self.services, self.service_weights = list(SERVICE_WEIGHTS), list(SERVICE_WEIGHTS.values())
        self.channels, self.channel_weights = list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values())
        known = {k.code for k in KECAMATAN}
        self.kecamatan = [code for code in KECAMATAN_WEIGHTS if code in known]
        self.kecamatan_weights = [KECAMATAN_WEIGHTS[code] for code in self.kecamatan]
        self.recent: list[tuple[int, str]] = []  # (applicant id, kecamatan) of recent applicants, for repeats

    def chunk(self, moments: Iterator[datetime], counters: _Counters) -> tuple[list[dict], list[dict], list[dict]]:
        applicants: list[dict[str, Any]] = []
        tickets: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for created in moments:
            self._ticket(created, counters, applicants, tickets, events)
        return applicants, tickets, events

    def _ticket(self, created: datetime, counters: _Counters, applicants: list[dict], tickets: list[dict],
                events: list[dict]) -> None:
        rng = self.rng
        channel = rng.choices(self.channels, self.channel_weights)[0]
        if channel == Channel.CALL_CENTER:
            opening = self.clock.calendar.next_opening(created)  # the call center answers in office hours
            if opening < self.horizon:
                created = max(created, opening)
            else:
                channel = Channel.WHATSAPP  # the office is closed until after the period: the citizen wrote
        service = rng.choices(self.services, self.service_weights)[0]
        if self.recent and rng.random() < 0.08:
            applicant_id, kecamatan = rng.choice(self.recent)  # the same citizen asks for something else
        else:
            kecamatan = None if rng.random() < NO_KECAMATAN_SHARE else \
                rng.choices(self.kecamatan, self.kecamatan_weights)[0]
            counters.applicant_id += 1
            applicant_id = counters.applicant_id
            applicants.append(self._applicant(applicant_id, kecamatan, created))
            self.recent.append((applicant_id, kecamatan))
            if len(self.recent) > 1000:
                del self.recent[:500]
        counters.ticket_id += 1
        year = office_year(created)
        seq = counters.next_seq(NUMBER_SEQUENCE, year)
        walk = _Walk(ticket_id=counters.ticket_id, kecamatan=kecamatan)
        walk.event(counters, "create", None, self.definition.first_stage.key, created,
                   role=self.call_taker if channel == Channel.CALL_CENTER else None, note=f"Kanal: {channel}")
        self._walk(walk, counters)
        walk.due = self._due(walk)
        ticket = {
            "id": counters.ticket_id, "number": ticket_number(year, seq), "year": year, "seq": seq,
            "service": str(service), "channel": str(channel), "workflow": self.definition.key,
            "stage": walk.stage, "applicant_id": applicant_id, "kecamatan_code": kecamatan,
            "description": rng.choice(COMPLAINTS) if service == Service.PENGADUAN else None,
            "registration_number": walk.registration_number, "claimed_by_id": None,
            "return_stage": walk.return_stage, "outputs": walk.outputs, "stage_entered_at": walk.entered,
            "sla_started_at": walk.group_started, "sla_paused_seconds": int(walk.paused),
            "due_at": walk.due, "overdue": walk.due is not None and walk.due < self.horizon,
            "created_at": created, "updated_at": walk.entered, "version": len(walk.events),
        }
        tickets.append(ticket)
        events.extend(walk.events)

    def _walk(self, walk: _Walk, counters: _Counters) -> None:
        """Move the ticket along the chain until the next step would happen after the horizon."""
        rng = self.rng
        self._enter(walk, walk.stage, walk.entered)
        while True:
            info = self.info[walk.stage]
            stage = info.stage
            if stage.kind is StageKind.WAITING:
                if rng.random() < 0.1:
                    # Never answered: after a few working days the officer rejects, in office hours.
                    moment = self.clock.moment(self.clock.offset(walk.entered) + rng.uniform(2, 5) * 8 * 3600)
                    if moment < self.horizon:
                        self._move(walk, counters, Action.REJECT, moment, reason=REJECT_REASONS[2],
                                   role=self.info[walk.return_stage or ""].stage.role)
                    return
                # The citizen answers whenever they like, usually within two days.
                moment = walk.entered + timedelta(hours=rng.expovariate(1 / 20))
                if moment >= self.horizon:
                    return
                self._move(walk, counters, Action.CITIZEN_REPLIED, moment, to=walk.return_stage)
                continue
            if stage.kind is not StageKind.WORK:
                return
            moment = self._finish_moment(walk.entered, info.typical_hours)
            if moment >= self.horizon:
                return
            # One roll, three separate bands, so a stage that cannot reject does not return more often instead.
            roll = rng.random()
            if roll < REJECT_SHARE:
                if Action.REJECT in stage.actions:
                    self._move(walk, counters, Action.REJECT, moment, reason=rng.choice(REJECT_REASONS))
                    return
            elif roll < REJECT_SHARE + ASK_CITIZEN_SHARE:
                if Action.ASK_CITIZEN in stage.actions and self.waiting and not walk.asked:
                    walk.asked = True
                    self._move(walk, counters, Action.ASK_CITIZEN, moment, to=self.waiting.key,
                               reason=rng.choice(ASK_REASONS))
                    continue
            elif roll < REJECT_SHARE + ASK_CITIZEN_SHARE + RETURN_SHARE:
                if Action.RETURN_ in stage.actions and info.back and not walk.returned:
                    walk.returned = True
                    self._move(walk, counters, Action.RETURN_, moment, to=info.back, reason=rng.choice(RETURN_REASONS))
                    continue
            self._move(walk, counters, Action.ADVANCE, moment, to=stage.next, outputs=self._outputs(walk, stage, moment,
                                                                                                   counters))

    def _move(self, walk: _Walk, counters: _Counters, action: Action, moment: datetime, *, to: str | None = None,
              reason: str | None = None, outputs: dict[str, Any] | None = None, role: str | None = None) -> None:
        from_stage = walk.stage
        if action == Action.REJECT:
            assert self.rejected is not None
            to = self.rejected.key
        assert to is not None
        actor_role = role if role is not None else self.info[from_stage].stage.role
        if action == Action.ASK_CITIZEN:
            walk.return_stage = from_stage
        elif action == Action.CITIZEN_REPLIED:
            actor_role = None
        walk.event(counters, str(action), from_stage, to, moment, role=actor_role, note=reason, data=outputs or {})
        if action != Action.ASK_CITIZEN:
            walk.return_stage = None
        self._enter(walk, to, moment)

    def _enter(self, walk: _Walk, stage_key: str, moment: datetime) -> None:
        """The ticket's SLA clock on entering a stage, as tickets.workflow_service keeps it."""
        if self.waiting is not None and stage_key == self.waiting.key:
            walk.stage, walk.entered = stage_key, moment
            return
        if self.waiting is not None and walk.stage == self.waiting.key and walk.entered != moment:
            walk.paused += self.clock.between(walk.entered, moment)
        info = self.info[stage_key]
        if info.group is None or info.group != walk.group or walk.group_started is None:
            walk.group_started, walk.paused = moment, 0.0
        walk.group = info.group
        walk.stage, walk.entered = stage_key, moment

    def _due(self, walk: _Walk) -> datetime | None:
        """The deadline of the stage the ticket ended up in (computed once, not on every step)."""
        info = self.info[walk.stage]
        if info.terminal or (self.waiting is not None and walk.stage == self.waiting.key):
            return None
        if info.group_duration is not None and walk.group_started is not None:
            return self.clock.add(walk.group_started, info.group_duration + timedelta(seconds=walk.paused))
        sla = info.stage.sla
        return self.clock.add(walk.entered, sla) if sla else None

    def _finish_moment(self, entered: datetime, typical: float) -> datetime:
        hours = self.rng.expovariate(1 / typical)
        if self.rng.random() < LONG_STEP_SHARE:
            hours += self.rng.uniform(6, 24)  # a busy day, a missing officer: late
        finished = self.clock.offset(entered) + max(hours, 0.05) * 3600
        if finished >= self.clock.span:
            # A rare long draw ends weeks past the horizon, beyond the clock: the step is not done by then.
            return self.horizon
        return self.clock.moment(finished)

    def _outputs(self, walk: _Walk, stage: Stage, moment: datetime, counters: _Counters) -> dict[str, Any]:
        """Plausible values for what the stage records; system numbers come from their registers."""
        values: dict[str, Any] = {}
        for spec in stage.outputs:
            if spec.source == OutputSource.REGISTER:
                if walk.registration_number is None:
                    year = office_year(moment)
                    walk.registration_number = registration_number(year, counters.next_seq(REGISTER_SEQUENCE, year))
                values[spec.key] = walk.registration_number
            elif spec.system_assigned or not spec.required:
                continue  # e.g. the berita acara number belongs to berita_acara's own register
            elif spec.type is FieldType.CHECK:
                values[spec.key] = True
            elif spec.type is FieldType.NUMBER:
                values[spec.key] = self.rng.randint(spec.min_value or 1, 12)
            elif spec.pattern and walk.kecamatan:
                values[spec.key] = walk.kecamatan
            elif spec.key == "nomor_dokumen":
                values[spec.key] = f"1806-{moment.year}-{self.rng.randint(1, 999999):06d}"
            elif spec.key == "diambil_oleh":
                values[spec.key] = "Pemohon sendiri"
            elif not spec.pattern:
                values[spec.key] = "sesuai"
        walk.outputs.update(values)
        return values

    def _applicant(self, applicant_id: int, kecamatan: str | None, created: datetime) -> dict[str, Any]:
        rng = self.rng
        female = rng.random() < 0.5
        birth = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 68))
        day = birth.day + (40 if female else 0)
        district = kecamatan or rng.choice(self.kecamatan)
        nik = f"{district}{day:02d}{birth.month:02d}{birth.year % 100:02d}{rng.randint(1, 9999):04d}"
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        phone = f"+62{rng.choice(MOBILE_PREFIXES)}{rng.randint(0, 99999999):08d}"
        return {"id": applicant_id, "nik": nik, "name": name, "phone": phone, "created_at": created}


@dataclass
class _Walk:
    """One ticket on its way through the chain: where it is, its SLA clock and its events."""

    ticket_id: int
    kecamatan: str | None
    stage: str = ""
    entered: datetime = datetime.min.replace(tzinfo=UTC)
    group: str | None = None
    group_started: datetime | None = None
    paused: float = 0.0
    due: datetime | None = None
    return_stage: str | None = None
    registration_number: str | None = None
    asked: bool = False
    returned: bool = False
    outputs: dict[str, Any] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)

    def event(self, counters: _Counters, action: str, from_stage: str | None, to_stage: str, moment: datetime, *,
              role: str | None = None, note: str | None = None, data: dict[str, Any] | None = None) -> None:
        counters.event_id += 1
        self.events.append({"id": counters.event_id, "ticket_id": self.ticket_id, "action": action,
                            "from_stage": from_stage, "to_stage": to_stage, "actor_id": None, "actor_role": role,
                            "note": note, "data": data or {}, "created_at": moment})
        if from_stage is None:
            self.stage, self.entered = to_stage, moment


def _write_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert the rows in one go: binary COPY on PostgreSQL, Core executemany elsewhere.

    executemany through the driver manages about 10 000 stage events a second on PostgreSQL here,
    far too slow for a million tickets with their histories; binary COPY with the column types
    declared up front writes the same rows several times faster, inside the same transaction.
    """
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), rows)
        return
    columns = list(rows[0])
    types = [_pg_type(table.c[name]) for name in columns]
    as_json = {i for i, kind in enumerate(types) if kind == "json"}
    binary = all(types)
    cursor = conn.connection.cursor()
    try:
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"  # type: ignore[attr-defined]
                         + (" (FORMAT BINARY)" if binary else "")) as copy:
            if binary:
                copy.set_types(types)
            for row in rows:
                values = [row[name] for name in columns]
                for i in as_json:
                    # Wrapped, not dumped here: the json dumper encodes whatever it is given, so a string
                    # dumped beforehand would be stored as a JSON string instead of the object.
                    values[i] = Json(values[i], dumps=_dumps)
                copy.write_row(values)
    finally:
        cursor.close()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _pg_type(column: Any) -> str | None:
    """The PostgreSQL type name binary COPY needs for a column, None when not one of the plain ones."""
    kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
    if isinstance(kind, JSON):
        return "json"
    if isinstance(kind, BigInteger):
        return "int8"
    if isinstance(kind, Integer):
        return "int4"
    if isinstance(kind, Boolean):
        return "bool"
    if isinstance(kind, DateTime):
        return "timestamptz" if kind.timezone else "timestamp"
    if isinstance(kind, String):
        return "text"
    return None


def _read_counters(conn: Connection) -> _Counters:
    def top(table: Any) -> int:
        return int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one())

    seq_table = NumberSequence.__table__  # type: ignore[attr-defined]
    rows = conn.execute(select(seq_table.c.name, seq_table.c.year, seq_table.c.value)).all()
    return _Counters(applicant_id=top(Applicant.__table__), ticket_id=top(Ticket.__table__),  # type: ignore[attr-defined]
                     event_id=top(StageEvent.__table__),  # type: ignore[attr-defined]
                     sequences={(name, year): value for name, year, value in rows})


def _store_sequences(conn: Connection, sequences: dict[tuple[str, int], int]) -> None:
    """Raise the stored counters to what the generator used, so new tickets number on after them."""
    table = NumberSequence.__table__  # type: ignore[attr-defined]
    for (name, year), value in sequences.items():
        stmt = db.insert_for(conn.dialect.name, table).values(name=name, year=year, value=value)
        conn.execute(stmt.on_conflict_do_update(index_elements=["name", "year"],
                                                set_={"value": func.max(table.c.value, stmt.excluded.value)
                                                      if conn.dialect.name == "sqlite"
                                                      else func.greatest(table.c.value, stmt.excluded.value)}))


def _continue_id_sequences(conn: Connection) -> None:
    """PostgreSQL serials do not see explicit ids: move them past the generated rows. Then refresh
    the planner's statistics, which still describe the tables as they were before the bulk load."""
    if conn.dialect.name != "postgresql":
        return
    for table in ("applicant", "ticket", "stage_event"):
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                          f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), 1))"))
        conn.execute(text(f"ANALYZE {table}"))


def _summarise(summary: GenerationSummary, applicants: list[dict], tickets: list[dict], events: list[dict]) -> None:
    summary.tickets += len(tickets)
    summary.applicants += len(applicants)
    summary.events += len(events)
    if tickets:
        summary.first_number = summary.first_number or tickets[0]["number"]
        summary.last_number = tickets[-1]["number"]
    for row in tickets:
        summary.by_stage[row["stage"]] = summary.by_stage.get(row["stage"], 0) + 1


@click.command("generate-tickets")
@click.argument("count", type=click.IntRange(min=1))
@click.option("--dari", "start", default=None, help="Awal periode (YYYY-MM-DD, WIB); bawaan: 365 hari lalu.")
@click.option("--sampai", "end", default=None, help="Akhir periode (YYYY-MM-DD, WIB, termasuk); bawaan: sekarang.")
@click.option("--seed", default=1, show_default=True, help="Benih acak: benih sama, data sama.")
@click.option("--chunk", "chunk_size", default=5000, show_default=True, help="Baris tiket per transaksi.")
@with_appcontext
def generate_tickets_command(count: int, start: str | None, end: str | None, seed: int, chunk_size: int) -> None:
    """Fill the database with generated tickets (for trying out dashboards and reports, and benchmarks)."""
    now = utcnow()
    try:
        begin = _wib_day(start) if start else now - timedelta(days=365)
        finish = _wib_day(end) + timedelta(days=1) if end else now
    except ValueError:
        raise click.BadParameter("tanggal harus berbentuk YYYY-MM-DD, mis. 2026-01-31") from None
    if begin >= min(finish, now):
        raise click.BadParameter("awal periode harus sebelum akhirnya dan sebelum hari ini")
    started = time.monotonic()

    def report(done: int, total: int) -> None:
        elapsed = time.monotonic() - started
        click.echo(f"  {done:>10,} / {total:,} tiket  ({elapsed:6.1f} d, {done / max(elapsed, 1e-9):,.0f} tiket/d)")

    summary = generate_tickets(db.engine(), count, start=begin, end=finish, seed=seed, chunk_size=chunk_size,
                               progress=report)
    click.echo(f"Selesai: {summary.tickets:,} tiket ({summary.first_number} s.d. {summary.last_number}), "
               f"{summary.applicants:,} pemohon, {summary.events:,} riwayat tahap "
               f"dalam {time.monotonic() - started:.1f} detik.")


def _wib_day(value: str) -> datetime:
    """Midnight WIB of a YYYY-MM-DD date."""
    return datetime.combine(date.fromisoformat(value), datetime.min.time(), WIB)
