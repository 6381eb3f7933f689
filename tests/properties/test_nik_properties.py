"""Properties of the NIK parser over any input: it answers or explains, and reads every real NIK."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.nik import PROVINCE_CODES, InvalidNik, Nik, parse_nik
from tickets.privacy import mask_nik

TODAY = date(2026, 3, 2)
OLDEST = date(1927, 1, 1)  # two-digit years: beyond a hundred years the century is ambiguous by design


@given(st.text(max_size=40))
def test_any_text_is_a_nik_or_a_citizen_readable_refusal(raw: str) -> None:
    try:
        nik = parse_nik(raw, today=TODAY)
    except InvalidNik as exc:
        assert str(exc).strip(), "the citizen is told what is wrong"
        return
    assert isinstance(nik, Nik) and len(nik.value) == 16 and nik.value.isdigit()


@st.composite
def niks(draw: st.DrawFn) -> tuple[str, date, str, str]:
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    area = draw(st.text("0123456789", min_size=4, max_size=4))
    born = draw(st.dates(min_value=OLDEST, max_value=TODAY))
    sex = draw(st.sampled_from("LP"))
    serial = draw(st.integers(1, 9999))
    day = born.day + (40 if sex == "P" else 0)
    value = f"{province}{area}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
    return value, born, sex, f"{serial:04d}"


@given(niks(), st.lists(st.sampled_from([" ", ".", "-", "  "]), max_size=4), st.data())
def test_every_well_formed_nik_is_read_back_however_it_is_typed(nik, separators, data) -> None:  # type: ignore[no-untyped-def]
    value, born, sex, serial = nik
    typed = list(value)
    for separator in separators:
        typed.insert(data.draw(st.integers(1, len(typed) - 1)), separator)
    parsed = parse_nik("".join(typed), today=TODAY)
    assert (parsed.value, parsed.birth_date, parsed.sex, parsed.serial) == (value, born, sex, serial)
    assert parsed.in_tanggamus == value.startswith("1806")


@given(niks())
def test_a_nik_born_tomorrow_is_refused(nik) -> None:  # type: ignore[no-untyped-def]
    value, born, _sex, _serial = nik
    tomorrow = TODAY + timedelta(days=1)
    future = value[:6] + f"{tomorrow.day:02d}{tomorrow.month:02d}{tomorrow.year % 100:02d}" + value[12:]
    try:
        parsed = parse_nik(future, today=TODAY)
    except InvalidNik:
        return
    assert parsed.birth_date <= TODAY  # read as a century earlier, never as the future


@given(niks())
def test_the_mask_hides_the_birth_date_and_keeps_the_ends(nik) -> None:  # type: ignore[no-untyped-def]
    value = nik[0]
    masked = mask_nik(value)
    assert masked[:4] == value[:4] and masked[-4:] == value[-4:]
    assert masked[4:12] == "*" * 8
