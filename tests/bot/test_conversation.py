"""Whole WhatsApp conversations, message by message, without Flask or a database."""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.catalogue import render
from bot.conversation import (
    ACCEPTED_CONTENT_TYPES,
    MAX_FILES,
    CreateTicket,
    Incoming,
    KeepMedia,
    MediaItem,
    Outcome,
    PendingEffect,
    QueryStatus,
    RequestHuman,
    State,
    Step,
    handle,
    is_command,
    parse_ticket_number,
)
from bot.complaint_category import complaint_categories
from bot.services_catalog import required_documents
from tickets.constants import DOCUMENT_SERVICES, Service

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 09.00 WIB, a Monday
NIK = "1806015708900001"  # Kota Agung, a woman born 17-08-1990
NIK_JAKARTA = "3174011708900001"
MAX_CHARS = 600
DETAILS = {
    Service.PINDAH: "Pindah ke Bandar Lampung, ikut suami bekerja",
    Service.PERBAIKAN_DATA: "Tanggal lahir di KK 12-03-1990, seharusnya 21-03-1990",
}


@dataclass
class Chat:
    """One citizen's phone: keeps the state between messages as the webhook would."""

    state: State = field(default_factory=State)
    now: datetime = T0
    sent: int = 0
    effects: list = field(default_factory=list)

    def send(self, body: str = "", media: tuple[str, ...] = (), after: timedelta = timedelta(minutes=1)) -> Outcome:
        self.now += after
        self.sent += 1
        incoming = Incoming(body=body, media=tuple(MediaItem(t) for t in media), now=self.now,
                            key=f"SM{self.sent:04d}")
        outcome = handle(self.state, incoming)
        assert outcome.state.updated_at == self.now
        assert all(0 < len(reply) <= MAX_CHARS for reply in outcome.replies), outcome.replies
        self.state = outcome.state
        self.effects.extend(outcome.effects)
        return outcome

    def say(self, body: str = "", media: tuple[str, ...] = (), after: timedelta = timedelta(minutes=1)) -> str:
        return "\n".join(self.send(body, media, after).replies)


def chat_at(step: Step, **data: object) -> Chat:
    """A chat already in this step, as if the earlier answers had been given a minute ago."""
    return Chat(state=State(name=step.value, data=dict(data), updated_at=T0))


def request_until_documents(chat: Chat, service: Service) -> None:
    chat.say("halo")
    chat.say("1")
    assert "NIK" in chat.say(str(DOCUMENT_SERVICES.index(service) + 1))
    assert render("ask_name") in chat.say(NIK)
    assert render("ask_kecamatan") in chat.say("Siti Aminah")
    reply = chat.say("kota agung")
    if service in DETAILS:
        assert "Tulis" in reply
        reply = chat.say(DETAILS[service])
    assert f"Persyaratan {service.label}" in reply


# --- Greetings and the menu -----------------------------------------------------------------------


@pytest.mark.parametrize("greeting", ["halo", "Assalamualaikum", "P", "pagi", "Selamat pagi min", "Hallo kak!"])
def test_a_greeting_shows_the_menu(greeting: str) -> None:
    chat = Chat()
    chat.say("halo")
    reply = chat.say(greeting)
    assert reply == render("welcome")
    assert chat.state.misses == 0


def test_the_first_message_ever_gets_the_welcome_whatever_it_says() -> None:
    assert Chat().say("permisi, mau tanya dong") == render("welcome")


@pytest.mark.parametrize("choice", ["1", "1.", "1)", " 1 ", "1️⃣", "no 1"])
def test_messy_menu_numbers_are_understood(choice: str) -> None:
    chat = Chat()
    chat.say("halo")
    assert chat.say(choice) == render("ask_service")
    assert chat.state.name == Step.REQUEST_SERVICE


# --- Document requests ----------------------------------------------------------------------------


@pytest.mark.parametrize("service", DOCUMENT_SERVICES, ids=str)
def test_a_whole_request_for_every_service(service: Service) -> None:
    chat = Chat()
    request_until_documents(chat, service)
    assert chat.state.data["draft_id"] == "SM0002"  # the "1" that started the draft
    documents = chat.say("")  # an empty message is not a document
    assert render("not_understood") in documents
    first = chat.send(media=("image/jpeg",))
    assert first.effects == [KeepMedia(draft_id="SM0002", indexes=(0,))]
    assert "total 1 file" in first.replies[-1]
    second = chat.send(media=("application/pdf", "image/png"))
    assert second.effects == [KeepMedia(draft_id="SM0002", indexes=(0, 1))]
    summary = chat.say("Selesai")
    for expected in (service.label, "1806 0157 0890 0001", "Siti Aminah", "Kota Agung", "3 file"):
        assert expected in summary
    assert NIK not in summary
    done = chat.send("Ya")
    assert done.replies == []  # the webhook answers with 'ticket_created' once the ticket has a number
    assert done.effects == [CreateTicket(
        service=service, nik=NIK, name="Siti Aminah", kecamatan_code="180601",
        description=DETAILS.get(service), draft_id="SM0002",
    )]
    assert chat.state.name == Step.START and chat.state.data == {}


@pytest.mark.parametrize("service", DOCUMENT_SERVICES, ids=str)
def test_the_documents_step_lists_the_requirements(service: Service) -> None:
    chat = Chat()
    request_until_documents(chat, service)
    reply = chat.say("apa ya")  # a miss repeats the list while nothing was sent
    assert all(line in reply for line in required_documents(service))


@pytest.mark.parametrize(("text", "service"), [
    ("ktp", Service.KTP_EL), ("E-KTP", Service.KTP_EL), ("akta lahir", Service.AKTA_KELAHIRAN),
    ("Akte kelahiran", Service.AKTA_KELAHIRAN), ("kia", Service.KIA), ("pindah", Service.PINDAH),
    ("Kartu Keluarga", Service.KK), ("akta kematian", Service.AKTA_KEMATIAN), ("perbaikan data", Service.PERBAIKAN_DATA),
    ("7.", Service.PERBAIKAN_DATA),
])
def test_the_service_can_be_named_instead_of_numbered(text: str, service: Service) -> None:
    chat = chat_at(Step.REQUEST_SERVICE, draft_id="SM0001")
    assert service.label in chat.say(text)
    assert chat.state.data["service"] == service.value


def test_an_unknown_service_shows_the_list_again() -> None:
    chat = chat_at(Step.REQUEST_SERVICE, draft_id="SM0001")
    reply = chat.say("surat nikah")
    assert render("not_understood") in reply and render("ask_service") in reply
    assert chat.state.name == Step.REQUEST_SERVICE


def test_naming_a_service_at_the_menu_starts_that_request() -> None:
    chat = Chat()
    chat.say("halo")
    reply = chat.say("Mau buat akta lahir anak saya")
    assert Service.AKTA_KELAHIRAN.label in reply and "NIK" in reply
    assert chat.state.data == {"draft_id": "SM0002", "service": Service.AKTA_KELAHIRAN.value}


@pytest.mark.parametrize(("nik", "reason"), [
    ("12345", "NIK harus 16 angka, yang Anda kirim 5 angka"),
    ("18060157089000011", "yang Anda kirim 17 angka"),
    ("9906015708900001", "Kode provinsi pada NIK (99) tidak dikenal"),
    ("1806013002900001", "Tanggal lahir pada NIK"),  # 30 February
    ("1806017002900001", "Tanggal lahir pada NIK"),  # 30 February for a woman (day 70)
    ("1806017208900001", "Tanggal lahir pada NIK"),  # a woman's day cannot pass 71
    ("1806015708900000", "tidak boleh 0000"),
    ("saya lupa", "NIK hanya berisi angka"),
])
def test_a_bad_nik_gets_its_reason_and_the_same_question(nik: str, reason: str) -> None:
    chat = chat_at(Step.REQUEST_NIK, draft_id="SM0001", service=Service.KTP_EL.value)
    reply = chat.say(nik)
    assert reason in reply and "ketik ulang NIK" in reply
    assert chat.state.name == Step.REQUEST_NIK
    assert "nik" not in chat.state.data


def test_a_woman_born_on_the_first_has_day_41_and_is_accepted() -> None:
    chat = chat_at(Step.REQUEST_NIK, draft_id="SM0001", service=Service.KTP_EL.value)
    assert render("ask_name") in chat.say("1806014101050001")


def test_a_nik_from_outside_tanggamus_is_accepted_with_a_note() -> None:
    chat = chat_at(Step.REQUEST_NIK, draft_id="SM0001", service=Service.KTP_EL.value)
    reply = chat.say(NIK_JAKARTA)
    assert render("nik_outside_tanggamus") in reply and render("ask_name") in reply
    assert chat.state.data["nik"] == NIK_JAKARTA


def test_a_tanggamus_nik_gets_no_note() -> None:
    chat = chat_at(Step.REQUEST_NIK, draft_id="SM0001", service=Service.KTP_EL.value)
    assert chat.say("1806 0157 0890 0001") == render("ask_name")
    assert chat.state.data["nik"] == NIK


@pytest.mark.parametrize("name", ["12345", "a", "Budi123", "N" * 101, "😀😀", "..", "-"])
def test_a_name_that_cannot_be_a_name_is_asked_again(name: str) -> None:
    chat = chat_at(Step.REQUEST_NAME, draft_id="SM0001", service=Service.KK.value, nik=NIK)
    assert chat.say(name) == render("name_invalid")
    assert chat.state.name == Step.REQUEST_NAME


@pytest.mark.parametrize(("typed", "kept"), [
    ("Muh. Rizki, S.Pd.", "Muh. Rizki, S.Pd."),
    ("  nur'aini   ", "nur'aini"),
    ("I Made Wayan", "I Made Wayan"),
    ("Siti Nur-Aini", "Siti Nur-Aini"),
])
def test_real_names_are_kept_tidied(typed: str, kept: str) -> None:
    chat = chat_at(Step.REQUEST_NAME, draft_id="SM0001", service=Service.KK.value, nik=NIK)
    assert render("ask_kecamatan") in chat.say(typed)
    assert chat.state.data["name"] == kept


def test_a_wrong_kecamatan_shows_the_list_then_a_typo_is_understood() -> None:
    chat = chat_at(Step.REQUEST_KECAMATAN, draft_id="SM0001", service=Service.KK.value, nik=NIK, name="Siti")
    reply = chat.say("Jakarta Selatan")
    assert reply == render("kecamatan_not_found") and "9. Kota Agung" in reply
    assert "Persyaratan" in chat.say("kota agung brat")
    assert chat.state.data["kecamatan_code"] == "180618"  # Kota Agung Barat, not Kota Agung


def test_a_short_detail_is_asked_again() -> None:
    chat = chat_at(Step.REQUEST_DETAIL, draft_id="SM0001", service=Service.PINDAH.value, nik=NIK, name="Siti",
                   kecamatan_code="180601")
    reply = chat.say("lampung")
    assert render("detail_too_short") in reply and render("ask_detail_pindah") in reply
    assert chat.state.name == Step.REQUEST_DETAIL


# --- Media ----------------------------------------------------------------------------------------


def documents_chat(**data: object) -> Chat:
    return chat_at(Step.REQUEST_DOCUMENTS, draft_id="SM0001", service=Service.KTP_EL.value, nik=NIK,
                   name="Siti", kecamatan_code="180601", **data)


def test_media_of_a_wrong_type_is_refused_and_not_kept() -> None:
    chat = documents_chat()
    outcome = chat.send(media=("application/zip", "video/mp4"))
    assert outcome.replies == [render("media_refused_type", content_type="application/zip"),
                               render("media_refused_type", content_type="video/mp4")]
    assert outcome.effects == []
    assert chat.state.data.get("files", 0) == 0


def test_only_the_accepted_items_of_a_mixed_message_are_kept() -> None:
    chat = documents_chat()
    outcome = chat.send(media=("image/jpeg", "application/zip", "image/webp"))
    assert outcome.effects == [KeepMedia(draft_id="SM0001", indexes=(0, 2))]
    assert outcome.replies[0] == render("media_refused_type", content_type="application/zip")
    assert outcome.replies[-1] == render("media_kept", count=2)


def test_done_without_any_document_asks_for_at_least_one() -> None:
    chat = documents_chat()
    chat.send(media=("audio/ogg",))
    assert chat.say("selesai") == render("documents_none")
    assert chat.state.name == Step.REQUEST_DOCUMENTS


def test_a_caption_saying_done_sends_the_file_and_moves_on() -> None:
    chat = documents_chat()
    outcome = chat.send("selesai", media=("image/jpeg",))
    assert outcome.effects == [KeepMedia(draft_id="SM0001", indexes=(0,))]
    assert chat.state.name == Step.REQUEST_CONFIRM


def test_files_beyond_the_limit_are_not_kept() -> None:
    chat = documents_chat(files=MAX_FILES - 1)
    outcome = chat.send(media=("image/jpeg", "image/jpeg"))
    assert outcome.effects == [KeepMedia(draft_id="SM0001", indexes=(0,))]
    assert render("media_too_many", limit=MAX_FILES) in outcome.replies
    assert chat.state.data["files"] == MAX_FILES


def test_media_before_the_documents_step_is_not_kept() -> None:
    chat = chat_at(Step.REQUEST_NIK, draft_id="SM0001", service=Service.KK.value)
    outcome = chat.send(media=("image/jpeg",))
    assert outcome.effects == []
    assert render("media_not_now") in outcome.replies[0] and "NIK" in outcome.replies[0]
    assert chat.state.name == Step.REQUEST_NIK


def test_a_document_sent_at_the_summary_is_kept_and_collecting_resumes() -> None:
    chat = documents_chat(files=1)
    chat.say("selesai")
    outcome = chat.send(media=("application/pdf",))
    assert outcome.effects == [KeepMedia(draft_id="SM0001", indexes=(0,))]
    assert chat.state.name == Step.REQUEST_DOCUMENTS
    assert "2 file" in chat.say("selesai")


# --- Confirmation ---------------------------------------------------------------------------------


@pytest.mark.parametrize("yes", ["ya", "Ya", "YA.", "iya", "y", "ok", "Oke"])
def test_every_usual_yes_confirms(yes: str) -> None:
    chat = documents_chat(files=1)
    chat.say("selesai")
    assert [type(e) for e in chat.send(yes).effects] == [CreateTicket]


@pytest.mark.parametrize("no", ["batal", "tidak", "Tidak."])
def test_no_or_cancel_at_the_summary_creates_nothing(no: str) -> None:
    chat = documents_chat(files=1)
    chat.say("selesai")
    outcome = chat.send(no)
    assert outcome.effects == [] and outcome.replies == [render("cancelled")]
    assert chat.state.name == Step.START and chat.state.data == {}


def test_anything_else_at_the_summary_asks_for_yes_or_cancel() -> None:
    chat = documents_chat(files=1)
    chat.say("selesai")
    assert render("confirm_prompt") in chat.say("hmm")
    assert chat.state.name == Step.REQUEST_CONFIRM


# --- Complaints -----------------------------------------------------------------------------------

COMPLAINT = "Antrean rekam KTP di kantor kecamatan sangat lama, sudah 3 kali datang belum dilayani."


CATEGORIES = complaint_categories()


def test_a_whole_complaint_with_a_photo() -> None:
    chat = Chat()
    chat.say("halo")
    question = chat.say("3")
    assert question.startswith("Pilih kategori pengaduan")
    assert all(f"{i}. {category}" in question for i, category in enumerate(CATEGORIES, start=1))
    assert chat.say("3") == render("ask_complaint")  # the third category
    assert render("ask_complaint_kecamatan") in chat.say(COMPLAINT)
    assert chat.say("talang padang") == render("ask_complaint_related")
    assert chat.say("lewati") == render("ask_complaint_photos")
    assert chat.send(media=("image/jpeg",)).effects == [KeepMedia(draft_id="SM0002", indexes=(0,))]
    assert chat.say("selesai") == render("ask_complaint_confidential")
    summary = chat.say("tidak")
    for shown in (CATEGORIES[2], COMPLAINT, "Talang Padang", "1 file", "Identitas: tidak dirahasiakan",
                  "Nomor tiket terkait: -"):
        assert shown in summary
    assert chat.send("ya").effects == [CreateTicket(
        service=Service.PENGADUAN, nik=None, name=None, kecamatan_code="180602", description=COMPLAINT,
        draft_id="SM0002", category=CATEGORIES[2], related_number=None, confidential=False,
    )]
    assert chat.state.name == Step.START


def complaint_at(step: Step, **data: object) -> Chat:
    """A complaint in this step with every earlier answer given."""
    return chat_at(step, **{"draft_id": "SM0001", "category": CATEGORIES[0], "description": COMPLAINT,
                            "kecamatan_code": "180620", **data})


@pytest.mark.parametrize("skip", ["selesai", "tidak ada", "lewati"])
def test_a_complaint_without_photos(skip: str) -> None:
    chat = complaint_at(Step.COMPLAINT_PHOTOS)
    assert chat.say(skip) == render("ask_complaint_confidential")
    assert "0 file" in chat.say("tidak")
    created = chat.send("iya").effects
    assert created and isinstance(created[0], CreateTicket) and created[0].kecamatan_code == "180620"


def test_a_complaint_can_start_by_its_name_at_the_menu() -> None:
    chat = Chat()
    chat.say("halo")
    assert chat.say("mau pengaduan").startswith("Pilih kategori pengaduan")
    assert chat.state.name == Step.COMPLAINT_CATEGORY


@pytest.mark.parametrize(("typed", "category"), [
    ("2", "Sikap petugas"), ("no 3", "Pungutan liar"), ("pungutan lair", "Pungutan liar"), ("pungli", "Pungutan liar"),
    ("persyratan", "Persyaratan"), ("Sistem/Aplikasi", "Sistem/aplikasi"), ("aplikasi eror", "Sistem/aplikasi"),
    ("petugasnya tidak ramah", "Sikap petugas"), ("kesalahn data", "Kesalahan data"), ("lain", "Lainnya"),
])
def test_the_category_is_understood_by_number_words_or_typos(typed: str, category: str) -> None:
    chat = chat_at(Step.COMPLAINT_CATEGORY, draft_id="SM0001")
    assert chat.say(typed) == render("ask_complaint")
    assert chat.state.data["category"] == category


@pytest.mark.parametrize(("typed", "candidates"), [
    ("petugas lambat", ("1. Pelayanan lambat", "2. Sikap petugas")),
    ("sistem data", ("5. Kesalahan data", "6. Sistem/aplikasi")),
])
def test_a_category_equally_close_to_two_is_asked_back_never_guessed(typed: str, candidates: tuple[str, ...]) -> None:
    chat = chat_at(Step.COMPLAINT_CATEGORY, draft_id="SM0001")
    reply = chat.say(typed)
    assert all(candidate in reply for candidate in candidates)
    assert len(reply.splitlines()) == 1 + len(candidates)  # only those are offered
    assert chat.state.name == Step.COMPLAINT_CATEGORY and "category" not in chat.state.data
    chat.say(candidates[1].split(".")[0])
    assert chat.state.data["category"] == candidates[1].split(". ")[1]


@pytest.mark.parametrize("typed", ["uang", "halo", "9", COMPLAINT])
def test_no_category_fits_so_the_list_comes_again(typed: str) -> None:
    chat = chat_at(Step.COMPLAINT_CATEGORY, draft_id="SM0001")
    assert chat.say(typed) == render("complaint_category_not_found", categories=render_categories())
    assert chat.state.name == Step.COMPLAINT_CATEGORY


def render_categories() -> str:
    return "\n".join(f"{i}. {c}" for i, c in enumerate(CATEGORIES, start=1))


@pytest.mark.parametrize("typed", ["pgd 2026 123", "PGD-2026-000123", "pgd-2026-123", "PGD/2026/123",
                                   "no tiket PGD-2026-000123", "nomor: pgd 2026 000123", "2026-123"])
def test_the_related_ticket_number_is_read_loosely_and_is_not_a_status_query(typed: str) -> None:
    chat = complaint_at(Step.COMPLAINT_RELATED)
    outcome = chat.send(typed)
    assert outcome.effects == [] and outcome.replies == [render("ask_complaint_photos")]
    assert chat.state.data["related_number"] == "PGD-2026-000123"


@pytest.mark.parametrize("typed", ["lewati", "tidak ada", "Tidak ada.", "skip", "tidak tahu"])
def test_the_related_ticket_can_be_skipped(typed: str) -> None:
    chat = complaint_at(Step.COMPLAINT_RELATED)
    assert chat.say(typed) == render("ask_complaint_photos")
    assert "related_number" not in chat.state.data


def test_a_related_number_not_understood_is_asked_again_and_status_still_works() -> None:
    chat = complaint_at(Step.COMPLAINT_RELATED)
    assert chat.say("yang kemarin") == render("complaint_related_invalid")
    assert chat.send("status PGD-2026-000007").effects == [QueryStatus("PGD-2026-000007")]
    assert chat.state.name == Step.COMPLAINT_RELATED


@pytest.mark.parametrize(("typed", "confidential"), [
    ("ya", True), ("Iya", True), ("ya, tolong dirahasiakan", True), ("rahasiakan saja", True),
    ("mohon dirahasiakan", True),
    ("tidak", False), ("tidak perlu", False), ("gak usah", False), ("tidak usah dirahasiakan", False), ("Nggak", False),
])
def test_confidentiality_is_understood_in_free_text(typed: str, confidential: bool) -> None:
    chat = complaint_at(Step.COMPLAINT_CONFIDENTIAL)
    summary = chat.say(typed)
    assert ("Identitas: dirahasiakan" if confidential else "Identitas: tidak dirahasiakan") in summary
    assert chat.send("ya").effects[0].confidential is confidential  # type: ignore[union-attr]


@pytest.mark.parametrize("typed", ["jangan sebut nama saya", "jangan dirahasiakan", "hmm", "terserah"])
def test_an_unsure_answer_on_confidentiality_is_asked_again(typed: str) -> None:
    chat = complaint_at(Step.COMPLAINT_CONFIDENTIAL)
    assert chat.say(typed) == render("complaint_confidential_unclear")
    assert chat.state.name == Step.COMPLAINT_CONFIDENTIAL and "confidential" not in chat.state.data


def test_a_photo_sent_at_the_summary_goes_back_to_the_photos_then_straight_to_the_summary() -> None:
    chat = complaint_at(Step.COMPLAINT_CONFIRM, related_number="PGD-2026-000009", confidential=True)
    chat.send(media=("image/png",))
    assert chat.state.name == Step.COMPLAINT_PHOTOS
    summary = chat.say("selesai")
    assert "1 file" in summary and "PGD-2026-000009" in summary and "Identitas: dirahasiakan" in summary
    assert chat.send("ya").effects[0] == CreateTicket(  # type: ignore[comparison-overlap]
        service=Service.PENGADUAN, nik=None, name=None, kecamatan_code="180620", description=COMPLAINT,
        draft_id="SM0001", category=CATEGORIES[0], related_number="PGD-2026-000009", confidential=True)


# States stored before the category, the related ticket and confidentiality were asked.


def test_a_complaint_stored_at_the_old_text_step_goes_on_and_asks_the_category_next() -> None:
    chat = chat_at(Step.COMPLAINT_TEXT, draft_id="SM0001")
    assert chat.say(COMPLAINT).startswith("Pilih kategori pengaduan")
    assert chat.state.data["description"] == COMPLAINT
    assert chat.say("1") == render("ask_complaint_kecamatan")  # the text is not asked again
    assert chat.say("gisting") == render("ask_complaint_related")


def test_a_complaint_stored_at_the_old_summary_asks_what_is_missing_before_sending() -> None:
    chat = chat_at(Step.COMPLAINT_CONFIRM, draft_id="SM0001", description=COMPLAINT, kecamatan_code="180620",
                   files=2)
    outcome = chat.send("ya")
    assert outcome.effects == []  # nothing is sent without the category and the citizen's choice on identity
    assert render("complaint_before_sending") in outcome.replies[0] and "Pilih kategori" in outcome.replies[0]
    assert chat.say("pungli") == render("ask_complaint_related")
    assert chat.say("lewati") == render("ask_complaint_confidential")  # the two photos are kept, not asked again
    summary = chat.say("ya")
    assert "Pungutan liar" in summary and "2 file" in summary and "Identitas: dirahasiakan" in summary
    created = chat.send("ya").effects
    assert isinstance(created[0], CreateTicket) and created[0].confidential and created[0].category == "Pungutan liar"


def test_a_complaint_stored_at_the_old_summary_can_still_be_cancelled() -> None:
    chat = chat_at(Step.COMPLAINT_CONFIRM, draft_id="SM0001", description=COMPLAINT, kecamatan_code="180620")
    assert chat.say("tidak") == render("cancelled")
    assert chat.state.name == Step.START


def test_a_too_short_complaint_is_asked_again() -> None:
    chat = chat_at(Step.COMPLAINT_TEXT, draft_id="SM0001", category=CATEGORIES[0])
    assert render("complaint_too_short") in chat.say("lama")
    assert chat.state.name == Step.COMPLAINT_TEXT


def test_a_long_complaint_is_shortened_in_the_summary_only() -> None:
    text = "Pelayanan lambat sekali. " * 40
    chat = chat_at(Step.COMPLAINT_TEXT, draft_id="SM0001", category=CATEGORIES[0])
    chat.say(text)
    chat.say("gisting")
    chat.say("lewati")
    chat.say("selesai")
    assert len(chat.say("tidak")) <= MAX_CHARS
    assert chat.send("ya").effects[0].description == text.strip()  # type: ignore[union-attr]


# --- Commands -------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["status PGD-2026-000123", "STATUS pgd-2026-000123", "status pgd2026000123",
                                   "Status PGD 2026 123", "cek status PGD-2026-000123", "cek pgd 2026 123",
                                   "status: PGD-2026-000123", "status nomor PGD-2026-000123", "PGD-2026-000123",
                                   "status 2026-000123"])
def test_status_with_a_number_queries_it_canonically(typed: str) -> None:
    chat = Chat()
    chat.say("halo")
    outcome = chat.send(typed)
    assert outcome.effects == [QueryStatus("PGD-2026-000123")]
    assert outcome.replies == []  # the webhook answers with the status


def test_status_in_the_middle_of_a_request_keeps_the_request() -> None:
    chat = chat_at(Step.REQUEST_NAME, draft_id="SM0001", service=Service.KK.value, nik=NIK)
    assert chat.send("status PGD-2026-000001").effects == [QueryStatus("PGD-2026-000001")]
    assert chat.state.name == Step.REQUEST_NAME and chat.state.data["nik"] == NIK


def test_menu_option_two_asks_for_the_number() -> None:
    chat = Chat()
    chat.say("halo")
    assert chat.say("2") == render("status_ask")
    assert chat.say("tiket saya") == render("status_number_invalid")
    assert chat.send("pgd-2026-42").effects == [QueryStatus("PGD-2026-000042")]
    assert chat.state.name == Step.START


def test_status_alone_asks_for_the_number() -> None:
    chat = Chat()
    chat.say("halo")
    assert chat.say("status") == render("status_ask")
    assert chat.state.name == Step.STATUS_NUMBER


def test_a_complaint_that_starts_with_status_is_still_a_complaint() -> None:
    chat = chat_at(Step.COMPLAINT_TEXT, draft_id="SM0001", category=CATEGORIES[0])
    chat.say("status KTP saya tidak berubah sudah sebulan")
    assert chat.state.name == Step.COMPLAINT_KECAMATAN


def test_cancel_stops_a_request_and_says_so() -> None:
    chat = documents_chat(files=2)
    assert chat.say("Batal") == render("cancelled")
    assert chat.state.name == Step.START and chat.state.data == {}
    assert chat.say("batal") == render("nothing_to_cancel")


def test_menu_starts_over_from_anywhere() -> None:
    chat = documents_chat(files=2)
    assert chat.say("MENU") == render("welcome")
    assert chat.state.name == Step.START and chat.state.data == {}


@pytest.mark.parametrize("help_", ["bantuan", "Bantuan!", "petugas", "4"])
def test_help_hands_over_to_a_person_during_office_hours(help_: str) -> None:
    chat = Chat()
    chat.say("halo")
    outcome = chat.send(help_)
    assert outcome.effects == [RequestHuman(reason="start")]
    assert outcome.replies == [render("human_requested")]
    assert "Senin-Jumat" in outcome.replies[0]
    assert chat.state.needs_human


def test_while_waiting_for_a_person_the_bot_does_not_rebuke_and_menu_returns() -> None:
    chat = chat_at(Step.REQUEST_NAME, draft_id="SM0001", service=Service.KK.value, nik=NIK)
    assert chat.send("bantuan").effects == [RequestHuman(reason="request_name")]
    assert chat.say("saya bingung soal KK saya yang hilang") == render("human_waiting")
    assert chat.say("halo?") == render("human_waiting")
    assert chat.state.needs_human and chat.state.misses == 0
    assert chat.say("menu") == render("welcome")
    assert not chat.state.needs_human


@pytest.mark.parametrize("thanks", ["terima kasih", "Ok makasih", "siap min"])
def test_thanks_after_a_ticket_is_answered_politely(thanks: str) -> None:
    chat = Chat()
    chat.say("halo")
    assert chat.say(thanks) == render("you_are_welcome")
    assert chat.state.misses == 0


def test_three_misses_in_a_row_offer_a_person() -> None:
    chat = Chat()
    chat.say("halo")
    first, second, third = chat.say("xyz"), chat.say("abc"), chat.say("???")
    assert render("offer_human") not in first and render("offer_human") not in second
    assert render("offer_human") in third and render("menu") in third
    assert chat.state.misses == 3
    chat.say("1")
    assert chat.state.misses == 0


def test_three_bad_niks_offer_a_person_too() -> None:
    chat = chat_at(Step.REQUEST_NIK, draft_id="SM0001", service=Service.KK.value)
    replies = [chat.say("123") for _ in range(3)]
    assert render("offer_human") in replies[2] and "16 angka" in replies[2]


# --- Time -----------------------------------------------------------------------------------------


def test_after_a_day_idle_the_conversation_starts_over_and_says_so() -> None:
    chat = documents_chat(files=2)
    outcome = chat.send("1", after=timedelta(hours=24, minutes=1))
    assert outcome.replies == [render("restarted_idle"), render("ask_service")]
    assert chat.state.name == Step.REQUEST_SERVICE
    assert chat.state.data == {"draft_id": f"SM{chat.sent:04d}"}  # a new draft, not the stale one


def test_an_idle_restart_with_an_unclear_message_shows_the_welcome() -> None:
    chat = documents_chat(files=2)
    assert chat.send("selesai", after=timedelta(days=3)).replies == [render("restarted_idle"), render("welcome")]


def test_within_a_day_the_conversation_continues() -> None:
    chat = documents_chat(files=2)
    chat.send("selesai", after=timedelta(hours=23, minutes=59))
    assert chat.state.name == Step.REQUEST_CONFIRM


def test_a_naive_time_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        handle(State(), Incoming(body="halo", media=(), now=datetime(2026, 3, 2, 9), key="SM1"))


# --- State storage and robustness -----------------------------------------------------------------


def test_state_survives_json_storage() -> None:
    chat = documents_chat(files=2)
    chat.say("selesai")
    stored = json.loads(json.dumps(chat.state.to_dict()))
    assert stored["updated_at"] == chat.now.isoformat()
    assert State.from_dict(stored) == chat.state


def test_unreadable_stored_state_falls_back_to_defaults() -> None:
    state = State.from_dict({"name": 3, "data": "x", "misses": "2", "updated_at": "kemarin", "needs_human": "yes"})
    assert state == State()


def test_a_state_missing_its_draft_starts_over_instead_of_failing() -> None:
    chat = chat_at(Step.REQUEST_CONFIRM, draft_id="SM0001")
    assert chat.say("ya") == render("welcome")
    assert chat.state.name == Step.START


def test_handle_does_not_change_the_state_it_was_given() -> None:
    state = State(name=Step.REQUEST_SERVICE.value, data={"draft_id": "SM0001"}, updated_at=T0)
    before = state.to_dict()
    handle(state, Incoming(body="2", media=(), now=T0 + timedelta(minutes=1), key="SM2"))
    assert state.to_dict() == before


@pytest.mark.parametrize(("text", "number"), [
    ("PGD-2026-000123", "PGD-2026-000123"), ("pgd 2026 123", "PGD-2026-000123"), ("2026/7", "PGD-2026-000007"),
    ("PGD-2026-000000", None), ("PGD-2026-1234567", None), ("123", None), ("halo", None),
])
def test_ticket_numbers_are_read_loosely(text: str, number: str | None) -> None:
    assert parse_ticket_number(text) == number


# --- Any message, any state -----------------------------------------------------------------------

TEXTS = st.one_of(
    st.sampled_from([
        "", "halo", "1", "2", "3", "4", "5", "7", "8", "20", "1.", "ya", "tidak", "batal", "menu", "bantuan",
        "selesai", "lewati", "status", "status PGD-2026-000123", "cek abc", "PGD-2026-000001", NIK, NIK_JAKARTA,
        "1806013002900001", "Siti Aminah", "kota agung", "kota agung brat", "ktp", "pindah", "pengaduan", COMPLAINT,
        "Ya", "OK", "p", "0", "pungli", "petugas lambat", "pgd 2026 123", "tidak ada", "rahasiakan", "jangan",
    ]),
    st.text(max_size=300),
)
CONTENT_TYPES = st.sampled_from([*sorted(ACCEPTED_CONTENT_TYPES), "audio/ogg", "video/mp4", "text/vcard",
                                 "image/jpeg; charset=binary", "IMAGE/PNG", ""])
GAPS = st.one_of(st.integers(min_value=0, max_value=600), st.integers(min_value=0, max_value=30 * 3600))
MESSAGES = st.tuples(TEXTS, st.lists(CONTENT_TYPES, max_size=4).map(tuple), GAPS)
DRAFT_DATA = st.fixed_dictionaries({}, optional={
    "draft_id": st.sampled_from(["SM0001", ""]),
    "category": st.sampled_from([*CATEGORIES[:2], "Kategori lama"]),
    "related_number": st.sampled_from(["PGD-2026-000123", "pgd 2026 1"]),
    "confidential": st.sampled_from([True, False, "ya"]),
    "service": st.sampled_from([s.value for s in Service]),
    "nik": st.sampled_from([NIK, NIK_JAKARTA]),
    "name": st.just("Siti Aminah"),
    "kecamatan_code": st.sampled_from(["180601", "180628"]),
    "description": st.sampled_from([COMPLAINT, "x" * 2000]),
    "files": st.integers(min_value=0, max_value=MAX_FILES + 2),
})
JUNK_DATA = st.dictionaries(
    st.sampled_from(["draft_id", "service", "nik", "name", "kecamatan_code", "description", "files", "category",
                     "related_number", "confidential", "other"]),
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20), st.lists(st.integers(), max_size=2)),
)
def full_draft(step: Step) -> st.SearchStrategy[dict[str, object]]:
    """A complete draft that makes sense in this step, so every step's handler gets exercised."""
    if step is Step.REQUEST_DETAIL:
        services = [Service.PINDAH, Service.PERBAIKAN_DATA]
    elif step.value.startswith("complaint"):
        services = [Service.PENGADUAN]
    else:
        services = list(DOCUMENT_SERVICES)
    complaint = step.value.startswith("complaint")
    return st.fixed_dictionaries({
        "draft_id": st.just("SM0001"),
        "service": st.sampled_from([s.value for s in services]),
        "nik": st.sampled_from([NIK, NIK_JAKARTA]),
        "name": st.just("N" * 100),
        "kecamatan_code": st.sampled_from(["180601", "180628"]),
        "description": st.sampled_from([COMPLAINT, "x" * 2000]),
        "files": st.integers(min_value=1 if step is Step.REQUEST_CONFIRM else 0, max_value=MAX_FILES + 2),
    }, optional={  # a complaint stored before these were asked has none of them
        "category": st.sampled_from(CATEGORIES if complaint else [CATEGORIES[0]]),
        "related_number": st.just("PGD-2026-000123"),
        "confidential": st.booleans(),
    })


# Up to three days before the first message: some conversations are fresh, some have gone stale.
TIMES = st.one_of(st.none(), st.datetimes(min_value=datetime(2026, 2, 27, 2), max_value=datetime(2026, 3, 2, 2),
                                          timezones=st.just(UTC)))
REACHABLE_STATES = st.sampled_from(list(Step)).flatmap(lambda step: st.builds(
    State, name=st.just(step.value), data=full_draft(step), misses=st.integers(min_value=0, max_value=4),
    updated_at=TIMES, needs_human=st.booleans(),
))
ODD_STATES = st.builds(
    State,
    name=st.sampled_from([s.value for s in Step] + ["unknown"]),
    data=st.one_of(DRAFT_DATA, JUNK_DATA),
    misses=st.integers(min_value=-1, max_value=10),
    updated_at=TIMES,
    needs_human=st.booleans(),
)
STATES = st.one_of(REACHABLE_STATES, ODD_STATES)


@settings(max_examples=1000, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(state=STATES, messages=st.lists(MESSAGES, min_size=1, max_size=12))
@example(state=State(name="status_number", misses=1), messages=[("ISI:SURVEI", (), 0)])  # found once by chance
def test_any_messages_from_any_state_get_an_answer_and_never_raise(
    state: State, messages: list[tuple[str, tuple[str, ...], int]],
) -> None:
    now = T0
    for number, (body, media, gap) in enumerate(messages):
        now += timedelta(seconds=gap)
        incoming = Incoming(body=body, media=tuple(MediaItem(t) for t in media), now=now, key=f"SM{number}")
        outcome = handle(state, incoming)
        # The caller answers a ticket, a status check, and a pending matter's turn that answers (the `survei`
        # and `privasi` commands, whose replies the survey and the notice write).
        answered_by_caller = any(isinstance(e, (CreateTicket, QueryStatus)) or (isinstance(e, PendingEffect) and e.answers)
                                 for e in outcome.effects)
        assert outcome.replies or answered_by_caller
        assert all(isinstance(r, str) and 0 < len(r) <= MAX_CHARS for r in outcome.replies)
        assert outcome.state.updated_at == now
        assert State.from_dict(json.loads(json.dumps(outcome.state.to_dict()))) == outcome.state
        for effect in outcome.effects:
            if isinstance(effect, KeepMedia):
                assert effect.draft_id and effect.indexes
                assert all(media[i].split(";")[0].strip().lower() in ACCEPTED_CONTENT_TYPES for i in effect.indexes)
            if isinstance(effect, CreateTicket):
                assert effect.draft_id and effect.kecamatan_code
        state = outcome.state


@pytest.mark.parametrize(("body", "command"), [
    ("status PGD-2026-000123", True), ("Status", True), ("cek status", True), ("cek pgd 2026 1", True),
    ("PGD-2026-000123", True), ("batal", True), ("MENU", True), ("bantuan", True),
    ("cek ktp saya", False), ("halo", False), ("", False), ("ini fotonya", False),
])
def test_is_command_agrees_with_what_handle_treats_as_a_command(body: str, command: bool) -> None:
    assert is_command(body) is command


def test_the_request_and_the_complaint_are_lists_of_steps_each_asked_by_its_catalogue_text() -> None:
    from bot.catalogue import MESSAGES
    from bot.conversation import COMPLAINT_FLOW, REQUEST_FLOW

    assert [entry.step for entry in REQUEST_FLOW.steps] == [
        Step.REQUEST_SERVICE, Step.REQUEST_NIK, Step.REQUEST_NAME, Step.REQUEST_KECAMATAN, Step.REQUEST_DETAIL,
        Step.REQUEST_DOCUMENTS, Step.REQUEST_CONFIRM]
    assert [entry.step for entry in COMPLAINT_FLOW.steps] == [
        Step.COMPLAINT_CATEGORY, Step.COMPLAINT_TEXT, Step.COMPLAINT_KECAMATAN, Step.COMPLAINT_RELATED,
        Step.COMPLAINT_PHOTOS, Step.COMPLAINT_CONFIDENTIAL, Step.COMPLAINT_CONFIRM]
    assert all(entry.prompt in MESSAGES for flow in (REQUEST_FLOW, COMPLAINT_FLOW) for entry in flow.steps
               if isinstance(entry.prompt, str))
