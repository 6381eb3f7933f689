"""A month as weeks of seven days (Monday first, as Indonesian calendars print it), with the days around it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from layanan.indonesian_words import DAYS, month_name


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str, default: date) -> Month:
        """`2026-08` as a month; the default's month for anything else (a hand-typed URL)."""
        try:
            first = date.fromisoformat(f"{text}-01")
        except ValueError:
            first = default
        return cls(first.year, first.month)

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return self.next.first - timedelta(days=1)

    @property
    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    @property
    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """Agustus 2026."""
        return f"{month_name(self.first)} {self.year}"

    def weeks(self) -> list[list[date]]:
        """The grid: whole weeks from the Monday on or before the 1st to the Sunday on or after the last day."""
        start = self.first - timedelta(days=self.first.weekday())
        end = self.last + timedelta(days=6 - self.last.weekday())
        days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        return [days[i:i + 7] for i in range(0, len(days), 7)]


WEEKDAYS = DAYS  # Senin ... Minggu, the grid's column headings
