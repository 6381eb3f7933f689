"""Messy messages through the real signed webhook: each class of the understanding work once."""

from __future__ import annotations

from sqlmodel import select

from bot.catalogue import render
from tests.support.whatsapp import Phone, parse_twiml
from tickets.messages import Attachment, Conversation

NIK = "1806015708900001"


def send_with(phone: Phone, body: str = "", media: list[tuple[str, str]] | None = None, **extra: str) -> str:
    """A message with fields Twilio adds for stickers and locations; the replies joined."""
    form = phone.form(body, media)
    form.update(extra)
    response = phone.post(form)
    assert response.status_code == 200, response.text
    return "\n".join(parse_twiml(response.text))


def test_everything_in_one_message_fills_every_slot_and_the_summary_shows_the_typed_nik(phone: Phone) -> None:
    reply = phone.say(f"mw bikin KTP, NIK saya {NIK}, nama Siti Aminah 🙏, kec gisting")
    assert "Persyaratan KTP Elektronik" in reply  # NIK, name and kecamatan were all taken: straight to the files
    phone.send(media=[("https://api.twilio.com/2010-04-01/x.jpg", "image/jpeg")])
    summary = phone.say("selesai")
    assert "NIK: 1806 0157 0890 0001" in summary and "Nama: Siti Aminah" in summary and "Gisting" in summary
    assert "Keterangan" not in summary  # never asked for a KTP-el


def test_close_kecamatan_are_asked_back_and_a_nik_or_name_among_words_is_taken(phone: Phone) -> None:
    phone.say("bikin kk")
    assert render("ask_name") in phone.say(f"nik: {NIK}")
    assert render("ask_kecamatan").split("?")[0] in phone.say("nama saya Budi Santoso ✨")
    which = phone.say("kota agung b")
    assert "Kecamatan yang mana" in which and "9. Kota Agung" in which and "10. Kota Agung Barat" in which
    assert "Persyaratan Kartu Keluarga" in phone.say("10")
    summary = phone.say("selesai")  # no file yet: asked for one, the kecamatan kept
    assert "Belum ada dokumen" in summary


def test_a_document_with_a_problem_is_a_correction_and_a_document_the_menu_lacks_is_answered(phone: Phone) -> None:
    assert "Perbaikan Data" in phone.say("nama di kk saya salah min")
    phone.say("batal")
    assert render("unsupported_marriage") in phone.say("mau bikin akta perkawinan, saya kristen")
    assert "Dokumen yang mana" in phone.say("mau bikin kk dan ktp")


def test_the_first_unreadable_message_counts_toward_a_person(phone: Phone) -> None:
    assert "Selamat datang" in phone.say("asdfgh")
    phone.say("qwerty")
    assert "Ketik *bantuan*" in phone.say("zxcvb")


def test_the_faq_staff_keep_is_answered_at_any_step_and_the_step_is_kept(phone: Phone, session) -> None:  # type: ignore[no-untyped-def]
    assert "GRATIS" in phone.say("bikin ktp bayar gak?")
    phone.say("1")
    phone.say("2")
    reply = phone.say("jam buka kantor?")
    assert "Senin-Jumat" in reply and render("ask_nik", service_label="KTP Elektronik (KTP-el)") in reply
    assert render("ask_name") in phone.say(NIK)
    row = session.exec(select(Conversation).where(Conversation.phone == phone.number)).one()
    assert row.state == "request_name"


def test_voice_notes_stickers_and_locations_get_sensible_replies_and_stickers_are_not_documents(phone: Phone,
                                                                                               session) -> None:  # type: ignore[no-untyped-def]
    phone.say(f"bikin ktp nik {NIK} nama Siti kec pugung")
    voice = send_with(phone, media=[("https://api.twilio.com/2010-04-01/v.ogg", "audio/ogg")])
    assert render("voice_not_supported") in voice
    sticker = send_with(phone, media=[("https://api.twilio.com/2010-04-01/s.webp", "image/webp")],
                        MessageType="sticker")
    assert render("sticker_ignored") in sticker and "total" not in sticker
    assert render("documents_none").split(".")[0] in phone.say("selesai")
    stored = session.exec(select(Attachment)).all()
    assert all(a.draft_id is None for a in stored)  # neither the voice note nor the sticker joined the request
    located = send_with(phone, Latitude="-5.49", Longitude="104.62", MessageType="location")
    assert render("location_received") in located


def test_an_english_message_gets_one_line_and_the_menu(phone: Phone) -> None:
    reply = phone.say("Hello, I need a new ID card please")
    assert "This service is in Indonesian" in reply and "1. Ajukan permohonan dokumen" in reply
