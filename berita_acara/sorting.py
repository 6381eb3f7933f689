"""The "Laporan Pemilahan Berkas per Kecamatan": sorted documents counted per kecamatan and type."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, distinct, false, func, or_
from sqlmodel import Session, col, select

from layanan.clock import WIB
from berita_acara.models import BeritaAcaraItem
from berita_acara.stages import handover_chains
from layanan.indonesian_words import long_date
from routing.definition import Action
from tickets.constants import DOCUMENT_SERVICES, Service
from tickets.models import KecamatanRow, StageEvent, Ticket
from layanan.clock import utcnow

NO_KECAMATAN = "Tanpa kecamatan"

# Column headings short enough for an A4 table.
SHORT_LABELS: dict[str, str] = {
    Service.KK: "KK",
    Service.KTP_EL: "KTP-el",
    Service.KIA: "KIA",
    Service.AKTA_KELAHIRAN: "Akta Kelahiran",
    Service.AKTA_KEMATIAN: "Akta Kematian",
    Service.PINDAH: "Surat Pindah",
    Service.PERBAIKAN_DATA: "Perbaikan Data",
    Service.PENGADUAN: "Pengaduan",
}


class PeriodError(ValueError):
    """The chosen period cannot be reported on."""


@dataclass(frozen=True)
class Period:
    """Whole days in WIB, both ends included."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise PeriodError("Tanggal akhir periode tidak boleh sebelum tanggal awal.")
        if (self.last - self.first).days > 366:
            raise PeriodError("Periode laporan paling lama satu tahun.")

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[start, end) in UTC: midnight WIB of the first day to midnight WIB after the last."""
        start = datetime.combine(self.first, time(0), WIB).astimezone(UTC)
        end = datetime.combine(self.last + timedelta(days=1), time(0), WIB).astimezone(UTC)
        return start, end

    @property
    def label(self) -> str:
        """The period as printed: 1 November 2026 s.d. 30 November 2026."""
        if self.first == self.last:
            return long_date(self.first)
        return f"{long_date(self.first)} s.d. {long_date(self.last)}"


@dataclass(frozen=True)
class ReportRow:
    code: str | None
    name: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class SortingReport:
    """Counts per kecamatan (rows) and document type (columns), with totals both ways."""

    scope_label: str
    services: tuple[str, ...]
    rows: tuple[ReportRow, ...]
    generated_at: datetime = field(default_factory=utcnow)

    def column_total(self, service: str) -> int:
        return sum(row.counts.get(service, 0) for row in self.rows)

    @property
    def grand_total(self) -> int:
        return sum(row.total for row in self.rows)

    def service_label(self, service: str) -> str:
        return SHORT_LABELS.get(service, service)


def period_report(session: Session, period: Period) -> SortingReport:
    """Tickets the sorter passed on during the period (each counted once, however often sorted)."""
    start, end = period.utc_bounds()
    sorted_from = [and_(col(Ticket.workflow) == c.definition.key, col(StageEvent.from_stage) == c.sorting.key)
                   for c in handover_chains()]
    sorted_ids = (
        select(StageEvent.ticket_id).join(Ticket, col(Ticket.id) == col(StageEvent.ticket_id))
        .where(or_(false(), *sorted_from), StageEvent.action == str(Action.ADVANCE),
               StageEvent.created_at >= start, StageEvent.created_at < end)
    )
    counts = _counts(session, col(Ticket.id).in_(sorted_ids))
    return _build(session, f"Periode {period.label}", counts)


def batch_report(session: Session) -> SortingReport:
    """The current batch: tickets sorted and waiting for a berita acara (not yet listed in one)."""
    counts = _counts(session, *current_batch_filter())
    return _build(session, f"Batch berjalan per {long_date(utcnow().astimezone(WIB).date())}", counts)


def current_batch_filter() -> tuple[object, ...]:
    """SQL conditions for tickets between sorting and the berita acara stage of their SOP, not yet in a
    berita acara."""
    waiting = [and_(col(Ticket.workflow) == c.definition.key, col(Ticket.stage).in_(c.waiting_keys))
               for c in handover_chains()]
    return (or_(false(), *waiting), col(Ticket.id).not_in(select(BeritaAcaraItem.ticket_id)))


def _counts(session: Session, *conditions: object) -> dict[tuple[str | None, str], int]:
    query = (
        select(Ticket.kecamatan_code, Ticket.service, func.count(distinct(Ticket.id)))
        .where(*conditions)  # type: ignore[arg-type]
        .group_by(Ticket.kecamatan_code, Ticket.service)
    )
    return {(code, service): int(n) for code, service, n in session.exec(query)}  # type: ignore[call-overload]


def _build(session: Session, scope_label: str, counts: dict[tuple[str | None, str], int]) -> SortingReport:
    seen = {service for _, service in counts}
    services = tuple(s.value for s in DOCUMENT_SERVICES) + tuple(sorted(seen - {s.value for s in DOCUMENT_SERVICES}))
    kecamatan = session.exec(select(KecamatanRow).order_by(KecamatanRow.name)).all()
    rows = [ReportRow(k.code, k.name, _row_counts(counts, k.code, services)) for k in kecamatan]
    known = {k.code for k in kecamatan}
    strays = sorted({code for code, _ in counts if code not in known}, key=lambda c: c or "")
    for code in strays:
        rows.append(ReportRow(code, NO_KECAMATAN if code is None else f"Kode {code}",
                              _row_counts(counts, code, services)))
    return SortingReport(scope_label=scope_label, services=services, rows=tuple(rows))


def _row_counts(counts: dict[tuple[str | None, str], int], code: str | None,
                services: tuple[str, ...]) -> dict[str, int]:
    return {service: counts.get((code, service), 0) for service in services}
