"""The message catalogue: every key renders, stays short, and the web layer's keys take its params."""

import pytest

from bot.catalogue import MESSAGES, PARAMS, format_documents, render
from bot.services_catalog import match_service, required_documents
from routing.definition import Milestone
from tickets.constants import DOCUMENT_SERVICES, Service

MAX_CHARS = 600
LONGEST_LABEL = max((s.label for s in Service), key=len)

# Realistic worst cases for every parameter name the catalogue uses.
SAMPLES: dict[str, object] = {
    "number": "PGD-2026-000123",
    "relations": "1. Keluarga\n2. Aparat pekon/kelurahan\n3. Petugas kecamatan\n4. Pendamping sosial/Dinsos\n"
                 "5. Pengurus panti",
    "relation": "Pendamping sosial/Dinsos",
    "subject": "Hj. Siti Rahmawati binti Abdul Rahman",
    "pekon": "Pekon Sinar Banten Kecamatan Bulok",
    "priority": "Mendesak",
    "when": "Senin, 7 Desember 2026 pukul 08.00 WIB",
    "service_label": LONGEST_LABEL,
    "stage_label": "Diverifikasi petugas, menunggu tanda tangan Kepala Dinas",
    "content_type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "limit_mb": 5,
    "limit": 10,
    "count": 10,
    "files": 10,
    "reason": "Tanggal lahir pada NIK (angka ke-7 s.d. 12: 300290) tidak mungkin. Periksa kembali NIK Anda.",
    "nik": "1806********0001",
    "name": "N" * 100,
    "kecamatan": "Bandar Negeri Semuong",
    "detail": "x" * 200,
    "description": "x" * 200,
    "documents": max((format_documents(s) for s in DOCUMENT_SERVICES), key=len),
    "code": "99",
    "digits": "300290",
    "reapply": "Anda bisa mengajukan lagi lewat kantor pekon setelah melengkapi persyaratan.",
    "answer": "x" * 200,
    "destination": "Dirujuk ke instansi lain, " + "N" * 120,
    "days": 60,  # a complaint's answer; the longest one the SOP allows is checked in tests/complaints
    # A UPT as an administrator describes it (bot.upt_directory), and the status page link
    "upt_name": "UPT Disdukcapil Kecamatan Bandar Negeri Semuong",
    "address": "Jl. Raya Pekon Tanjung Kurung No. 12, Kompleks Kantor Kecamatan Bandar Negeri Semuong, "
               "Kabupaten Tanggamus",
    "hours": "Senin-Kamis pukul 08.00-15.00 WIB, Jumat pukul 08.00-11.30 WIB, kecuali hari libur",
    "contact": "0812-3456-7890 (WhatsApp)",
    "bring": "KTP-el atau Kartu Keluarga asli; bila diwakilkan, surat kuasa dan KTP-el penerima kuasa",
    "url": "https://layanan.disdukcapil.tanggamuskab.go.id/cek-status?nomor=PGD-2026-000123",
    # The complaint flow: the SOP's category list, two equally close ones, the longest Indonesian date
    "categories": "\n".join(f"{i}. {'N' * 40}" for i in range(1, 11)),
    "candidates": "\n".join(f"{i}. {'N' * 40}" for i in range(1, 4)),
    "category": "N" * 40,
    "related": "PGD-2026-000123",
    "identity": "tidak dirahasiakan",
    "deadline": "Selasa, 29 September 2026",
    # The satisfaction survey's question (the longest element's) and its place; the privacy notice's version;
    # the finished tickets an approved deletion request emptied
    "position": 9,
    "question": max((MESSAGES[k] for k in MESSAGES if k.startswith("skm_q_")), key=len),
    "version": "2026-12",
    "tickets": 120,
    "kept": "dihapus 3650 hari setelah tiket selesai",
}


def test_every_channel_says_how_to_apply_again_after_a_rejection() -> None:
    from tickets.constants import Channel

    for channel in Channel:
        assert render(f"reapply_{channel}").startswith("Anda bisa mengajukan lagi")
    assert "ketik *menu*" in render("reapply_whatsapp") and "kantor pekon" in render("reapply_pekon")


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_key_renders_with_its_params_and_stays_short(key: str) -> None:
    text = render(key, **{name: SAMPLES[name] for name in PARAMS[key]})
    assert text.strip()
    assert "{" not in text and "}" not in text
    assert len(text) <= MAX_CHARS, f"{key} is {len(text)} characters"


@pytest.mark.parametrize(("key", "params"), [
    ("ticket_created", {"number", "service_label"}),
    ("status_reply", {"number", "service_label", "stage_label"}),
    ("status_unavailable", {"number"}),
    ("media_refused_type", {"content_type"}),
    ("media_refused_size", {"limit_mb"}),
    ("media_download_failed", set()),
    ("internal_error", set()),
    ("waiting_reminder", {"number", "reason"}),
    ("waiting_received", {"number", "count"}),
])
def test_the_web_layer_keys_take_these_params(key: str, params: set[str]) -> None:
    assert PARAMS[key] == params


@pytest.mark.parametrize("milestone", list(Milestone), ids=str)
def test_every_sop_milestone_has_a_message(milestone: Milestone) -> None:
    with_reason = milestone in (Milestone.REJECTED, Milestone.WAITING_CITIZEN, Milestone.DISMISSED)
    expected = {"number", "service_label"} | ({"reason"} if with_reason else set())
    expected |= {"reapply"} if milestone is Milestone.REJECTED else set()
    expected |= {"stage_label"} if milestone is Milestone.READY else set()  # where to pick it up
    expected |= {"answer"} if milestone is Milestone.ANSWERED else set()  # the approved answer to a complaint
    expected |= {"destination"} if milestone is Milestone.DISPOSED else set()  # the unit or agency
    # where the document waits, from the UPT directory
    expected |= {"upt_name", "address", "hours", "contact", "bring"} if milestone is Milestone.ARRIVED else set()
    assert PARAMS[f"milestone_{milestone}"] == expected


def test_ticket_created_says_what_happens_next() -> None:
    text = render("ticket_created", number="PGD-2026-000123", service_label="Akta Kelahiran")
    assert "PGD-2026-000123" in text
    assert "status PGD-2026-000123" in text
    assert "WhatsApp" in text and "memeriksa" in text


def test_human_help_names_the_office_hours() -> None:
    assert "Senin-Jumat" in render("human_requested") and "08.00-16.00 WIB" in render("human_requested")


def test_unknown_key_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        render("no_such_message")


def test_missing_or_extra_params_are_refused() -> None:
    with pytest.raises(TypeError):
        render("status_unavailable")
    with pytest.raises(TypeError):
        render("status_unavailable", number="PGD-2026-000001", extra="x")


def test_menus_are_numbered_in_catalogue_order() -> None:
    text = render("ask_service")
    for number, service in enumerate(DOCUMENT_SERVICES, start=1):
        assert f"{number}. {service.label}" in text
    assert "1. Air Naningan" in render("ask_kecamatan") and "20. Wonosobo" in render("ask_kecamatan")


@pytest.mark.parametrize("service", DOCUMENT_SERVICES, ids=str)
def test_every_document_service_lists_its_requirements(service: Service) -> None:
    documents = required_documents(service)
    assert documents
    text = render("ask_documents", service_label=service.label, documents=format_documents(service))
    assert all(line in text for line in documents)
    assert len(text) <= MAX_CHARS


@pytest.mark.parametrize(("text", "service"), [
    ("ktp", Service.KTP_EL), ("KTP-el", Service.KTP_EL), ("e-KTP", Service.KTP_EL), ("buat ktp baru", Service.KTP_EL),
    ("kk", Service.KK), ("Kartu Keluarga", Service.KK),
    ("kia", Service.KIA), ("kartu identitas anak", Service.KIA),
    ("akta lahir", Service.AKTA_KELAHIRAN), ("Akte Kelahiran", Service.AKTA_KELAHIRAN),
    ("akta kematian", Service.AKTA_KEMATIAN), ("bapak saya meninggal", Service.AKTA_KEMATIAN),
    ("pindah", Service.PINDAH), ("SKPWNI", Service.PINDAH),
    ("perbaikan data", Service.PERBAIKAN_DATA),
])
def test_services_are_found_by_keyword(text: str, service: Service) -> None:
    assert match_service(text) is service


@pytest.mark.parametrize("text", ["", "halo", "pindah kk", "kk saya salah", "ktapel"])
def test_no_or_several_services_match_nothing(text: str) -> None:
    assert match_service(text) is None
