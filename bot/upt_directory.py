"""The UPT directory: for each kecamatan, where its UPT is, when it opens, whom to call and what to bring
at pick-up. An administrator keeps it (bot.upt_directory_views); the arrival message and the public status
page read it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, Session, SQLModel, select

from layanan.indonesian_words import DAYS
from layanan.clock import utcnow
from routing.sla import WorkingCalendar, default_calendar
from tickets.kecamatan import BY_CODE, KECAMATAN
from tickets.types import UTCDateTime

# What the pick-up counter accepts (the SOP's pick-up identities): the citizen's own, or a proxy's with a letter.
DEFAULT_BRING = "KTP-el atau Kartu Keluarga asli; bila diwakilkan, surat kuasa dan KTP-el penerima kuasa"
# Long enough for a real address; short enough that the arrival message stays well inside one WhatsApp message.
FIELD_LIMITS = {"name": 100, "address": 200, "opening_hours": 120, "contact": 80, "bring": 300}


class UptOffice(SQLModel, table=True):
    """One kecamatan's UPT as citizens are told about it."""

    __tablename__ = "upt_office"

    kecamatan_code: str = Field(primary_key=True, foreign_key="kecamatan.code", max_length=6)
    name: str = Field(max_length=FIELD_LIMITS["name"])
    address: str = Field(max_length=FIELD_LIMITS["address"])
    opening_hours: str = Field(max_length=FIELD_LIMITS["opening_hours"])
    contact: str = Field(default="", max_length=FIELD_LIMITS["contact"])  # telephone or WhatsApp; may be empty
    bring: str = Field(max_length=FIELD_LIMITS["bring"])
    updated_by_id: int | None = Field(default=None, foreign_key="staffuser.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def office_hours(calendar: WorkingCalendar | None = None) -> str:
    """The working calendar's opening hours in words, e.g. "Senin-Jumat pukul 08.00-16.00 WIB, kecuali hari libur"."""
    calendar = calendar or default_calendar()
    days = sorted(calendar.workdays)
    if days == list(range(days[0], days[-1] + 1)) and len(days) > 1:
        named = f"{DAYS[days[0]]}-{DAYS[days[-1]]}"
    else:
        named = ", ".join(DAYS[d] for d in days)
    zone = calendar.tz.tzname(None) or ""
    return (f"{named} pukul {calendar.opens:%H.%M}-{calendar.closes:%H.%M} {zone}".rstrip()
            + ", kecuali hari libur")


def default_office(kecamatan_code: str) -> UptOffice:
    """A clearly generic entry for a kecamatan nobody has described yet: its kantor kecamatan, office hours."""
    name = BY_CODE[kecamatan_code].name
    return UptOffice(kecamatan_code=kecamatan_code, name=f"UPT Kecamatan {name}",
                     address=f"Kantor Kecamatan {name}, Kabupaten Tanggamus", opening_hours=office_hours(),
                     contact="", bring=DEFAULT_BRING)


def upt_for(session: Session, kecamatan_code: str) -> UptOffice:
    """The UPT of this kecamatan as the directory holds it, or its generic entry."""
    return session.get(UptOffice, kecamatan_code) or default_office(kecamatan_code)


def directory(session: Session) -> list[UptOffice]:
    """Every kecamatan's UPT, in the order the bot lists the kecamatan."""
    stored = {row.kecamatan_code: row for row in session.exec(select(UptOffice))}
    return [stored.get(k.code) or default_office(k.code) for k in KECAMATAN]
