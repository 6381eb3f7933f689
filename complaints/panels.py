"""The dashboard's complaint charts: open complaints per unit, the share answered on time, the top categories.

They are registered with the dashboard (tickets.dashboard_views.register_panel) and show only for a
complaint SOP (complaints.definitions); for any other SOP each builder returns None. The open complaints
are counted as the complaint queue counts its tabs, over every complaint SOP (the office has one).
"""

from __future__ import annotations

from flask import Flask, url_for

from complaints import tiles
from complaints.definitions import is_complaint_workflow
from complaints.queue import UNDISPOSED, tabs
from complaints.recap import NO_CATEGORY, NO_UNIT, Month, answered_in, categories_received
from routing.definition import Definition, OutputMeaning
from tickets import charts
from tickets.dashboard_views import Builder, Panel, register_panel

TARGET = 0.8  # answered on time below this share is drawn in the warning colour


def init_app(app: Flask) -> None:
    """Add the complaint charts and the open-complaints tile to the dashboard."""
    register_panel(app, "pengaduan-per-unit", open_per_unit)
    register_panel(app, "pengaduan-tepat-waktu", answered_on_time)
    register_panel(app, "pengaduan-kategori", top_categories)
    tiles.init_app(app)


def open_per_unit(b: Builder) -> Panel | None:
    """Open complaints per unit, counted as the complaint queue counts its tabs; the overdue part in red."""
    if not is_complaint_workflow(b.definition):
        return None
    counts = [(NO_UNIT if tab.unit == UNDISPOSED else tab.unit, tab.total, tab.overdue)
              for tab in tabs(b.session, b.now)]
    bars = [charts.Bar(unit, n, charts.number(n) + (f" ({charts.number(late)} terlambat)" if late else ""), late=late)
            for unit, n, late in counts]
    title = "Pengaduan terbuka per unit"
    return Panel("pengaduan-per-unit", title, "Pengaduan yang belum selesai saat ini, per unit yang menanganinya, "
                 "seperti di antrean pengaduan; merah: bagian yang lewat batas waktu.",
                 charts.horizontal_bars(title, bars, description=_describe(bars)),
                 ("unit", "pengaduan_terbuka", "terlambat"), counts)


def answered_on_time(b: Builder) -> Panel | None:
    """Of the answers sent in the period, the share sent by the deadline of the complaint's class."""
    if not is_complaint_workflow(b.definition):
        return None
    answered = answered_in(b.session, b.definition, b.period)
    groups = {"Semua kelas": answered} | {
        option: [c for c in answered if c.complaint_class == option]
        for option in _options(b.definition, OutputMeaning.COMPLAINT_CLASS)}
    rows = [(label, len(found), sum(bool(c.on_time) for c in found)) for label, found in groups.items()]
    shares = [on_time / n if n else None for _, n, on_time in rows]
    bars = [charts.Bar(label, (share or 0) * 100, f"{charts.percent(share)} dari {charts.number(n)}",
                       highlight=share is not None and share < TARGET)
            for (label, n, _), share in zip(rows, shares, strict=True)]
    title = "Pengaduan dijawab tepat waktu"
    return Panel("pengaduan-tepat-waktu", title, f"Jawaban yang terkirim {b.period.label}: bagian yang terkirim paling "
                 "lambat pada batas waktu kelas pengaduannya (hari kerja sejak disposisi); merah: di bawah 80%.",
                 charts.horizontal_bars(title, bars, description=_describe(bars), maximum=100),
                 ("kelas_pengaduan", "dijawab", "tepat_waktu", "persen"),
                 [(label, n, on_time, "" if share is None else f"{share * 100:.1f}")
                  for (label, n, on_time), share in zip(rows, shares, strict=True)])


def top_categories(b: Builder) -> Panel | None:
    """Complaints received in the period per category, the most first; links the month's recap and LAPOR! export."""
    if not is_complaint_workflow(b.definition):
        return None
    received = categories_received(b.session, b.definition, b.period)
    untriaged = received.pop(None, 0)
    order = {option: i for i, option in enumerate(_options(b.definition, OutputMeaning.CATEGORY))}
    counts = sorted(((str(category), n) for category, n in received.items()),
                    key=lambda item: (-item[1], order.get(item[0], len(order)), item[0]))
    if untriaged:
        counts.append((NO_CATEGORY, untriaged))
    bars = [charts.Bar(category, n, charts.number(n)) for category, n in counts]
    title = "Kategori pengaduan terbanyak"
    month = Month(b.period.first.year, b.period.first.month)
    args = {"bulan": month.key, "alur": b.definition.key}
    return Panel("pengaduan-kategori", title, f"Pengaduan yang diterima {b.period.label}, per kategori.",
                 charts.horizontal_bars(title, bars, description=_describe(bars)),
                 ("kategori", "jumlah_pengaduan"), counts,
                 links=((f"Rekap bulanan {month.label} (PDF, XLSX)", url_for("complaint_reports.recap", **args)),
                        (f"Ekspor LAPOR! {month.label} (CSV)",
                         url_for("complaint_reports.lapor_csv_export", **args))))


def _options(definition: Definition, meaning: OutputMeaning) -> tuple[str, ...]:
    spec = definition.output_meaning(meaning)
    return spec.options if spec is not None else ()


def _describe(bars: list[charts.Bar]) -> str:
    return "; ".join(f"{bar.label}: {bar.text}" for bar in bars)
