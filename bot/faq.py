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
    index = _index(entries)
    present = index.words_present(typed)
    best: tuple[int, int] | None = None  # (score, position of the variant): the earlier wins a tie
    for position in sorted({p for word in present for p in index.variants_with.get(word, ())}):
        words, score, _ = index.variants[position]
        if score > (best[0] if best else 0) and present.issuperset(words):
            best = (score, position)
    return index.variants[best[1]][2] if best else None


@dataclass(frozen=True)
class _Index:
    """The entries' variants as matched, and which variants hold each word: a message is compared with
    the words it could match, not with every variant (most messages ask no question at all)."""

    variants: tuple[tuple[frozenset[str], int, FaqEntry], ...]  # words, score, entry; in the entries' order
    variants_with: Mapping[str, tuple[int, ...]]  # word -> positions of the variants holding it
    fuzzy_by_letter: Mapping[str, tuple[str, ...]]  # first letter -> the words long enough to match with typos

    def words_present(self, typed: list[str]) -> set[str]:
        """The variant words the message holds: typed as they are, or, for a longer word, with a typo (a
        typed word as long, with the same first letter, close enough)."""
        present = {word for word in typed if word in self.variants_with}
        for word in set(typed):
            if len(word) >= MIN_FUZZY_LETTERS:
                present.update(candidate for candidate in self.fuzzy_by_letter.get(word[0], ())
                               if fuzz.ratio(word, candidate) >= MIN_WORD_SCORE)
        return present


@lru_cache(maxsize=8)
def _index(entries: tuple[FaqEntry, ...]) -> _Index:
    variants = []
    for entry in entries:
        for variant in entry.variants:
            words = variant_words(variant)
            if words:
                variants.append((frozenset(words), sum(len(w) for w in words), entry))
    holding: dict[str, list[int]] = {}
    for position, (words, _, _) in enumerate(variants):
        for word in words:
            holding.setdefault(word, []).append(position)
    by_letter: dict[str, list[str]] = {}
    for word in holding:
        if len(word) >= MIN_FUZZY_LETTERS:
            by_letter.setdefault(word[0], []).append(word)
    return _Index(tuple(variants), {w: tuple(p) for w, p in holding.items()},
                  {letter: tuple(words) for letter, words in by_letter.items()})


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
