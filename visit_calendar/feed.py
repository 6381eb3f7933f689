"""The visits as an iCalendar feed: one all-day event per visit, named as the month view names it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from icalendar import Calendar, Event

from visit_calendar.registry import PlannedVisit, VisitKind

PRODUCT = "-//Disdukcapil Kabupaten Tanggamus//Kalender Kunjungan//ID"


def ics(visits: Sequence[tuple[VisitKind, PlannedVisit]], base_url: str, host: str, made_at: datetime) -> bytes:
    """The feed's bytes: each visit an all-day event with its place, its kind as category and its page's URL."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Kunjungan lapangan Disdukcapil Tanggamus")
    calendar.add("x-wr-timezone", "Asia/Jakarta")
    for kind, visit in visits:
        event = Event()
        event.add("uid", f"{visit.uid}@{host}")
        event.add("dtstamp", made_at)
        event.add("dtstart", visit.day)
        event.add("dtend", visit.day + timedelta(days=1))
        event.add("summary", visit.title)
        event.add("location", visit.place)
        event.add("categories", [kind.label])
        event.add("url", base_url + visit.path)
        event.add("transp", "TRANSPARENT")  # an outing does not make the reader busy all day
        calendar.add_component(event)
    return calendar.to_ical()
