"""The 20 kecamatan of Kabupaten Tanggamus with their Kemendagri codes."""

from dataclasses import dataclass

REGENCY_CODE = "1806"  # Kemendagri code of Tanggamus: 18 Lampung, 06 Tanggamus


@dataclass(frozen=True)
class Kecamatan:
    code: str  # Kemendagri code without dots, e.g. "180601"
    name: str
    aliases: tuple[str, ...] = ()


KECAMATAN: tuple[Kecamatan, ...] = (
    Kecamatan("180626", "Air Naningan"),
    Kecamatan("180625", "Bandar Negeri Semuong", ("BNS",)),
    Kecamatan("180627", "Bulok"),
    Kecamatan("180609", "Cukuh Balak"),
    Kecamatan("180620", "Gisting"),
    Kecamatan("180621", "Gunung Alip"),
    Kecamatan("180617", "Kelumbayan"),
    Kecamatan("180628", "Kelumbayan Barat"),
    Kecamatan("180601", "Kota Agung"),
    Kecamatan("180618", "Kota Agung Barat"),
    Kecamatan("180619", "Kota Agung Timur"),
    Kecamatan("180624", "Limau"),
    Kecamatan("180616", "Pematang Sawa"),
    Kecamatan("180611", "Pugung"),
    Kecamatan("180604", "Pulau Panggung"),
    Kecamatan("180612", "Semaka"),
    Kecamatan("180613", "Sumberejo"),
    Kecamatan("180602", "Talang Padang"),
    Kecamatan("180615", "Ulu Belu", ("Ulubelu",)),
    Kecamatan("180603", "Wonosobo"),
)

BY_CODE: dict[str, Kecamatan] = {k.code: k for k in KECAMATAN}


def by_code(code: str) -> Kecamatan:
    """The kecamatan with this Kemendagri code (no dots)."""
    return BY_CODE[code]
