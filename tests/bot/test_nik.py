"""NIK parsing: what a citizen types, and what we tell them when it cannot be right."""

from datetime import date

import pytest

from bot.nik import InvalidNik, parse_nik
from tickets.privacy import mask_nik

TODAY = date(2026, 3, 2)


def test_a_tanggamus_nik_is_read_field_by_field() -> None:
    nik = parse_nik("1806011708900001", today=TODAY)
    assert nik.value == "1806011708900001"
    assert (nik.province_code, nik.regency_code, nik.district_code) == ("18", "1806", "180601")
    assert nik.birth_date == date(1990, 8, 17)
    assert nik.sex == "L"
    assert nik.serial == "0001"
    assert nik.in_tanggamus
    assert nik.kecamatan is not None and nik.kecamatan.name == "Kota Agung"


def test_women_have_forty_added_to_the_day() -> None:
    nik = parse_nik("1806015708900002", today=TODAY)
    assert (nik.birth_date, nik.sex) == (date(1990, 8, 17), "P")


def test_day_41_is_the_first_of_the_month_for_a_woman() -> None:
    nik = parse_nik("1806024101050003", today=TODAY)
    assert (nik.birth_date, nik.sex) == (date(2005, 1, 1), "P")


@pytest.mark.parametrize("raw", ["1806.01.170890.0001", "1806-0117-0890-0001", " 1806 0117 0890 0001 "])
def test_spaces_dots_and_dashes_are_tolerated(raw: str) -> None:
    assert parse_nik(raw, today=TODAY).value == "1806011708900001"


def test_a_nik_from_elsewhere_is_accepted_but_not_tanggamus() -> None:
    nik = parse_nik("3174011708900001", today=TODAY)
    assert not nik.in_tanggamus
    assert nik.kecamatan is None


def test_an_unlisted_tanggamus_kecamatan_code_is_still_tanggamus() -> None:
    nik = parse_nik("1806991708900001", today=TODAY)
    assert nik.in_tanggamus
    assert nik.kecamatan is None


@pytest.mark.parametrize("province", ["11", "21", "36", "65", "76", "82", "91", "92", "93", "94", "95", "96"])
def test_every_kind_of_province_code_is_known(province: str) -> None:
    assert parse_nik(f"{province}01011708900001", today=TODAY).province_code == province


@pytest.mark.parametrize(("yymmdd", "born"), [
    ("020326", date(2026, 3, 2)),  # today: not in the future
    ("030326", date(1926, 3, 3)),  # tomorrow in 2026, so 1926
    ("170830", date(1930, 8, 17)),
    ("010125", date(2025, 1, 1)),
    ("290200", date(2000, 2, 29)),
])
def test_the_century_is_the_latest_one_not_in_the_future(yymmdd: str, born: date) -> None:
    assert parse_nik(f"180601{yymmdd}0001", today=TODAY).birth_date == born


@pytest.mark.parametrize(("raw", "reason"), [
    ("180601170890001", "NIK harus 16 angka, yang Anda kirim 15 angka"),
    ("18060117089000011", "yang Anda kirim 17 angka"),
    ("", "yang Anda kirim 0 angka"),
    ("18O6011708900001", "hanya berisi angka"),
    ("Budi Santoso", "hanya berisi angka"),
    ("9906011708900001", "Kode provinsi pada NIK (99)"),
    ("2006011708900001", "Kode provinsi pada NIK (20)"),
    ("0006011708900001", "Kode provinsi pada NIK (00)"),
    ("1806013002900001", "Tanggal lahir pada NIK"),  # 30 February
    ("1806017002900001", "Tanggal lahir pada NIK"),  # 30 February, a woman's day 70
    ("1806017208900001", "Tanggal lahir pada NIK"),  # day 72: beyond a woman's 71
    ("1806013508900001", "Tanggal lahir pada NIK"),  # day 35: neither a man's nor a woman's
    ("1806010008900001", "Tanggal lahir pada NIK"),
    ("1806011713900001", "Tanggal lahir pada NIK"),  # month 13
    ("1806012902010001", "Tanggal lahir pada NIK"),  # 29 February 2001 and 1901
    ("1806011708900000", "tidak boleh 0000"),
])
def test_a_bad_nik_says_what_is_wrong(raw: str, reason: str) -> None:
    with pytest.raises(InvalidNik, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse_nik(raw, today=TODAY)


def test_invalid_nik_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_nik("123", today=TODAY)


def test_parse_without_today_uses_the_clock() -> None:
    assert parse_nik("1806011708900001").birth_date == date(1990, 8, 17)


@pytest.mark.parametrize(("value", "masked"), [
    ("1806011708900001", "1806********0001"),
    ("1806 0117 0890 0001", "1806********0001"),
    ("12345678", "********"),
    ("", ""),
])
def test_mask_shows_only_the_first_and_last_four(value: str, masked: str) -> None:
    assert mask_nik(value) == masked
