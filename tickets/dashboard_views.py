"""The dashboard for section heads and the Kepala Dinas: charts of the office's work, each with its CSV."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, render_template, request, url_for
from markupsafe import Markup

from layanan import db
from routing import definitions, definitions_with
from routing.definition import Definition, RoleDuty
from tickets import charts
from tickets import dashboard_queries as q
from tickets.access import duty_required, duty_roles, queue_roles, queue_scope, user
from tickets.accounts import ADMIN_ROLE
from layanan.clock import utcnow

bp = Blueprint("dashboard", __name__, url_prefix="/dasbor")
STAGE_TIMES_TTL = 300  # seconds; a month of a busy office's events takes seconds to walk


@dataclass(frozen=True)
class Panel:
    """One chart of the dashboard and the table behind it."""

    key: str
    title: str
    note: str
    chart: Markup
    header: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    links: tuple[tuple[str, str], ...] = ()  # (text, URL) of related reports, shown beside the CSV link


@dataclass(frozen=True)
class Tile:
    """One headline figure a feature adds beside the core's tiles."""

    key: str
    label: str
    value: int
    note: str
    late: bool = False  # drawn in the warning colour
    url: str | None = None  # where the figure's tickets are listed


@dataclass(frozen=True)
class LightCell:
    """One count of the traffic lights: how many, in which state, and the queue that lists them (if any)."""

    state: str
    count: int
    url: str | None


@dataclass(frozen=True)
class LightRow:
    stage: q.StageLights
    open_url: str | None
    cells: tuple[LightCell, ...]


@bp.app_context_processor
def dashboard_helpers() -> dict[str, Any]:
    """Lets the back-office navigation show the dashboard link to the roles that may open it."""
    return {"dashboard_roles": duty_roles(RoleDuty.SUPERVISE, admin=True)}


@bp.get("/")
@duty_required(RoleDuty.SUPERVISE, admin=True)
def index() -> str:
    """All charts for the chosen period (this month by default)."""
    period, error = period_from_request()
    definition = _chosen_workflow()
    builder = Builder(definition, period, utcnow())
    panels = [panel for build in _panels().values() if (panel := build(builder)) is not None]
    kpis = q.kpis(builder.session, definition, builder.now, builder.times.sla)
    tiles = [tile for build in current_app.extensions.get("dashboard_tiles", {}).values()
             if (tile := build(builder)) is not None]
    return render_template("dashboard/index.html", period=period, error=error, panels=panels, kpis=kpis,
                           tiles=tiles, lights=_lights(builder), workflows=_supervised(), chosen=definition,
                           csv_args={"dari": period.first.isoformat(), "sampai": period.last.isoformat(),
                                     "alur": definition.key})


@bp.get("/<key>.csv")
@duty_required(RoleDuty.SUPERVISE, admin=True)
def export_csv(key: str) -> Response:
    """One chart's numbers as CSV (UTF-8 with BOM, so spreadsheet programs read the accents right)."""
    build = _panels().get(key)
    if build is None:
        abort(404)
    period, error = period_from_request()
    if error:
        return Response(error, status=400, mimetype="text/plain")
    panel = build(Builder(_chosen_workflow(), period, utcnow()))
    if panel is None:  # the chosen SOP has nothing for this chart
        abort(404)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(panel.header)
    writer.writerows(panel.rows)
    name = f"dasbor-{key}-{period.first.isoformat()}_{period.last.isoformat()}.csv"
    return Response(out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _supervised() -> tuple[Definition, ...]:
    """The SOPs whose dashboard this account may read: those where one of its roles supervises; all for admin."""
    account = user()
    if account.has_role(ADMIN_ROLE):
        return definitions()
    return tuple(d for d in definitions_with(RoleDuty.SUPERVISE) if account.has_role(*d.roles_for(RoleDuty.SUPERVISE)))


def _chosen_workflow() -> Definition:
    """The SOP named by `alur`, else the first the account supervises; 404 for one it may not read."""
    allowed = _supervised()
    if not allowed:
        abort(403)
    key = request.args.get("alur")
    if not key:
        return allowed[0]
    for definition in allowed:
        if definition.key == key:
            return definition
    abort(404)


class Builder:
    """The queries of one request; stage times feed two panels and are computed once."""

    def __init__(self, definition: Definition, period: q.Period, now: datetime) -> None:
        self.definition, self.period, self.now = definition, period, now
        self._times: q.StageTimes | None = None

    @property
    def session(self) -> Any:
        return db.session()

    @property
    def times(self) -> q.StageTimes:
        """Stage times of the period, reused for a few minutes: they walk every event of the period."""
        if self._times is None:
            cache = current_app.extensions.setdefault("dashboard_stage_times", {})
            key = (self.definition.key, self.period)
            cached = cache.get(key)
            if cached is not None and time.monotonic() - cached[0] < STAGE_TIMES_TTL:
                self._times = cached[1]
            else:
                self._times = q.stage_times(self.session, self.definition, self.period)
                cache[key] = (time.monotonic(), self._times)
        return self._times


def _stages_now(b: Builder) -> Panel:
    rows = q.tickets_per_stage(b.session, b.definition, b.now)
    # Finished tickets outnumber open ones by far: they are told in words, so the open stages stay comparable.
    open_rows = [r for r in rows if not b.definition.is_terminal(r.key)]
    finished = "; ".join(f"{r.label}: {charts.number(r.tickets)}" for r in rows if b.definition.is_terminal(r.key))
    bars = [charts.Bar(r.label, r.tickets, charts.number(r.tickets) + (
        f" ({charts.number(r.overdue)} terlambat)" if r.overdue else ""), late=r.overdue) for r in open_rows]
    title = "Tiket per tahap saat ini"
    return Panel("tahap", title, f"Tiket yang masih berjalan, di tahap mana sekarang; merah: bagian yang lewat "
                 f"mutu baku. Sudah berakhir: {finished}.",
                 charts.horizontal_bars(title, bars, description=_describe(bars)),
                 ("kode_tahap", "tahap", "jumlah_tiket", "terlambat"),
                 [(r.key, r.label, r.tickets, r.overdue) for r in rows])


def _counts_panel(key: str, title: str, note: str, counts: list[q.Count], code_header: str,
                  label_header: str) -> Panel:
    bars = [charts.Bar(c.label, c.value, charts.number(c.value)) for c in counts]
    return Panel(key, title, note, charts.horizontal_bars(title, bars, description=_describe(bars)),
                 (code_header, label_header, "jumlah_tiket"), [(c.key, c.label, c.value) for c in counts])


def _kecamatan(b: Builder) -> Panel:
    return _counts_panel("kecamatan", "Tiket masuk per kecamatan", f"Diterima {b.period.label}.",
                         q.per_kecamatan(b.session, b.definition, b.period), "kode_kecamatan", "kecamatan")


def _services(b: Builder) -> Panel:
    return _counts_panel("layanan", "Tiket masuk per layanan", f"Diterima {b.period.label}.",
                         q.per_service(b.session, b.definition, b.period), "kode_layanan", "layanan")


def _channels(b: Builder) -> Panel:
    counts = q.per_channel(b.session, b.definition, b.period)
    total = sum(c.value for c in counts)
    shares = [(c.value / total if total else None) for c in counts]
    bars = [charts.Bar(c.label, c.value, f"{charts.number(c.value)} tiket ({charts.percent(s)})")
            for c, s in zip(counts, shares, strict=True)]
    title = "Call center dan WhatsApp"
    return Panel("kanal", title, f"Kanal masuk tiket yang diterima {b.period.label}.",
                 charts.share(title, bars, description=_describe(bars)),
                 ("kode_kanal", "kanal", "jumlah_tiket", "persen"),
                 [(c.key, c.label, c.value, _csv_percent(s)) for c, s in zip(counts, shares, strict=True)])


def _weekly(b: Builder) -> Panel:
    weeks = q.weekly_received(b.session, b.definition, b.period)
    bars = [charts.Bar(w.label, w.value, charts.number(w.value)) for w in weeks]
    title = "Tren mingguan tiket masuk"
    return Panel("tren-mingguan", title, "Per minggu (Senin–Minggu); minggu di tepi periode hanya dihitung "
                 "hari-hari di dalam periode.", charts.columns(title, bars, description=_describe(bars)),
                 ("minggu_mulai", "minggu", "jumlah_tiket"), [(w.key, w.label, w.value) for w in weeks])


def _sla(b: Builder) -> Panel:
    units = b.times.sla
    bars = [charts.Bar(u.label, (u.share or 0) * 100,
                       f"{charts.percent(u.share)} dari {charts.number(u.passages)}",
                       highlight=u.share is not None and u.share < 0.8) for u in units]
    title = "Kepatuhan mutu baku"
    return Panel("mutu-baku", title, "Bagian tahapan yang selesai dalam periode ini dan tepat waktu menurut mutu "
                 "baku SOP (jam kerja, tanpa waktu menunggu pemohon); merah: di bawah 80%. Dihitung ulang paling "
                 "lama tiap 5 menit.",
                 charts.horizontal_bars(title, bars, description=_describe(bars), maximum=100),
                 ("kode", "mutu_baku", "tahap", "batas_jam_kerja", "selesai", "tepat_waktu", "persen"),
                 [(u.key.removeprefix("sla:"), u.label, " ".join(u.stages), _hours(u.limit_seconds), u.passages,
                   u.within, _csv_percent(u.share)) for u in units])


def _stage_times(b: Builder) -> Panel:
    stages = b.times.stages
    bars = [charts.Bar(s.label, (s.median_seconds or 0) / 3600, _duration(s.median_seconds)) for s in stages]
    title = "Median waktu per tahap"
    return Panel("waktu-tahap", title, "Jam kerja dari masuk sampai keluar tahap, untuk tahapan yang selesai "
                 "dalam periode ini; waktu menunggu pemohon tidak dihitung. Dihitung ulang paling lama tiap 5 menit.",
                 charts.horizontal_bars(title, bars, description=_describe(bars)),
                 ("kode_tahap", "tahap", "selesai", "median_jam_kerja"),
                 [(s.key, s.label, s.passages, _hours(s.median_seconds)) for s in stages])


# A builder returns None when the chosen SOP has nothing to show in its chart (e.g. a feature's panel).
PanelBuilder = Callable[[Builder], Panel | None]

PANELS: dict[str, PanelBuilder] = {
    "tahap": _stages_now,
    "mutu-baku": _sla,
    "waktu-tahap": _stage_times,
    "tren-mingguan": _weekly,
    "kecamatan": _kecamatan,
    "layanan": _services,
    "kanal": _channels,
}


def register_panel(app: Flask, key: str, build: PanelBuilder) -> None:
    """Add a feature's chart to this app's dashboard, after the core's (called from the feature's init_app)."""
    if key in PANELS:
        raise ValueError(f"dashboard panel {key!r} is a core panel")
    app.extensions.setdefault("dashboard_panels", {})[key] = build


# A tile builder returns None when its figure does not concern this reader or SOP.
TileBuilder = Callable[[Builder], Tile | None]


def register_tile(app: Flask, key: str, build: TileBuilder) -> None:
    """Add a feature's headline figure after the core's tiles (called from the feature's init_app)."""
    tiles = app.extensions.setdefault("dashboard_tiles", {})
    if key in tiles:
        raise ValueError(f"dashboard tile {key!r} is already registered")
    tiles[key] = build


def _lights(b: Builder) -> list[LightRow]:
    """The traffic lights of the chosen SOP, each count linked to the queue that lists those tickets."""
    roles = _queue_roles_by_stage(b.definition)
    rows = []
    for stage in q.traffic_lights(b.session, b.definition, b.now):
        role = roles.get(stage.key)
        counts = (stage.on_time, stage.due_today, stage.overdue)
        cells = tuple(LightCell(str(state), n, _queue_url(role, stage.key, n, sla=str(state)) if stage.has_deadline
                                else None) for state, n in zip(q.LIGHTS, counts, strict=True))
        rows.append(LightRow(stage, _queue_url(role, stage.key, stage.open), cells))
    return rows


def _queue_url(role: str | None, stage: str, count: int, **filters: str) -> str | None:
    """The queue listing these tickets; none for a count of zero or a stage no queue of the reader lists."""
    if not count or role is None:
        return None
    return url_for("backoffice.queue", peran=role, tahap=stage, **filters)


def _queue_roles_by_stage(definition: Definition) -> dict[str, str]:
    """For each stage, the first of the reader's queues that can list its tickets (none: the counts stay text)."""
    account = user()
    found: dict[str, str] = {}
    for role in queue_roles(account):
        visible = queue_scope(account, role).visible_stages
        for stage in definition.chain:
            if stage.key in visible:
                found.setdefault(stage.key, role)
    return found


def _panels() -> dict[str, PanelBuilder]:
    """The core's charts, then those the features registered."""
    return {**PANELS, **current_app.extensions.get("dashboard_panels", {})}


def period_from_request() -> tuple[q.Period, str | None]:
    """The period asked for, or this month with a message saying what was wrong with the request."""
    default = q.Period.month_of(q.today_wib(utcnow()))
    raw_first, raw_last = request.args.get("dari", "").strip(), request.args.get("sampai", "").strip()
    if not raw_first and not raw_last:
        return default, None
    try:
        first = date.fromisoformat(raw_first) if raw_first else default.first
        last = date.fromisoformat(raw_last) if raw_last else default.last
    except ValueError:
        return default, "Tanggal tidak dikenali; tulis sebagai TTTT-BB-HH, mis. 2026-11-01. Ditampilkan bulan ini."
    try:
        return q.Period(first, last), None
    except ValueError as exc:
        return default, f"{exc} Ditampilkan bulan ini."


def _describe(bars: list[charts.Bar]) -> str:
    return "; ".join(f"{bar.label}: {bar.text}" for bar in bars)


def _duration(seconds: float | None) -> str:
    """Working time as people say it: 35 menit, 2,5 jam."""
    if seconds is None:
        return "–"
    if seconds < 3600:
        return f"{charts.number(seconds / 60)} menit"
    return f"{charts.number(seconds / 3600, 1)} jam"


def _hours(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 3600:.2f}"


def _csv_percent(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.1f}"

