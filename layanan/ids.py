"""Row ids (and other whole numbers bound for an integer column) read from URLs, query strings and forms.

One bound for all of them: the id and version columns are INTEGER, 32-bit signed on PostgreSQL, so a
larger number makes the database raise instead of finding nothing. A route takes `<id:name>` instead of
`<int:name>` (a number past the bound matches no route: 404); a view reads a query or form value with
`parse_id` and answers 400 when it is None.
"""

from __future__ import annotations

import re

from flask import Flask
from werkzeug.routing import BaseConverter, ValidationError

MAX_ID = 2**31 - 1  # PostgreSQL INTEGER; SQLite holds 63 bits, so the smaller bound serves both
_DIGITS = re.compile(r"[0-9]{1,10}")


def parse_id(text: str | None) -> int | None:
    """The number written in text (ASCII digits only, 0 to MAX_ID), or None for anything else."""
    if text is None or not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def _at_most(bound: int) -> str:
    """A regular expression for the decimal numbers (leading zeros allowed, as many digits as the bound)
    not above `bound`: a digit lower than the bound's at some place, any digits after it."""
    digits = str(bound)
    ways = [f"[0-9]{{1,{len(digits) - 1}}}"]
    for place, digit in enumerate(digits):
        if digit != "0":
            rest = len(digits) - place - 1
            ways.append(digits[:place] + f"[0-{int(digit) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    ways.append(digits)
    return "|".join(ways)


class IdConverter(BaseConverter):
    """`<id:name>`: a row id in a URL; a number an id column cannot hold matches nothing (404).

    The bound is in the pattern itself: a number refused only by `to_python` would let Werkzeug answer 405
    where the same address has another rule for another method."""

    regex = f"(?:{_at_most(MAX_ID)})"
    part_isolating = True

    def to_python(self, value: str) -> int:
        found = parse_id(value)
        if found is None:
            raise ValidationError()
        return found

    def to_url(self, value: int) -> str:
        return str(int(value))


def init_app(app: Flask) -> None:
    """Make `<id:...>` available to every blueprint; call before they are registered."""
    app.url_map.converters["id"] = IdConverter
