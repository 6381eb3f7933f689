"""Properties of the phone normaliser: one number, however it is written, is one E.164 string."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from bot import catalogue
from layanan.phone import InvalidPhone, normalize_phone, whatsapp_address

# Mobile prefixes of the Indonesian operators (Telkomsel, Indosat, XL, Axis, Tri, Smartfren).
PREFIXES = ["811", "812", "813", "821", "822", "823", "852", "853", "814", "815", "816", "855", "856", "857",
            "858", "817", "818", "819", "859", "877", "878", "831", "832", "838", "895", "896", "897", "898",
            "899", "881", "882", "883", "884", "885", "886", "887", "888", "889"]


@given(st.text(max_size=30))
def test_any_text_is_a_number_or_a_readable_refusal(raw: str) -> None:
    try:
        e164 = normalize_phone(raw)
    except InvalidPhone as exc:
        assert catalogue.render(exc.key).strip()
        return
    assert e164.startswith("+") and e164[1:].isdigit()
    assert normalize_phone(e164) == e164


@st.composite
def mobiles(draw: st.DrawFn) -> str:
    """The national significant number of a plausible Indonesian mobile: 8xx plus 6 to 9 digits."""
    return draw(st.sampled_from(PREFIXES)) + draw(st.text("0123456789", min_size=6, max_size=9))


WRITINGS = [
    lambda n: f"0{n}", lambda n: f"+62{n}", lambda n: f"62{n}", lambda n: f"0062{n}",
    lambda n: f"whatsapp:+62{n}", lambda n: f"WhatsApp:+62{n}", lambda n: f"+62 {n[:3]}-{n[3:7]}-{n[7:]}",
    lambda n: f"(0{n[:3]}) {n[3:]}", lambda n: f"0{n[:3]}.{n[3:7]}.{n[7:]}", lambda n: f"  0{n}  ",
]


@given(mobiles())
def test_every_usual_writing_of_a_mobile_number_gives_the_same_e164(national: str) -> None:
    try:
        canonical = normalize_phone(f"+62{national}")
    except InvalidPhone:
        assume(False)
        return
    assert canonical == f"+62{national}"
    for write in WRITINGS:
        assert normalize_phone(write(national)) == canonical, write(national)
    assert whatsapp_address(canonical) == f"whatsapp:{canonical}"


@given(mobiles(), st.sampled_from(["+1", "+44", "+60", "+65"]))
def test_a_number_is_never_silently_moved_to_indonesia(national: str, country: str) -> None:
    try:
        e164 = normalize_phone(f"{country}{national}")
    except InvalidPhone:
        return
    assert e164.startswith(country)
