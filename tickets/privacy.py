"""Personal data shown to staff: the NIK masked for everyone the SOP does not let see it whole.

`mask_nik` masks a NIK field; `mask_niks_in_text` masks every NIK-shaped number inside free text
(the WhatsApp chat, complaint text, staff notes, log lines), since citizens type their NIK wherever
they like and the bot accepts it with spaces, dots or dashes between the digits.

A confidential ticket's filer is shown as `pseudonym(number)` to staff who may not know them, and its
free text through `identity_withheld`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_plus

from markupsafe import Markup

NIK_LENGTH = 16
_SEPARATORS = re.compile(r"[\s.\-]")
# Digit groups joined by what people type inside a NIK (the bot's separators: any whitespace, dots,
# dashes) and by how a URL writes those ("+", "%20", "%2D", "%2E", ...), so query strings in access
# logs are covered. A digit right after "%" or "%<hex>" belongs to a URL escape, not to a number.
# Possessive repeats: a long run of separators is never backtracked through.
_GAP = r"(?:[\s.\-+]|%(?:2[0BbDdEe]|0[9AaDd]))++"
_DIGIT_RUN = re.compile(rf"(?<!%)(?<!%[0-9A-Fa-f])[0-9]++(?:{_GAP}[0-9]++)*+")
_GAPS = re.compile(_GAP)
# Cheap test first: sixteen digits with nothing but separators between them occur somewhere.
_SIXTEEN_DIGITS = re.compile(rf"[0-9](?:(?:{_GAP})?+[0-9]){{{NIK_LENGTH - 1}}}")


def mask_nik(value: str) -> str:
    """The NIK with all but the first and last four digits hidden, for logs and lists."""
    digits = _SEPARATORS.sub("", value)
    if len(digits) <= 8:
        return "*" * len(digits)
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def mask_niks_in_text(text: str) -> str:
    """The text with every NIK-shaped number (16 digits, maybe split by spaces, dots or dashes) masked
    like `mask_nik`; shorter numbers such as phone numbers and dates stay as they are.

    Neighbouring numbers separated only by spaces, dots or dashes whose digits add up to sixteen are read
    as one NIK: masking a number too many is the safe side. A run of more than sixteen digits without a
    separator is not a NIK and stays.
    """
    if not text or not _SIXTEEN_DIGITS.search(text):
        return text
    return _DIGIT_RUN.sub(_mask_run, text)


def contains_nik(text: str | None) -> bool:
    """Whether the text holds a NIK-shaped number that `mask_niks_in_text` would hide."""
    return bool(text) and mask_niks_in_text(text or "") != text


def text_shown(full_nik: bool) -> Callable[[str], str]:
    """How free text is shown to a reader: as written when it may see the full NIK, masked otherwise."""
    return _as_written if full_nik else mask_niks_in_text


def mask_nik_text_filter(value: Any) -> Any:
    """The `mask_nik_text` template filter: any value as masked text ("" for none), markup kept markup."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return Markup(mask_niks_in_text(str(value)))  # masking adds only digits and '*'
    return mask_niks_in_text(str(value))


def _as_written(text: str) -> str:
    return text


def _mask_run(match: re.Match[str]) -> str:
    """Mask every stretch of whole digit groups in the run that holds exactly sixteen digits.

    Where such stretches overlap ("1234 1806 0145 0590 0001" holds two), which one is the NIK cannot
    be told, so their union is masked as one number: its first and last four digits stay.
    """
    run = match.group(0)
    bounds = [0, *(edge for gap in _GAPS.finditer(run) for edge in gap.span()), len(run)]
    groups = list(zip(bounds[::2], bounds[1::2], strict=True))
    spans: list[list[int]] = []  # [first group, last group], merged where NIK candidates overlap
    for first in range(len(groups)):
        count, last = 0, first
        while last < len(groups) and count < NIK_LENGTH:
            count += groups[last][1] - groups[last][0]
            last += 1
        if count != NIK_LENGTH:
            continue
        if spans and spans[-1][1] >= first:
            spans[-1][1] = last - 1
        else:
            spans.append([first, last - 1])
    if not spans:
        return run
    pieces: list[str] = []
    written = 0
    for first, last in spans:
        start, end = groups[first][0], groups[last][1]
        digits = "".join(run[s:e] for s, e in groups[first:last + 1])
        pieces += [run[written:start], mask_nik(digits)]
        written = end
    pieces.append(run[written:])
    return "".join(pieces)


# A phone number typed into a search box or carried in a link (`q=`, `phone=`, `hp=`) ends up in access
# logs with the URL; NIKs there are masked like everywhere, phone numbers by this.
_PHONE_IN_URL = re.compile(r"([?&](?:q|phone|hp)=)([^&\s\"']+)")
_PHONE_VALUE = re.compile(r"\+?[0-9]{8,15}")


def mask_phones_in_urls(text: str) -> str:
    """The text with a phone number given as a search or phone query value kept to its last four digits."""
    if "=" not in text:
        return text

    def mask(match: re.Match[str]) -> str:
        key, value = match.groups()
        digits = re.sub(r"[\s.\-()/]", "", unquote_plus(value))
        if not _PHONE_VALUE.fullmatch(digits):
            return match.group(0)
        return key + "*" * (len(digits) - 4) + digits[-4:]

    return _PHONE_IN_URL.sub(mask, text)


def pseudonym(ticket_number: str) -> str:
    """What staff without the right see instead of a confidential filer's name: stable per ticket,
    and derived from nothing personal."""
    return f"Pelapor rahasia ({ticket_number})"


WITHHELD = "[dirahasiakan]"
# An Indonesian mobile number however it is typed: +62 / 62 / 0, then 8 and 8-12 more digits, with the
# spaces, dots and dashes people put between them.
_MOBILE = re.compile(r"(?<![0-9])(?:\+?62|0)[\s.\-]?8(?:[\s.\-]?[0-9]){7,11}(?![0-9])")
_MASKED_NIK = re.compile(r"[0-9]{4}\*{8,}[0-9]{4}")
_NAME_WORD = re.compile(r"[^\W\d_]{3,}")


def identity_withheld(name: str | None) -> Callable[[str], str]:
    """How free text of a confidential ticket is shown to a reader who may not know its filer: every
    NIK-shaped and mobile number withheld, and the filer's name and each word of it (three letters or
    more) too, since citizens sign their messages. Withholding a word too many is the safe side."""
    words = sorted({w for w in _NAME_WORD.findall(name or "")}, key=len, reverse=True)
    own_name = re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b", re.IGNORECASE) if words else None

    def withhold(text: str) -> str:
        text = _MASKED_NIK.sub(WITHHELD, mask_niks_in_text(text))
        text = _MOBILE.sub(WITHHELD, text)
        return own_name.sub(WITHHELD, text) if own_name else text

    return withhold
