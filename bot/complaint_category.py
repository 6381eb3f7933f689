"""Find the complaint category a citizen means from its number, its words, a typo or an abbreviation.

The categories are the complaint SOP's own (the output that means the category), so the bot offers
what triage records; nothing here names one.
"""

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from routing import workflow_for
from routing.definition import OutputMeaning
from tickets.constants import Channel, Service

MIN_SCORE = 82.0  # below this a typed word is too far from every category word to guess
MIN_MARGIN = 6.0  # closer than this, two categories are equally close: ask which one
MIN_FUZZY = 4  # shorter typed words must match a category word exactly
MIN_STEM = 4
MAX_WORDS = 8  # a longer message is a story, not a category

# Indonesian affixes around one root ("kesalahan", "persyaratan", "dilayani", "petugasnya").
_PREFIXES = ("per", "pe", "ke", "di", "ber", "me", "ter")
_SUFFIXES = ("nya", "kan", "an", "i")
_CHOICE = re.compile(r"(?:no|nomor|pilih|pilihan|angka|kategori)?\s*([0-9]{1,2})", flags=re.ASCII)


@dataclass(frozen=True)
class CategoryMatch:
    """The category meant, or the equally close ones to ask about (neither: nothing fits)."""

    chosen: str | None = None
    candidates: tuple[str, ...] = ()


def complaint_categories() -> tuple[str, ...]:
    """The categories of the SOP a WhatsApp complaint runs on, in its order (empty if it has none)."""
    output = workflow_for(Channel.WHATSAPP.value, Service.PENGADUAN.value).output_meaning(OutputMeaning.CATEGORY)
    return output.options if output is not None else ()


def _words(text: str) -> list[str]:
    return re.sub(r"[\W_]+", " ", text.lower().replace("\ufe0f", "").replace("\u20e3", "")).split()


def match_category(text: str, options: tuple[str, ...]) -> CategoryMatch:
    """The option the text names by number or words; candidates when two or more fit equally well."""
    words = _words(text)
    choice = _CHOICE.fullmatch(" ".join(words))
    if choice:
        index = int(choice.group(1))
        return CategoryMatch(options[index - 1]) if 1 <= index <= len(options) else CategoryMatch()
    if not words or len(words) > MAX_WORDS:
        return CategoryMatch()
    scored = [(_score(words, option), option) for option in options]
    fitting = [(score, option) for score, option in scored if score[1] >= MIN_SCORE]
    if not fitting:
        return CategoryMatch()
    (count, best), _ = max(fitting, key=lambda pair: pair[0])
    close = tuple(option for (n, score), option in fitting if n == count and best - score < MIN_MARGIN)
    return CategoryMatch(close[0]) if len(close) == 1 else CategoryMatch(candidates=close)


def _score(typed: list[str], option: str) -> tuple[int, float]:
    """How many of the option's words the text names, and how closely its best one."""
    scores = [max((_word_score(word, part) for word in typed), default=0.0) for part in _words(option)]
    abbreviated = any(_abbreviates(word, _words(option)) for word in typed)
    matched = sum(score >= MIN_SCORE for score in scores) or (1 if abbreviated else 0)
    return matched, max([*scores, 95.0 if abbreviated else 0.0])


def _word_score(word: str, part: str) -> float:
    if word == part:
        return 100.0
    if min(len(word), len(part)) < MIN_FUZZY:
        return 0.0
    stem, part_stem = _stem(word), _stem(part)
    if len(stem) >= MIN_STEM and stem == part_stem:
        return 95.0
    return max(fuzz.ratio(word, part), fuzz.ratio(stem, part_stem))


def _stem(word: str) -> str:
    """The word without one common prefix and one common suffix, if a root of MIN_STEM letters is left."""
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= MIN_STEM:
            word = word[len(prefix):]
            break
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


def _abbreviates(word: str, parts: list[str]) -> bool:
    """Whether the word joins the beginnings (two letters or more) of every part, in order: "pungli"."""
    if len(parts) < 2 or len(word) < 5:
        return False

    def joins(rest: str, remaining: list[str]) -> bool:
        if not remaining:
            return not rest
        head = remaining[0]
        return any(rest.startswith(head[:n]) and joins(rest[n:], remaining[1:])
                   for n in range(2, min(len(head), len(rest)) + 1))

    return joins(word, parts)
