"""What each service asks of the citizen: required documents and the words people use for it.

The document lists are data of the SOP (its `services:` section, read by routing): the registration
counter checks the berkas against the same lines the bot sends, so the two never disagree. They are
shown to the citizen as they are, so each line stays short.
"""

import re

from routing import definitions
from tickets.constants import DOCUMENT_SERVICES, Service

# Words as people type them, already in the form _words() produces (lower case, separators as spaces).
KEYWORDS: dict[Service, tuple[str, ...]] = {
    Service.KK: ("kk", "kartu keluarga"),
    Service.KTP_EL: ("ktp", "ktpel", "ektp", "e ktp", "ktp el", "kartu tanda penduduk"),
    Service.KIA: ("kia", "kartu identitas anak", "kartu anak"),
    Service.AKTA_KELAHIRAN: ("akta lahir", "akte lahir", "akta kelahiran", "akte kelahiran", "kelahiran", "lahir"),
    Service.AKTA_KEMATIAN: ("akta kematian", "akte kematian", "akta mati", "akte mati", "kematian", "meninggal",
                            "wafat"),
    Service.PINDAH: ("pindah", "skpwni", "surat pindah", "pindah domisili", "pindahan"),
    Service.PERBAIKAN_DATA: ("perbaikan", "perbaikan data", "perbaiki", "ubah data", "ganti data", "koreksi",
                             "salah", "keliru"),
}


def required_documents(service: Service) -> tuple[str, ...]:
    """The documents a citizen sends for this service, one short line each, then the service's notes;
    from the first SOP that lists the service (none for a service no SOP lists, e.g. a complaint)."""
    for definition in definitions():
        if definition.lists_service(service):
            return (*(r.label for r in definition.requirements_for(service)), *definition.notes_for(service))
    return ()


def match_service(text: str) -> Service | None:
    """The one document service the text names by keyword or label, or None when none or several fit."""
    words = f" {_words(text)} "
    found = {
        service
        for service in DOCUMENT_SERVICES
        for phrase in (*KEYWORDS[service], _words(service.label))
        if f" {phrase} " in words
    }
    return found.pop() if len(found) == 1 else None


def _words(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text.lower()).split())
