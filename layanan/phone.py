"""Phone numbers: the one module that talks to `phonenumbers`."""

import functools
import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

WHATSAPP_PREFIX = "whatsapp:"
_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
_SEPARATORS = re.compile(r"[\s\-.()/]")


class InvalidPhone(ValueError):
    """A number that cannot receive WhatsApp messages. `key` names the message catalogue's text for the
    citizen or staff: `phone_invalid` (not a phone number) or `phone_not_mobile` (a landline)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@functools.lru_cache(maxsize=8192)  # every webhook parses its sender; the same numbers write again and again
def normalize_phone(raw: str) -> str:
    """The E.164 form ('+62812…') of a mobile number typed or sent in any usual Indonesian way."""
    number = _parse(raw)
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise InvalidPhone("phone_not_mobile")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def normalize_any_phone(raw: str) -> str:
    """The E.164 form of any valid number, landlines included ('0722 21234' -> '+6272221234'): a caller
    on a fixed line can be logged, though WhatsApp cannot reach them."""
    return phonenumbers.format_number(_parse(raw), PhoneNumberFormat.E164)


def _parse(raw: str) -> phonenumbers.PhoneNumber:
    text = raw.strip()
    if text.lower().startswith(WHATSAPP_PREFIX):
        text = text[len(WHATSAPP_PREFIX):]
    text = _SEPARATORS.sub("", text)
    if not re.fullmatch(r"\+?[0-9]{6,17}", text, flags=re.ASCII):
        raise InvalidPhone("phone_invalid")
    if text.startswith("00"):
        text = "+" + text[2:]
    elif text.startswith("62"):
        # Without the plus, phonenumbers reads 62… as a national number and returns +6262….
        text = "+" + text
    try:
        number = phonenumbers.parse(text, "ID")
    except NumberParseException as exc:
        raise InvalidPhone("phone_invalid") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("phone_invalid")
    return number


def whatsapp_address(e164: str) -> str:
    """Twilio's WhatsApp address ('whatsapp:+62…') for a phone number."""
    return WHATSAPP_PREFIX + normalize_phone(e164)
