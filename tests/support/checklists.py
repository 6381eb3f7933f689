"""Ticking a document checklist in tests that walk the chain without caring which documents it lists."""

from __future__ import annotations

from routing import definitions


def every_document() -> list[str]:
    """The key of every document any SOP lists for any service: ticks the whole checklist of any ticket."""
    return sorted({r.key for d in definitions() for s in d.services.values() for r in s.requirements})
