"""Find the kecamatan a citizen means from a menu number, a name, an alias or a typo.

Never a guess between close names: when two or three remain plausible ("kota agung b..." after a name that
is itself a kecamatan, "kelum", a typo halfway between two), they are returned as candidates for the
conversation to ask about.
"""

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from tickets.kecamatan import KECAMATAN, Kecamatan

MIN_SCORE = 80.0  # below this a typo is too far from every name to guess
MIN_MARGIN = 6.0  # the best guess must beat the runner-up by this much, or we ask again
MIN_PREFIX = 4  # shorter prefixes ("kot", "pu") match too many names to mean anything
MAX_CANDIDATES = 3
# Abbreviations of the words of kecamatan names, as typed in a hurry.
ABBREVIATIONS = {"brt": "barat", "bar": "barat", "brat": "barat", "bart": "barat", "tmr": "timur", "tim": "timur",
                 "tmur": "timur", "timr": "timur", "kt": "kota", "kta": "kota", "agg": "agung", "agng": "agung",
                 "gn": "gunung", "gng": "gunung", "gunug": "gunung", "pl": "pulau", "plau": "pulau", "tl": "talang",
                 "tlg": "talang", "sumber": "sumbe", "bdr": "bandar", "pmtg": "pematang", "kel": "kelumbayan",
                 "kelumbyan": "kelumbayan"}

_PREFIX = re.compile(r"^(?:kecamatan|kec)\b\.?\s*")
_CHOICE = re.compile(r"(?:no|nomor|pilih|angka)?\.?\s*([0-9]{1,2})\s*[.)]?", flags=re.ASCII)


def _compact(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def _words(text: str) -> tuple[str, ...]:
    return tuple(re.sub(r"[\W_]+", " ", text.lower()).split())


# Each kecamatan with every spelling we accept, compacted ("kotaagungbarat", "ulubelu").
_SPELLINGS: tuple[tuple[Kecamatan, tuple[str, ...]], ...] = tuple(
    (k, tuple(_compact(s) for s in (k.name, *k.aliases))) for k in KECAMATAN
)
# The same spellings as words, longest first, for "Gisting Atas" (a pekon named after its kecamatan).
_WORD_SPELLINGS: tuple[tuple[tuple[str, ...], Kecamatan], ...] = tuple(sorted(
    ((_words(s), k) for k in KECAMATAN for s in (k.name, *k.aliases)),
    key=lambda pair: len(pair[0]),
    reverse=True,
))


@dataclass(frozen=True)
class KecamatanMatch:
    """The kecamatan meant, or the two or three close ones to ask about (neither: nothing fits)."""

    chosen: Kecamatan | None = None
    candidates: tuple[Kecamatan, ...] = ()


def match_kecamatan(text: str) -> Kecamatan | None:
    """The kecamatan the text names, or None when nothing fits or the guess is ambiguous."""
    return resolve_kecamatan(text).chosen


def resolve_kecamatan(text: str, *, exact_only: bool = False) -> KecamatanMatch:
    """The kecamatan the text names, or the close candidates when more than one fits. With exact_only, only
    a name or alias written in full at the start of the text counts (for a name found inside a sentence)."""
    cleaned = _PREFIX.sub("", " ".join(text.lower().replace("\ufe0f", "").replace("\u20e3", "").split()))
    choice = _CHOICE.fullmatch(cleaned)
    if choice:
        index = int(choice.group(1))
        return KecamatanMatch(KECAMATAN[index - 1] if 1 <= index <= len(KECAMATAN) else None)
    words = tuple(ABBREVIATIONS.get(w, w) for w in _words(cleaned))
    key = "".join(words)
    if not key:
        return KecamatanMatch()
    for kecamatan, spellings in _SPELLINGS:
        if key in spellings:
            return KecamatanMatch(kecamatan)
    leading = _leading_name(words)
    if exact_only or leading.chosen is not None or leading.candidates:
        return leading
    if len(key) >= MIN_PREFIX:
        prefixed = [k for k, spellings in _SPELLINGS if any(s.startswith(key) for s in spellings)]
        if len(prefixed) == 1:
            return KecamatanMatch(prefixed[0])
        if 1 < len(prefixed) <= MAX_CANDIDATES:
            return KecamatanMatch(candidates=tuple(prefixed))
    return _closest(key)


def _closest(key: str) -> KecamatanMatch:
    scored = sorted(
        ((max(fuzz.ratio(key, s) for s in spellings), k) for k, spellings in _SPELLINGS),
        key=lambda pair: pair[0],
        reverse=True,
    )
    (best, kecamatan), (runner_up, _) = scored[0], scored[1]
    if best < MIN_SCORE:
        return KecamatanMatch()
    if best - runner_up >= MIN_MARGIN:
        return KecamatanMatch(kecamatan)
    close = tuple(k for score, k in scored[:MAX_CANDIDATES] if best - score < MIN_MARGIN)
    return KecamatanMatch(candidates=close)


def _leading_name(words: tuple[str, ...]) -> KecamatanMatch:
    """The kecamatan whose full name opens the text, the longest name first; when the next word may begin
    a longer name that opens the same way ("kota agung b…"), those names are the candidates instead."""
    for spelling, kecamatan in _WORD_SPELLINGS:
        if words[: len(spelling)] != spelling:
            continue
        following = words[len(spelling)] if len(words) > len(spelling) else ""
        longer = [(s[len(spelling)], k) for s, k in _WORD_SPELLINGS
                  if len(s) > len(spelling) and s[: len(spelling)] == spelling and following]
        sure = [k for word, k in longer if _surely(following, word)]
        if len(sure) == 1:
            return KecamatanMatch(sure[0])
        maybe = [k for word, k in longer if _may_begin(following, word)]
        if maybe:
            return KecamatanMatch(candidates=tuple(dict.fromkeys([kecamatan, *maybe]))[:MAX_CANDIDATES])
        return KecamatanMatch(kecamatan)
    return KecamatanMatch()


def _surely(typed: str, word: str) -> bool:
    """Whether a typed word is plainly a name's next word: its start (3 letters or more) or a close typo."""
    return (len(typed) >= 3 and word.startswith(typed)) or fuzz.ratio(typed, word) >= MIN_SCORE


def _may_begin(typed: str, word: str) -> bool:
    """Whether a typed word may be the start, an abbreviation or a typo of a name's next word."""
    return typed[0] == word[0] and (word.startswith(typed) or fuzz.ratio(typed, word) >= 50)
