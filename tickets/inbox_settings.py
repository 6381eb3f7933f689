"""The daily digest's choices on a staff profile: the staff member's WhatsApp number, whether they want the
digest and at what WIB time. Read the same way by the administrator's form and the self-service page."""

from __future__ import annotations

import re
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from layanan.phone import InvalidPhone, normalize_phone
from routing import roles_with_duty
from routing.definition import RoleDuty
from tickets.staff import StaffUser

_TIME = re.compile(r"^([01][0-9]|2[0-3])[.:]([0-5][0-9])$")
DEFAULT_TIME = "07:30"


@dataclass(frozen=True)
class DigestChoice:
    """The submitted digest fields as typed (shown again beside their errors) and as stored."""

    whatsapp_typed: str
    whatsapp: str | None
    daily_digest: bool
    digest_time: str
    errors: dict[str, str]


def digest_roles() -> tuple[str, ...]:
    """Who the daily digest is for: the section heads and supervisors (`supervise`) and the signer (`sign`)."""
    return tuple(dict.fromkeys(roles_with_duty(RoleDuty.SUPERVISE) + roles_with_duty(RoleDuty.SIGN)))


def may_get_digest(account: StaffUser) -> bool:
    """Whether the account holds a role the digest is for."""
    return account.has_role(*digest_roles())


def read_digest_fields(form: MultiDict[str, str], current: StaffUser | None = None) -> DigestChoice:
    """Read and check the WhatsApp number, the digest choice and its time (HH:MM or HH.MM, WIB). A form without
    the fields (an older page, a script) leaves the account's choice as it is."""
    if "digest_time" not in form:
        if current is None:
            return DigestChoice("", None, False, DEFAULT_TIME, {})
        return DigestChoice(current.whatsapp or "", current.whatsapp, current.daily_digest, current.digest_time, {})
    errors: dict[str, str] = {}
    typed = (form.get("whatsapp") or "").strip()[:40]
    whatsapp = None
    if typed:
        try:
            whatsapp = normalize_phone(typed)
        except InvalidPhone as exc:
            errors["whatsapp"] = exc.key
    wanted = form.get("daily_digest") == "on"
    raw_time = (form.get("digest_time") or "").strip()
    match = _TIME.match(raw_time)
    digest_time = f"{match.group(1)}:{match.group(2)}" if match else raw_time[:5]
    if not match:
        errors["digest_time"] = "invalid"
    if wanted and whatsapp is None and "whatsapp" not in errors:
        errors["whatsapp"] = "required"
    return DigestChoice(typed, whatsapp, wanted, digest_time, errors)


def apply(account: StaffUser, choice: DigestChoice) -> None:
    """Put a checked choice on the account (the caller commits)."""
    account.whatsapp, account.daily_digest, account.digest_time = choice.whatsapp, choice.daily_digest, \
        choice.digest_time
