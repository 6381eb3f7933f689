"""Staff accounts: argon2 password hashes, the password rules, creation and the demo set."""

from __future__ import annotations

import functools
import gzip
import re
from enum import StrEnum
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from routing import all_roles, roles_with_duty
from routing.definition import RoleDuty
from tickets.staff import StaffUser

ADMIN_ROLE = "admin"
_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 12
# 20,000 common passwords, lowercased (Royce Williams' list, as Django ships it for the same check).
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt.gz")
# What a guesser here tries first besides the world's list: the office, the region, the service's words.
LOCAL_WORDS = frozenset({
    "demo", "test", "tes", "uji", "coba", "admin", "administrator", "user", "staf", "staff", "petugas",
    "operator", "pegawai", "password", "sandi", "katasandi", "rahasia", "masuk", "login", "layanan",
    "pengaduan", "dukcapil", "disdukcapil", "capil", "kependudukan", "tanggamus", "kotaagung", "lampung",
    "indonesia", "pemkab", "kabupaten", "dinas", "bismillah", "selamat", "merdeka",
})
# Runs of keys a guesser walks along; a password that is a piece of one of them is refused.
_WALKS = ("01234567890", "09876543210", "abcdefghijklmnopqrstuvwxyz", "zyxwvutsrqponmlkjihgfedcba",
          "qwertyuiopasdfghjklzxcvbnm", "mnbvcxzlkjhgfdsapoiuytrewq", "1qaz2wsx3edc4rfv5tgb6yhn7ujm")
_LEET = str.maketrans("013457@$", "oieastas")
_ENDS = re.compile(r"^[^a-z]+|[^a-z]+$")


class PasswordProblem(StrEnum):
    """Why a new password is refused (the admin templates explain each)."""

    TOO_SHORT = "too_short"
    COMMON = "common"
    LIKE_USERNAME = "like_username"


# For the command line (create-staff, load-demo); the admin pages explain the codes in their templates.
PASSWORD_PROBLEM_TEXT = {
    PasswordProblem.TOO_SHORT: f"kata sandi minimal {MIN_PASSWORD_LENGTH} karakter",
    PasswordProblem.COMMON: "kata sandi terlalu umum atau mudah ditebak",
    PasswordProblem.LIKE_USERNAME: "kata sandi tidak boleh memuat nama pengguna",
}


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lowercased."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip())


def password_problem(password: str, username: str = "") -> PasswordProblem | None:
    """Why this password may not be used (None: it may): too short, common or guessable, or the username."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return PasswordProblem.TOO_SHORT
    lowered = password.lower()
    name = username.strip().lower()
    if len(name) >= 4 and (name in lowered or name.replace("_", "-") in lowered):
        return PasswordProblem.LIKE_USERNAME
    # "Demo12345", "P@ssw0rd-2026!", "rahasia123456": a known word dressed with digits and signs at its ends.
    core = _ENDS.sub("", lowered).translate(_LEET)
    bare = re.sub(r"[^a-z]", "", core)
    unit = bare[:(bare + bare).find(bare, 1)]  # "passwordpassword" -> "password"
    words = common_passwords() | LOCAL_WORDS
    if (lowered in words or core in words or bare in words or unit in words or len(unit) < 4
            or len(set(lowered)) < 5 or any(re.sub(r"[^a-z0-9]", "", lowered) in walk for walk in _WALKS)):
        return PasswordProblem.COMMON
    return None


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(user: StaffUser, password: str) -> bool:
    """Whether the password matches the user's hash."""
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def end_sessions(user: StaffUser) -> None:
    """End every session of the account (logout, new password, deactivation); the caller commits."""
    user.session_version += 1


def known_roles() -> set[str]:
    """Every role a staff account may hold: the roles of every loaded SOP and the administrator."""
    return set(all_roles()) | {ADMIN_ROLE}


def create_staff(session: Session, *, username: str, full_name: str, roles: list[str], password: str,
                 kecamatan_code: str | None = None, nip: str | None = None) -> StaffUser:
    """Create and commit a staff account; unknown roles and passwords the rules refuse are refused."""
    unknown = set(roles) - known_roles()
    if unknown:
        raise ValueError(f"peran tidak dikenal: {', '.join(sorted(unknown))}")
    problem = password_problem(password, username)
    if problem is not None:
        raise ValueError(PASSWORD_PROBLEM_TEXT[problem])
    user = StaffUser(username=username.strip().lower(), full_name=full_name.strip(), roles=sorted(set(roles)),
                     password_hash=hash_password(password), kecamatan_code=kecamatan_code, nip=nip)
    session.add(user)
    session.commit()
    return user


DEMO_UPT_KECAMATAN = "180601"  # Kota Agung: the demo UPT account works for the regency's capital


def load_demo_staff(session: Session, password: str) -> list[StaffUser]:
    """One account per role (username = role key, e.g. `kepala_dinas`) plus `admin`; existing ones are kept."""
    users = []
    bound = set(roles_with_duty(RoleDuty.KECAMATAN_BOUND))
    for role in sorted(known_roles()):
        existing = session.exec(select(StaffUser).where(StaffUser.username == role)).first()
        if existing is not None:
            users.append(existing)
            continue
        label = "Administrator" if role == ADMIN_ROLE else all_roles()[role].name
        users.append(create_staff(
            session, username=role, full_name=f"Demo {label}", roles=[role], password=password,
            kecamatan_code=DEMO_UPT_KECAMATAN if role in bound else None,
        ))
    return users
