"""The figures every benchmark hands back, and the table the runner prints."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Say = Callable[[str], None]


@dataclass
class Row:
    """One measured figure, with its target when the issue set one."""

    benchmark: str
    measure: str
    value: str
    target: str = ""
    met: bool | None = None
    note: str = ""


def percentile(values: Sequence[float], pct: float) -> float:
    """The nearest-rank percentile (p99 of 3000 samples is the 2970th smallest)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def table(rows: Sequence[Row]) -> str:
    """The rows as a Markdown table (readable in a terminal, pasteable into the README)."""
    header = ("Benchmark", "Ukuran", "Hasil", "Target", "Tercapai", "Catatan")
    body = [(r.benchmark, r.measure, r.value, r.target,
             "" if r.met is None else ("ya" if r.met else "TIDAK"), r.note) for r in rows]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *body)]
    lines = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(line, widths)) + " |" for line in (header, *body)]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)
