"""Where the calendar's visits come from: each feature registers a source; the calendar imports none of them.

A source is a function from (session, first day, last day) to the feature's planned visits on those days. What
it returns goes to section heads and to calendar apps, so it carries no citizen's personal data: a Siaga visit
is named by its pekon, never by the resident.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from flask import Flask, current_app
from sqlmodel import Session


@dataclass(frozen=True)
class PlannedVisit:
    """One visit on one day, as the calendar shows it."""

    day: date
    title: str  # "Perekaman KTP-el SMA Negeri 1 Kota Agung", "Kunjungan Dukcapil Siaga"
    place: str  # pekon and/or kecamatan
    path: str  # the visit's page in the back office
    uid: str  # stable across feeds, so a calendar app updates a moved visit instead of adding one


@dataclass(frozen=True)
class VisitKind:
    """A feature's kind of visit: its key (for the colour), its label and its source."""

    key: str
    label: str
    colour: str  # a CSS colour, also used for the legend
    source: Callable[[Session, date, date], Sequence[PlannedVisit]]


def register_visit_source(app: Flask, key: str, label: str, colour: str,
                          source: Callable[[Session, date, date], Sequence[PlannedVisit]]) -> None:
    """Add a feature's planned visits to this app's calendar (called from the feature's init_app)."""
    app.extensions.setdefault("visit_sources", {})[key] = VisitKind(key, label, colour, source)


def kinds() -> tuple[VisitKind, ...]:
    """The registered kinds, in registration order."""
    return tuple(current_app.extensions.get("visit_sources", {}).values())


def visits_between(session: Session, first: date, last: date) -> list[tuple[VisitKind, PlannedVisit]]:
    """Every kind's visits from `first` to `last` (both included), by day, then kind, then title."""
    found = [(kind, visit) for kind in kinds() for visit in kind.source(session, first, last)
             if first <= visit.day <= last]
    order = {kind.key: i for i, kind in enumerate(kinds())}
    return sorted(found, key=lambda kv: (kv[1].day, order[kv[0].key], kv[1].title, kv[1].uid))
