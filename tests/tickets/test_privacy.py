"""NIK-shaped numbers in free text are masked; phone numbers, dates and other shorter numbers are not."""

from __future__ import annotations

import re
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from tickets.privacy import contains_nik, mask_nik, mask_nik_text_filter, mask_niks_in_text, text_shown

NIK = "1806014505900001"
MASKED = "1806********0001"

DIGITS = "0123456789"
# Typed between the digits of a NIK: what the bot accepts, and how a URL writes a space.
TYPED_GAPS = ["", "", "", " ", ".", "-", "  ", " - ", ". ", "\n", "\t", "\u00a0", "+", "%20"]
GAP_CHARS = re.compile(r"(?:[\s.\-+]|%(?:2[0BbDdEe]|0[9AaDd]))")
WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCKNIÉ:,;!?()/*'\"", min_size=1, max_size=12)


@pytest.mark.parametrize(("text", "expected"), [
    ("NIK saya 1806014505900001 ya", f"NIK saya {MASKED} ya"),
    ("1806 0145 0590 0001", MASKED),
    ("1806.0145.0590.0001.", f"{MASKED}."),
    ("nik: 18-06-01-450590-0001", f"nik: {MASKED}"),
    ("18.06.01.450590.0001", MASKED),
    ("*1806014505900001*", f"*{MASKED}*"),  # WhatsApp bold
    ("nik1806014505900001", f"nik{MASKED}"),
    ("GET /antrian?q=1806+0145+0590+0001 HTTP/1.1", f"GET /antrian?q={MASKED} HTTP/1.1"),
    ("/antrian?q=1806%200145%200590%200001", f"/antrian?q={MASKED}"),
    ("1806014505900001 081234567890", f"{MASKED} 081234567890"),
    ("1806014505900001 dan 1806014505900002", f"{MASKED} dan 1806********0002"),
    # Two readings of one run: the union is masked, so the NIK's middle never shows.
    ("1234 1806 0145 0590 0001", "1234************0001"),
])
def test_nik_shaped_numbers_are_masked(text: str, expected: str) -> None:
    assert mask_niks_in_text(text) == expected


@pytest.mark.parametrize("text", [
    "hubungi 0812-3456-7890 atau +62 812 3456 7890",
    "whatsapp:+6281234567890",
    "lahir 12-03-1990, KK terbit 2024",
    "PGD-2026-000123",
    "Rp 1.500.000",
    "12345678901234567",  # seventeen digits in one piece: not a NIK
    "kode 180601450590000",  # fifteen
    "",
])
def test_other_numbers_stay(text: str) -> None:
    assert mask_niks_in_text(text) == text
    assert not contains_nik(text)


def test_text_shown_and_the_template_filter() -> None:
    assert text_shown(True)(f"NIK {NIK}") == f"NIK {NIK}"
    assert text_shown(False)(f"NIK {NIK}") == f"NIK {MASKED}"
    assert mask_nik_text_filter(None) == ""
    safe = mask_nik_text_filter(Markup(f"<b>{NIK}</b>"))
    assert isinstance(safe, Markup) and safe == Markup(f"<b>{MASKED}</b>")
    assert contains_nik(f"x {NIK}") and not contains_nik(None)


def _typed(draw: st.DrawFn, value: str) -> str:
    gaps = draw(st.lists(st.sampled_from(TYPED_GAPS), min_size=15, max_size=15))
    return value[0] + "".join(gap + digit for gap, digit in zip(gaps, value[1:], strict=True))


@st.composite
def typed_niks(draw: st.DrawFn) -> tuple[str, str]:
    """A sixteen-digit number and the way someone typed it, with separators between some digits."""
    value = draw(st.text(DIGITS, min_size=16, max_size=16))
    return value, _typed(draw, value)


@given(typed_niks(), WORDS, WORDS)
def test_a_nik_among_words_is_masked_like_the_nik_field_however_it_is_typed(  # type: ignore[no-untyped-def]
        nik, before, after) -> None:
    value, typed = nik
    assert mask_niks_in_text(typed) == mask_nik(value)
    assert mask_niks_in_text(f"{before} {typed} {after}") == f"{before} {mask_nik(value)} {after}"


@st.composite
def niks_with_a_marked_middle(draw: st.DrawFn) -> str:
    """A typed NIK whose middle eight digits are 5-9 and its ends 0-4, so the middle is told by its digits."""
    ends = st.text("01234", min_size=4, max_size=4)
    value = draw(ends) + draw(st.text("56789", min_size=8, max_size=8)) + draw(ends)
    return _typed(draw, value)


@given(niks_with_a_marked_middle(), st.text("01234 .-", max_size=24), st.sampled_from(" .-:,(/*"),
       st.sampled_from(" .-:,)/*"), st.text("01234 .-", max_size=24))
def test_the_middle_of_a_nik_never_shows_whatever_numbers_stand_next_to_it(  # type: ignore[no-untyped-def]
        typed, before, left, right, after) -> None:
    masked = mask_niks_in_text(f"{before}{left}{typed}{right}{after}")
    assert not set("56789") & set(masked), masked


@st.composite
def phone_numbers(draw: st.DrawFn) -> str:
    """An Indonesian mobile number written the ways people write one."""
    national = "8" + draw(st.text(DIGITS, min_size=8, max_size=11))
    prefix = draw(st.sampled_from(["0", "+62", "62", "+62 ", "(0", "+62-"]))
    separator = draw(st.sampled_from(["", " ", "-", "."]))
    groups = [national[i:i + 4] for i in range(0, len(national), 4)]
    return prefix + separator.join(groups)


@given(st.lists(st.tuples(WORDS, phone_numbers()), min_size=1, max_size=4), WORDS)
def test_phone_numbers_in_text_stay(pieces, last) -> None:  # type: ignore[no-untyped-def]
    text = "".join(f"{word} {phone} " for word, phone in pieces) + last
    assert mask_niks_in_text(text) == text


@given(st.text().filter(lambda t: sum(ch in DIGITS for ch in t) < 16))
def test_text_with_fewer_than_sixteen_digits_stays(text: str) -> None:
    assert mask_niks_in_text(text) == text


def _compact(text: str) -> str:
    return GAP_CHARS.sub("", text)


@given(st.one_of(st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
                 st.text(alphabet=DIGITS * 4 + " .-+%2ADab*\n", max_size=200)))
def test_masking_only_ever_replaces_digits_with_stars(text: str) -> None:
    masked = mask_niks_in_text(text)
    assert re.sub(r"[0-9*]", "", _compact(masked)) == re.sub(r"[0-9*]", "", _compact(text))
    assert masked.count("*") >= text.count("*")
