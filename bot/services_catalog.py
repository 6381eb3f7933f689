"""What each service asks of the citizen: required documents and the words people use for it.

The document lists follow Perpres 96/2018 and Permendagri 108/2019 as Disdukcapil offices apply them;
they are shown to the citizen as they are, so each line stays short.
"""

import re

from tickets.constants import DOCUMENT_SERVICES, Service

REQUIRED_DOCUMENTS: dict[Service, tuple[str, ...]] = {
    Service.KK: (
        "Buku nikah/akta perkawinan (KK baru) atau akta cerai",
        "KK lama (tambah/kurang anggota, pisah KK, KK rusak)",
        "Surat keterangan pindah (bagi pendatang)",
        "Surat kehilangan dari polisi (jika KK hilang)",
    ),
    Service.KTP_EL: (
        "KK",
        "KTP-el lama (jika rusak atau ganti data)",
        "Surat kehilangan dari polisi (jika KTP-el hilang)",
        "Buku nikah (jika belum 17 tahun tetapi sudah menikah)",
        "Perekaman foto & sidik jari tetap datang langsung",
    ),
    Service.KIA: (
        "KK orang tua",
        "Akta kelahiran anak",
        "KTP-el ayah dan ibu/wali",
        "Pas foto berwarna 2x3 (anak usia 5 tahun ke atas)",
    ),
    Service.AKTA_KELAHIRAN: (
        "Surat keterangan lahir dari RS/puskesmas/bidan",
        "KK orang tua",
        "KTP-el ayah dan ibu",
        "Buku nikah/akta perkawinan orang tua",
        "Jika tidak ada surat lahir/buku nikah: SPTJM",
    ),
    Service.AKTA_KEMATIAN: (
        "Surat kematian dari RS/dokter atau kepala pekon/lurah",
        "KK almarhum/almarhumah",
        "KTP-el almarhum/almarhumah",
        "KTP-el pelapor",
    ),
    Service.PINDAH: (
        "KK",
        "KTP-el anggota keluarga yang ikut pindah",
        "Buku nikah (jika pindah karena menikah)",
    ),
    Service.PERBAIKAN_DATA: (
        "KK",
        "KTP-el",
        "Dokumen yang memuat data benar (ijazah, akta lahir, buku nikah)",
        "Penetapan pengadilan (jika ganti nama)",
    ),
    Service.PENGADUAN: (),
}

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
    """The documents a citizen sends for this service, one short line each."""
    return REQUIRED_DOCUMENTS[service]


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
