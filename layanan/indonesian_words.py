"""Numbers, days and dates written out in Indonesian, as official letters spell them."""

from __future__ import annotations

from datetime import date

_UNITS = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
_SCALES = ((1_000_000_000_000, "triliun"), (1_000_000_000, "miliar"), (1_000_000, "juta"))

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")  # date.weekday() order
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember")


def number_words(n: int) -> str:
    """The number in Indonesian words: 11 "sebelas", 100 "seratus", 2026 "dua ribu dua puluh enam"."""
    if n < 0:
        return "minus " + number_words(-n)
    if n < 10:
        return _UNITS[n]
    if n < 12:
        return "sepuluh" if n == 10 else "sebelas"
    if n < 20:
        return f"{_UNITS[n - 10]} belas"
    if n < 100:
        return _join(f"{_UNITS[n // 10]} puluh", n % 10)
    if n < 1000:
        head = "seratus" if n < 200 else f"{_UNITS[n // 100]} ratus"
        return _join(head, n % 100)
    if n < 1_000_000:
        # "seribu", but "dua ribu", "sebelas ribu", "seratus ribu".
        head = "seribu" if n < 2000 else f"{number_words(n // 1000)} ribu"
        return _join(head, n % 1000)
    for scale, name in _SCALES:
        if n >= scale:
            return _join(f"{number_words(n // scale)} {name}", n % scale)
    raise AssertionError("unreachable")


def _join(head: str, rest: int) -> str:
    return head if rest == 0 else f"{head} {number_words(rest)}"


def month_name(day: date) -> str:
    """The Indonesian month name of a date."""
    return MONTHS[day.month - 1]


def day_name(day: date) -> str:
    """The Indonesian weekday name of a date."""
    return DAYS[day.weekday()]


def long_date(day: date) -> str:
    """A date as printed under a signature: 23 November 2026."""
    return f"{day.day} {month_name(day)} {day.year}"


def opening_phrase(day: date) -> str:
    """The berita acara's opening: "Pada hari ini Senin tanggal dua puluh tiga bulan November tahun ..."."""
    return (f"Pada hari ini {day_name(day)} tanggal {number_words(day.day)} bulan {month_name(day)} "
            f"tahun {number_words(day.year)}")
