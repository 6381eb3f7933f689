"""Berita acara and sorting report numbers: the office's format around a gapless yearly sequence."""

from __future__ import annotations

from sqlmodel import Session

from tickets.numbering import next_value

SEQUENCE = "berita_acara"
DEFAULT_FORMAT = "470/{seq:03d}/BA-UPT/Disdukcapil/{year}"
REPORT_SEQUENCE = "laporan_pemilahan"  # the sorting report's own yearly numbers


class NumberFormatError(ValueError):
    """The configured number format cannot produce a number."""


def format_number(template: str, seq: int, year: int, what: str = "berita acara") -> str:
    """Fill the office's format, e.g. 470/012/BA-UPT/Disdukcapil/2026."""
    if "{seq" not in template:
        raise NumberFormatError(f"Format nomor {what} '{template}' tidak memuat nomor urut {{seq}}.")
    try:
        return template.format(seq=seq, year=year)
    except (KeyError, IndexError, ValueError) as exc:
        raise NumberFormatError(
            f"Format nomor {what} '{template}' tidak dapat dipakai: gunakan {{seq}} dan {{year}}."
        ) from exc


def check_format(template: str) -> None:
    """Raise NumberFormatError now rather than when the first berita acara is made."""
    format_number(template, 1, 2000)


def take_number(session: Session, template: str, year: int) -> tuple[int, str]:
    """The next sequence value of the year and the formatted number; held until the caller commits."""
    seq = next_value(session, SEQUENCE, year)
    return seq, format_number(template, seq, year)


def take_report_number(session: Session, template: str, year: int) -> str:
    """The next number of the year's sorting reports, formatted; held until the caller commits."""
    return format_number(template, next_value(session, REPORT_SEQUENCE, year), year, "laporan pemilahan")
