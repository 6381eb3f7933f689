"""Staff accounts: argon2 password hashes, creation and the demo set."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from routing import all_roles, roles_with_duty
from routing.definition import RoleDuty
from tickets.staff import StaffUser

ADMIN_ROLE = "admin"
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(user: StaffUser, password: str) -> bool:
    """Whether the password matches the user's hash."""
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def known_roles() -> set[str]:
    """Every role a staff account may hold: the roles of every loaded SOP and the administrator."""
    return set(all_roles()) | {ADMIN_ROLE}


def create_staff(session: Session, *, username: str, full_name: str, roles: list[str], password: str,
                 kecamatan_code: str | None = None, nip: str | None = None) -> StaffUser:
    """Create and commit a staff account; unknown roles and short passwords are refused."""
    unknown = set(roles) - known_roles()
    if unknown:
        raise ValueError(f"peran tidak dikenal: {', '.join(sorted(unknown))}")
    if len(password) < 8:
        raise ValueError("kata sandi minimal 8 karakter")
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
