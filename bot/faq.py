"""The questions citizens ask most, as staff keep them (bot.faq_store): which entry a message asks, and
its answer with the values only this moment knows (open now?, the UPT of a kecamatan, a service's
requirements).

Pure: the shell passes the entries and what they need as `Knowledge`; nothing here reads a database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from rapidfuzz import fuzz

from layanan.indonesian_words import DAYS
from bot.understanding import normalise
from routing.sla import WorkingCalendar

MIN_WORD_SCORE = 88.0  # a typed word this close (and with the same first letter) to a variant's word counts as that word
MIN_FUZZY_LETTERS = 5  # shorter words must be typed exactly
_SUFFIXES = ("nya", "kah", "lah", "an")

# What an answer may hold in braces; the admin page refuses any other.
PLACEHOLDERS: dict[str, str] = {
    "jam_buka": "the office's opening hours",
    "buka_sekarang": "whether the office is open at this moment, or when it opens next",
    "pengambilan": "where and when to pick up: the UPT of the kecamatan named or of the request",
    "persyaratan": "the requirements of the service named, or how to ask for them",
}


@dataclass(frozen=True)
class FaqEntry:
    """One question as staff wrote it: the ways citizens ask it (one phrase each) and the answer."""

    variants: tuple[str, ...]
    answer: str


@dataclass(frozen=True)
class Knowledge:
    """What the conversation may tell citizens beyond its own questions, passed in by the shell."""

    faq: tuple[FaqEntry, ...] = ()
    calendar: WorkingCalendar | None = None
    hours: str = ""  # the opening hours in words
    pickup: Mapping[str, str] = field(default_factory=dict)  # kecamatan code -> where and when to pick up


@lru_cache(maxsize=4096)
def variant_words(variant: str) -> tuple[str, ...]:
    """A variant's words as they are matched (normalised, stemmed)."""
    return tuple(_stem(w) for w in normalise(variant).split())


def match_faq(text: str, entries: tuple[FaqEntry, ...]) -> FaqEntry | None:
    """The entry one of whose variants the message contains word for word (typos of longer words
    tolerated); the variant with the most words wins, the first entry on a tie."""
    typed = [_stem(w) for w in normalise(text).split()]
    if not typed:
        return None
    best: tuple[int, FaqEntry] | None = None
    for entry in entries:
        for variant in entry.variants:
            words = variant_words(variant)
            if words and all(_contains(typed, word) for word in words):
                score = sum(len(w) for w in words)
                if best is None or score > best[0]:
                    best = (score, entry)
    return best[1] if best else None


def _contains(typed: list[str], word: str) -> bool:
    if word in typed:
        return True
    if len(word) < MIN_FUZZY_LETTERS:
        return False
    return any(len(t) >= MIN_FUZZY_LETTERS and t[0] == word[0] and fuzz.ratio(t, word) >= MIN_WORD_SCORE
               for t in typed)


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def fill(answer: str, values: Mapping[str, str]) -> str:
    """The answer with its placeholders replaced; an unknown one is left as typed (the admin page refuses
    them, so only an answer stored by other means can have one)."""
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), answer)


def open_now(calendar: WorkingCalendar, now: datetime) -> tuple[bool, str]:
    """Whether the office is open at this moment, and when it opens next ("Senin, pukul 08.00")."""
    opening = calendar.next_opening(now)
    local = now.astimezone(calendar.tz)
    if opening == local:
        return True, ""
    if opening.date() == local.date():
        day = "hari ini"
    elif (opening.date() - local.date()).days == 1:
        day = "besok"
    else:
        day = f"hari {DAYS[opening.weekday()]}, {opening:%d/%m/%Y}"
    return False, f"{day} pukul {opening:%H.%M}"
