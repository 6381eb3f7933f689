"""Personal data shown to staff: the NIK masked for everyone the SOP does not let see it whole."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.\-]")


def mask_nik(value: str) -> str:
    """The NIK with all but the first and last four digits hidden, for logs and lists."""
    digits = _SEPARATORS.sub("", value)
    if len(digits) <= 8:
        return "*" * len(digits)
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]
