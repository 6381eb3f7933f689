"""Find the kecamatan a citizen means from a menu number, a name, an alias or a typo."""

import re

from rapidfuzz import fuzz

from tickets.kecamatan import KECAMATAN, Kecamatan

MIN_SCORE = 80.0  # below this a typo is too far from every name to guess
MIN_MARGIN = 6.0  # the best guess must beat the runner-up by this much, or we ask again
MIN_PREFIX = 4  # shorter prefixes ("kot", "pu") match too many names to mean anything

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


def match_kecamatan(text: str) -> Kecamatan | None:
    """The kecamatan the text names, or None when nothing fits or the guess is ambiguous."""
    cleaned = _PREFIX.sub("", " ".join(text.lower().replace("\ufe0f", "").replace("\u20e3", "").split()))
    choice = _CHOICE.fullmatch(cleaned)
    if choice:
        index = int(choice.group(1))
        return KECAMATAN[index - 1] if 1 <= index <= len(KECAMATAN) else None
    key = _compact(cleaned)
    if not key:
        return None
    for kecamatan, spellings in _SPELLINGS:
        if key in spellings:
            return kecamatan
    if len(key) >= MIN_PREFIX:
        prefixed = [k for k, spellings in _SPELLINGS if any(s.startswith(key) for s in spellings)]
        if len(prefixed) == 1:
            return prefixed[0]
    return _closest(key) or _leading_name(_words(cleaned))


def _closest(key: str) -> Kecamatan | None:
    scored = sorted(
        ((max(fuzz.ratio(key, s) for s in spellings), k) for k, spellings in _SPELLINGS),
        key=lambda pair: pair[0],
        reverse=True,
    )
    (best, kecamatan), (runner_up, _) = scored[0], scored[1]
    if best >= MIN_SCORE and best - runner_up >= MIN_MARGIN:
        return kecamatan
    return None


def _leading_name(words: tuple[str, ...]) -> Kecamatan | None:
    """The kecamatan whose full name opens the text, the longest name first."""
    for spelling, kecamatan in _WORD_SPELLINGS:
        if words[: len(spelling)] == spelling:
            return kecamatan
    return None
