"""Phone numbers as citizens and Twilio write them."""

import pytest

from bot.catalogue import render
from layanan.phone import InvalidPhone, normalize_phone, whatsapp_address


@pytest.mark.parametrize("raw", [
    "whatsapp:+6281234567890",
    "WhatsApp:+6281234567890",
    "081234567890",
    "6281234567890",  # no plus: must not become +6262…
    "+6281234567890",
    "+62 812-3456-7890",
    "0812.3456.7890",
    "(0812) 3456 7890",
    " 0812 3456 7890 ",
    "0062 812 3456 7890",
    "whatsapp:6281234567890",
])
def test_usual_forms_normalise_to_e164(raw: str) -> None:
    assert normalize_phone(raw) == "+6281234567890"


def test_62_without_plus_is_not_read_as_a_national_number() -> None:
    assert not normalize_phone("6285212345678").startswith("+6262")


def test_a_foreign_mobile_is_kept_in_its_own_country() -> None:
    # Tanggamus has many migrant workers abroad; they may write from a Malaysian number.
    assert normalize_phone("+60123456789") == "+60123456789"


@pytest.mark.parametrize("raw", ["", "abc", "12345", "+62 812", "0812-CALL-ME", "0812345678901234567", "halo min"])
def test_garbage_is_refused_in_indonesian(raw: str) -> None:
    with pytest.raises(InvalidPhone) as refused:
        normalize_phone(raw)
    assert "Nomor telepon tidak dikenali" in render(refused.value.key)


@pytest.mark.parametrize("raw", ["+62 21 5551234", "0722 21234"])
def test_a_landline_is_refused_as_not_whatsapp(raw: str) -> None:
    with pytest.raises(InvalidPhone) as refused:
        normalize_phone(raw)
    assert "bukan nomor HP" in render(refused.value.key)


def test_invalid_phone_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        normalize_phone("xyz")


def test_whatsapp_address() -> None:
    assert whatsapp_address("+6281234567890") == "whatsapp:+6281234567890"
    assert whatsapp_address("081234567890") == "whatsapp:+6281234567890"
