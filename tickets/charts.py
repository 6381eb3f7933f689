"""Server-rendered SVG charts: plain bars with their labels and numbers written on them.

Every chart carries a <title> and <desc> for screen readers and each bar its own <title> (a tooltip
in browsers), so the numbers are there without hovering. Numbers use the Indonesian notation.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 760
LABEL_WIDTH = 280
VALUE_WIDTH = 150  # room after the longest bar for its number
ROW_HEIGHT = 26
BAR_HEIGHT = 18
FONT = "font-family=\"system-ui, sans-serif\" font-size=\"13\""
COLOURS = ("#0b6e4f", "#d98e04", "#2f6fb0", "#8c4f9f")
LATE_COLOUR = "#b3261e"
_ids = itertools.count(1)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the number as people read it, e.g. "1.204" or "87,5%"
    highlight: bool = False  # drawn in the warning colour (below target)
    late: float = 0.0  # the part of the value drawn in the warning colour (e.g. overdue tickets)


def number(value: float, decimals: int = 0) -> str:
    """A number in Indonesian notation: 1.234.567 and 87,5."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def percent(share: float | None) -> str:
    """A 0-1 share as a percentage, or a dash when there is nothing to measure."""
    return "–" if share is None else number(share * 100, 1) + "%"


def horizontal_bars(title: str, bars: Sequence[Bar], *, description: str = "", maximum: float | None = None) -> Markup:
    """One labelled row per bar, longest values reading furthest right; the number follows the bar."""
    top = 8
    height = top + max(len(bars), 1) * ROW_HEIGHT + 8
    area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    scale = max([maximum or 0.0] + [b.value for b in bars]) or 1.0
    parts = _open(title, description, height)
    if not bars:
        parts.append(f'<text x="{WIDTH / 2}" y="{top + 16}" text-anchor="middle" {FONT}>Tidak ada data</text>')
    for i, bar in enumerate(bars):
        y = top + i * ROW_HEIGHT
        length = max(bar.value / scale * area, 0.0)
        colour = LATE_COLOUR if bar.highlight else COLOURS[0]
        parts.append(
            f"<g><title>{escape(bar.label)}: {escape(bar.text)}</title>"
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 14}" text-anchor="end" {FONT}>{escape(_short(bar.label, 38))}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{length:.1f}" height="{BAR_HEIGHT}" fill="{colour}"/>'
            + (f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{bar.late / scale * area:.1f}" height="{BAR_HEIGHT}" '
               f'fill="{LATE_COLOUR}"/>' if bar.late > 0 else "")
            +             f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 15}" {FONT} font-weight="600">{escape(bar.text)}</text>'
            "</g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(title: str, bars: Sequence[Bar], *, description: str = "") -> Markup:
    """Vertical columns left to right (a trend over time), numbers on top, labels underneath."""
    height, base, top = 240, 190, 24
    slot = (WIDTH - 20) / max(len(bars), 1)
    width = min(slot * 0.7, 60)
    scale = max([b.value for b in bars] + [0.0]) or 1.0
    every = max(1, round(len(bars) / 12))  # keep the labels legible for a long period
    parts = _open(title, description, height)
    parts.append(f'<line x1="10" y1="{base}" x2="{WIDTH - 10}" y2="{base}" stroke="#999"/>')
    for i, bar in enumerate(bars):
        x = 10 + i * slot + (slot - width) / 2
        length = bar.value / scale * (base - top - 14)
        centre = x + width / 2
        label = (f'<text x="{centre:.1f}" y="{base + 16}" text-anchor="middle" {FONT}>{escape(bar.label)}</text>'
                 if i % every == 0 else "")
        parts.append(
            f"<g><title>{escape(bar.label)}: {escape(bar.text)}</title>"
            f'<rect x="{x:.1f}" y="{base - length:.1f}" width="{width:.1f}" height="{length:.1f}" fill="{COLOURS[0]}"/>'
            f'<text x="{centre:.1f}" y="{base - length - 4:.1f}" text-anchor="middle" {FONT} font-weight="600">'
            f"{escape(bar.text)}</text>{label}</g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def share(title: str, bars: Sequence[Bar], *, description: str = "") -> Markup:
    """One bar split into the parts of a whole, with a legend giving each part's number and share."""
    height, y = 60 + len(bars) * 22, 10
    total = sum(b.value for b in bars)
    parts = _open(title, description, height)
    x = 10.0
    for i, bar in enumerate(bars):
        length = (bar.value / total * (WIDTH - 20)) if total else 0.0
        parts.append(f"<g><title>{escape(bar.label)}: {escape(bar.text)}</title>"
                     f'<rect x="{x:.1f}" y="{y}" width="{length:.1f}" height="28" fill="{COLOURS[i % len(COLOURS)]}"/>'
                     "</g>")
        x += length
    if not total:
        parts.append(f'<rect x="10" y="{y}" width="{WIDTH - 20}" height="28" fill="#eee"/>')
    for i, bar in enumerate(bars):
        ly = y + 48 + i * 22
        parts.append(f'<rect x="10" y="{ly - 11}" width="14" height="14" fill="{COLOURS[i % len(COLOURS)]}"/>'
                     f'<text x="32" y="{ly}" {FONT}>{escape(bar.label)}: <tspan font-weight="600">'
                     f"{escape(bar.text)}</tspan></text>")
    parts.append("</svg>")
    return Markup("".join(parts))


def _open(title: str, description: str, height: int) -> list[str]:
    ident = f"chart-{next(_ids)}"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" class="chart">'
        f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(description or title)}</desc>'
    ]


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
