"""The NIK (Nomor Induk Kependudukan): parse, check and mask."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from bot.catalogue import render
from layanan.clock import WIB
from tickets.kecamatan import BY_CODE, REGENCY_CODE, Kecamatan

# Kemendagri province codes, including the Papua provinces formed in 2022 (93-96).
PROVINCE_CODES: frozenset[str] = frozenset({
    "11", "12", "13", "14", "15", "16", "17", "18", "19", "21",
    "31", "32", "33", "34", "35", "36",
    "51", "52", "53",
    "61", "62", "63", "64", "65",
    "71", "72", "73", "74", "75", "76",
    "81", "82",
    "91", "92", "93", "94", "95", "96",
})

_SEPARATORS = re.compile(r"[\s.\-]")
FEMALE_DAY_OFFSET = 40


class InvalidNik(ValueError):
    """A NIK that cannot be right; the message tells the citizen what is wrong."""


@dataclass(frozen=True)
class Nik:
    value: str  # the 16 digits
    province_code: str  # "18"
    regency_code: str  # "1806", Kemendagri code including the province
    district_code: str  # "180601", the kecamatan of first registration
    birth_date: date
    sex: str  # "L" or "P"
    serial: str  # "0001"
    in_tanggamus: bool

    @property
    def kecamatan(self) -> Kecamatan | None:
        """The Tanggamus kecamatan of first registration, if its code is a current one."""
        return BY_CODE.get(self.district_code)


def parse_nik(raw: str, today: date | None = None) -> Nik:
    """Parse a NIK typed with or without spaces, dots or dashes; raise InvalidNik saying what is wrong."""
    value = _SEPARATORS.sub("", raw)
    if not re.fullmatch(r"[0-9]*", value, flags=re.ASCII):
        raise InvalidNik(render("nik_error_not_digits"))
    if len(value) != 16:
        raise InvalidNik(render("nik_error_length", count=len(value)))
    if value[:2] not in PROVINCE_CODES:
        raise InvalidNik(render("nik_error_province", code=value[:2]))
    birth_date, sex = _birth(value[6:12], today or datetime.now(WIB).date())
    if value[12:] == "0000":
        raise InvalidNik(render("nik_error_serial"))
    return Nik(
        value=value, province_code=value[:2], regency_code=value[:4], district_code=value[:6],
        birth_date=birth_date, sex=sex, serial=value[12:], in_tanggamus=value.startswith(REGENCY_CODE),
    )


def _birth(ddmmyy: str, today: date) -> tuple[date, str]:
    """Birth date and sex from the DDMMYY part; the century is the latest one not in the future."""
    day, month, year = int(ddmmyy[:2]), int(ddmmyy[2:4]), int(ddmmyy[4:])
    sex = "L"
    if day > FEMALE_DAY_OFFSET:
        day, sex = day - FEMALE_DAY_OFFSET, "P"
    for century in (2000, 1900):
        try:
            born = date(century + year, month, day)
        except ValueError:
            continue
        if born <= today:
            return born, sex
    raise InvalidNik(render("nik_error_birth_date", digits=ddmmyy))
