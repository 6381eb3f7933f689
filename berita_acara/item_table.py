"""The berita acara's item list as a ruled table that WeasyPrint lays out in a second for 1000 items.

WeasyPrint spends its time per line box, and a table cell is one: a 1000-item list of seven columns as an
HTML table is 7000 boxes and takes ten to twenty seconds. Here each item is one line of text, in the
proportional font of the rest of the paper, whose cells are put in their columns with tab characters (a
tab grid of about a pixel: every tab moves to the next stop) after measuring each cell's text with the same font file
through Pillow (its layout engine gives Pango's widths). The column rules and the row rules are drawn as
backgrounds of the block, so a page of items costs one box per line, as the old monospaced list did, but
reads as a table: columns, borders, a shaded heading, numbers right-aligned. A text too wide for its
column wraps onto continuation lines of that item, which is set apart and ruled only under its last line.

Without the font file to measure with, the list is printed as a plain HTML table instead: slower, never
wrong.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from PIL import ImageFont

FONT_FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}  # the font the print CSS names
FONT_PX = 10  # 7.5 pt
LINE_PX = 14
PADDING_PX = 4  # inside each cell, left and right
TAB_CSS = "1px"  # the print CSS's tab-size
# Where such a tab stops, measured: WeasyPrint hands "1px" to Pango as a pixel, which lays tab stops out at
# 1.024 px (tests/berita_acara/test_item_table.py renders a list and checks its columns line up).
TAB_PX = 1.024
EM_SPACE = "\u2003"
EM_SPACE_PX = FONT_PX  # an em space is one em wide
FIRST_BLOCK_LINES = 48  # fits under the kop surat and the opening paragraph on page 1
BLOCK_LINES = 68  # fits a whole A4 page (1005 px between the margins) below the repeated heading


@dataclass(frozen=True)
class Column:
    heading: str
    width: int  # px, the cell with its padding
    right: bool = False  # numbers are right-aligned


COLUMNS = (  # wide enough for "1000.", a ticket number, "Perbaikan Data" and a masked NIK on one line
    Column("No.", 38, right=True),
    Column("Nomor Tiket", 102),
    Column("Nama Pemohon", 226),
    Column("Jenis Dokumen", 86),
    Column("Nomor Dokumen", 126),
    Column("NIK", 100),
)
TABLE_WIDTH = sum(c.width for c in COLUMNS)  # 678 px: the 180 mm between the page margins (the body has no margin of its own)


Measure = Callable[[str], float]


@functools.cache
def measure(bold: bool = False) -> Measure | None:
    """The width in px of a text at the item font size, or None when the font file cannot be read."""
    try:
        font = ImageFont.truetype(FONT_FILES[bold], 100)
    except OSError:
        return None

    @functools.lru_cache(maxsize=4096)  # a row's cells are measured to wrap them, then to set them
    def width_of(text: str) -> float:
        return font.getlength(text) * FONT_PX / 100

    return width_of


def wrap(text: str, width: float, width_of: Measure) -> list[str]:
    """The text in lines no wider than `width`, broken between words (inside a word only when it must)."""
    if width_of(text) <= width:
        return [text]
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if width_of(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        for char in word:  # a word wider than the column: cut it where it must
            if current and width_of(current + char) > width:
                lines.append(current)
                current = ""
            current += char
    if current or not lines:
        lines.append(current)
    return lines


def set_line(cells: Sequence[str], width_of: Measure) -> str:
    """One line of the table: each cell's text tabbed to its column's left edge (or its right edge). A space
    ends each text, so that a reader copying the text out of the PDF gets the cells apart."""
    out, x, left = [], 0.0, 0
    for column, text in zip(COLUMNS, cells):
        target = left + column.width - PADDING_PX - width_of(text) if column.right else left + PADDING_PX
        if text and math.floor(target / TAB_PX) > math.floor(x / TAB_PX):
            # Em spaces cover most of the way (a tenth of the glyphs a page of tabs would take), tabs the rest.
            wide = max(0, math.floor((target - x - TAB_PX) / EM_SPACE_PX))
            x += wide * EM_SPACE_PX
            out.append(EM_SPACE * wide + "\t" * (math.floor(target / TAB_PX) - math.floor(x / TAB_PX)))
            x = math.floor(target / TAB_PX) * TAB_PX
        if text:
            out.append(text + " ")
            x += width_of(text + " ")
        left += column.width
    return "".join(out).rstrip()


def set_row(cells: Sequence[str], width_of: Measure) -> list[str]:
    """One item as lines: its cells wrapped to their columns, continuation lines blank elsewhere."""
    wrapped = [wrap(text, column.width - 2 * PADDING_PX, width_of) for column, text in zip(COLUMNS, cells)]
    depth = max(len(lines) for lines in wrapped)
    return [set_line([lines[i] if i < len(lines) else "" for lines in wrapped], width_of) for i in range(depth)]


def heading() -> str | None:
    """The heading row, set in bold (a heading too wide for its column wraps)."""
    width_of = measure(bold=True)
    return "\n".join(set_row([c.heading for c in COLUMNS], width_of)) if width_of else None


@dataclass(frozen=True)
class Segment:
    """Consecutive items of a page set together: one-line items ruled under every line, or one item that
    takes several lines (ruled only under its last, by its border)."""

    lines: tuple[str, ...]
    ruled: bool  # one-line items


def blocks(rows: Iterable[Sequence[str]]) -> list[list[Segment]] | None:
    """The items in page-sized blocks (an item's lines stay together), each a list of segments; None without
    the font."""
    width_of = measure()
    if width_of is None:
        return None
    pages: list[list[list[str]]] = [[]]
    used, limit = 0, FIRST_BLOCK_LINES
    for cells in rows:
        lines = set_row(cells, width_of)
        if pages[-1] and used + len(lines) > limit:
            pages.append([])
            used, limit = 0, BLOCK_LINES
        pages[-1].append(lines)
        used += len(lines)
    return [_segments(page) for page in pages if page]


def _segments(items: list[list[str]]) -> list[Segment]:
    segments: list[Segment] = []
    single: list[str] = []
    for lines in items:
        if len(lines) == 1:
            single.extend(lines)
            continue
        if single:
            segments.append(Segment(tuple(single), ruled=True))
            single = []
        segments.append(Segment(tuple(lines), ruled=False))
    if single:
        segments.append(Segment(tuple(single), ruled=True))
    return segments


def column_rules_css() -> str:
    """The background declarations that draw the column rules of the item list."""
    edges = [sum(c.width for c in COLUMNS[:i]) for i in range(1, len(COLUMNS))]
    # WeasyPrint paints a gradient of one colour over the whole box whatever its size: two colours.
    return (f"background-image: {', '.join(['linear-gradient(to right, #000 50%, transparent 50%)'] * len(edges))}; "
            f"background-position: {', '.join(f'{e - 0.4}px 0' for e in edges)}; "
            f"background-size: {', '.join(['0.8px 100%'] * len(edges))}; background-repeat: no-repeat;")


def row_rules_css() -> str:
    """The background declarations that draw a row rule under every line ("repeat": WeasyPrint leaves a
    layer with "repeat-y" unpainted)."""
    return (f"background-image: linear-gradient(to bottom, transparent {LINE_PX - 0.6}px, #9a9a9a {LINE_PX - 0.6}px); "
            f"background-size: 100% {LINE_PX}px; background-repeat: repeat;")
