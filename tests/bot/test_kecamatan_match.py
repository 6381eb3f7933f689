"""Finding the kecamatan a citizen means."""

import pytest

from bot.kecamatan_match import match_kecamatan
from tickets.kecamatan import KECAMATAN


def name_of(text: str) -> str | None:
    found = match_kecamatan(text)
    return found.name if found else None


@pytest.mark.parametrize(("number", "kecamatan"), list(enumerate(KECAMATAN, start=1)))
def test_menu_numbers_follow_the_listed_order(number: int, kecamatan: object) -> None:
    assert match_kecamatan(str(number)) is kecamatan


@pytest.mark.parametrize("kecamatan", KECAMATAN, ids=lambda k: k.name)
def test_every_name_matches_itself_in_any_case(kecamatan: object) -> None:
    assert match_kecamatan(kecamatan.name) is kecamatan  # type: ignore[attr-defined]
    assert match_kecamatan(kecamatan.name.upper()) is kecamatan  # type: ignore[attr-defined]
    assert match_kecamatan(kecamatan.name.lower().replace(" ", "")) is kecamatan  # type: ignore[attr-defined]


@pytest.mark.parametrize(("text", "name"), [
    ("9.", "Kota Agung"),
    ("9)", "Kota Agung"),
    (" 9 ", "Kota Agung"),
    ("no 20", "Wonosobo"),
    ("Kec. Gisting", "Gisting"),
    ("kec gisting", "Gisting"),
    ("Kecamatan Talang Padang", "Talang Padang"),
    ("ulubelu", "Ulu Belu"),
    ("ULU BELU", "Ulu Belu"),
    ("BNS", "Bandar Negeri Semuong"),
    ("kec. bns", "Bandar Negeri Semuong"),
])
def test_numbers_prefixes_and_aliases(text: str, name: str) -> None:
    assert name_of(text) == name


@pytest.mark.parametrize(("text", "name"), [
    ("kota agung", "Kota Agung"),
    ("Kota Agung Barat", "Kota Agung Barat"),
    ("kota agung timur", "Kota Agung Timur"),
    ("kota agung brat", "Kota Agung Barat"),
    ("kota agung timr", "Kota Agung Timur"),
    ("kotagung", "Kota Agung"),
    ("kelumbayan", "Kelumbayan"),
    ("kelumbayn barat", "Kelumbayan Barat"),
])
def test_kota_agung_and_its_neighbours_are_not_confused(text: str, name: str) -> None:
    assert name_of(text) == name


@pytest.mark.parametrize(("text", "name"), [
    ("sumber rejo", "Sumberejo"),
    ("talang padnag", "Talang Padang"),
    ("pulau pangung", "Pulau Panggung"),
    ("bandar negri semuong", "Bandar Negeri Semuong"),
    ("gunung alif", "Gunung Alip"),
    ("pematang sawah", "Pematang Sawa"),
    ("wonosob", "Wonosobo"),
    ("gist", "Gisting"),  # a prefix only one name has
    ("gisting atas", "Gisting"),  # a pekon named after its kecamatan
    ("kota agung, pekon baros", "Kota Agung"),
])
def test_typos_and_extra_words_are_tolerated(text: str, name: str) -> None:
    assert name_of(text) == name


@pytest.mark.parametrize("text", ["", "  ", "0", "21", "99", "xyz", "kota", "kelum", "ulu", "bandar lampung",
                                  "saya tidak tahu", "🙏"])
def test_unclear_input_matches_nothing(text: str) -> None:
    assert match_kecamatan(text) is None
