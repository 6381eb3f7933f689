"""The webhook refuses what Twilio did not sign and takes each message once."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from tickets.messages import Message
from tests.support.whatsapp import Phone, new_sid


def count_messages(session) -> int:  # type: ignore[no-untyped-def]
    return session.exec(select(func.count()).select_from(Message)).one()


def test_unsigned_request_is_refused_and_stored_nowhere(phone: Phone, session) -> None:
    response = phone.post(phone.form("halo"), signature="")
    assert response.status_code == 403
    assert count_messages(session) == 0


def test_forged_signature_is_refused(phone: Phone, session) -> None:
    form = phone.form("halo")
    forged = Phone(base_url=phone.base_url, auth_token="not-the-office-token")
    response = forged.post(form)
    assert response.status_code == 403
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.text == "Tanda tangan Twilio tidak cocok: permintaan ditolak dan tidak disimpan."
    assert count_messages(session) == 0


def test_signature_over_other_fields_is_refused(phone: Phone, session) -> None:
    """A valid signature for one body does not carry another body in."""
    from twilio.request_validator import RequestValidator

    form = phone.form("halo")
    signature = RequestValidator(phone.auth_token).compute_signature(f"{phone.base_url}/webhooks/whatsapp", form)
    form["Body"] = "status PGD-2026-000001"
    assert phone.post(form, signature=signature).status_code == 403
    assert count_messages(session) == 0


def test_signature_checked_against_public_base_url(app, phone: Phone, session) -> None:  # type: ignore[no-untyped-def]
    """Behind a proxy the app is called on another host; Twilio signed the public URL."""
    from twilio.request_validator import RequestValidator

    public = "https://layanan.example.go.id"
    app.config["PUBLIC_BASE_URL"] = public
    form = phone.form("halo")
    good = RequestValidator(phone.auth_token).compute_signature(f"{public}/webhooks/whatsapp", form)
    assert phone.post(form, signature=good).status_code == 200
    local = RequestValidator(phone.auth_token).compute_signature(f"{phone.base_url}/webhooks/whatsapp", phone.form("x"))
    assert phone.post(phone.form("x"), signature=local).status_code == 403
    # Twilio signs some URLs with their default port spelled out: accepted as Twilio's validator accepts it.
    form = phone.form("halo lagi")
    with_port = RequestValidator(phone.auth_token).compute_signature(f"{public}:443/webhooks/whatsapp", form)
    assert phone.post(form, signature=with_port).status_code == 200


def test_duplicate_delivery_gets_same_reply_and_changes_nothing(phone: Phone, session) -> None:
    sid = new_sid()
    first = phone.send("halo", sid=sid)
    assert first, "the bot answers a greeting"
    second = phone.send("halo", sid=sid)
    assert second == first
    assert count_messages(session) == 1
    # The retry did not advance the conversation: choosing 1 still gets the service list.
    assert "Pilih dokumen" in phone.say("1")


def test_form_without_message_sid_is_a_clear_400(phone: Phone, session) -> None:
    form = phone.form("halo")
    del form["MessageSid"]
    del form["SmsMessageSid"]
    response = phone.post(form)
    assert response.status_code == 400
    assert "MessageSid" in response.text
    assert count_messages(session) == 0


def test_media_count_is_what_the_form_carries(phone: Phone, session) -> None:
    """NumMedia claiming three files while one is present stores one reference, not three."""
    from tickets.messages import Attachment

    form = phone.form("halo", media=[("https://api.twilio.com/x/Media/ME1", "image/jpeg")])
    form["NumMedia"] = "3"
    assert phone.post(form).status_code == 200
    assert session.exec(select(func.count()).select_from(Attachment)).one() == 1
