"""What a forger, a replaying attacker or a broken proxy can send to the WhatsApp webhook: each is
answered with a clear refusal (never a 500), stores nothing it should not, and changes no conversation."""

from __future__ import annotations

import requests
from sqlalchemy import func
from sqlmodel import select
from twilio.request_validator import RequestValidator

from tickets.messages import Attachment, Conversation, Message
from tests.support.whatsapp import Phone, parse_twiml


def _count(session, model) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def test_replayed_request_changes_nothing_even_after_the_conversation_moved_on(phone: Phone, session) -> None:  # type: ignore[no-untyped-def]
    phone.say("halo")
    captured = phone.form("1")
    first = parse_twiml(phone.post(captured).text)
    phone.say("batal")
    state = session.exec(select(Conversation)).one().state

    replay = phone.post(captured)  # the very same signed request, captured on the wire

    assert replay.status_code == 200
    assert parse_twiml(replay.text) == first
    session.expire_all()
    assert session.exec(select(Conversation)).one().state == state
    assert _count(session, Message) == 3


def test_a_signed_message_replayed_to_another_webhook_is_refused(phone: Phone, session) -> None:  # type: ignore[no-untyped-def]
    form = phone.form("halo")
    signature = RequestValidator(phone.auth_token).compute_signature(f"{phone.base_url}/webhooks/whatsapp", form)
    form.update(MessageStatus="delivered")  # dressed as a status callback
    response = requests.post(f"{phone.base_url}/webhooks/whatsapp/status", data=form,
                             headers={"X-Twilio-Signature": signature}, timeout=10)
    assert response.status_code == 403
    unsigned_query = requests.post(f"{phone.base_url}/webhooks/whatsapp?debug=1", data=phone.form("halo"),
                                   headers={"X-Twilio-Signature": signature}, timeout=10)
    assert unsigned_query.status_code == 403
    assert _count(session, Message) == 0


def test_missing_or_nonsense_fields_are_a_clear_400(phone: Phone, session) -> None:  # type: ignore[no-untyped-def]
    cases = {
        "no sender": lambda f: f.pop("From"),
        "sender not a phone": lambda f: f.update(From="whatsapp:<script>"),
        "NumMedia not a number": lambda f: f.update(NumMedia="dua"),
        "NumMedia negative": lambda f: f.update(NumMedia="-1"),
        "NumMedia beyond Twilio's ten": lambda f: f.update(NumMedia="11"),
        "MessageSid with SQL": lambda f: f.update(MessageSid="SM1'; DROP TABLE message;--", SmsMessageSid=""),
    }
    for name, spoil in cases.items():
        form = phone.form("halo")
        spoil(form)
        response = phone.post(form)  # correctly signed: only the content is wrong
        assert response.status_code == 400, f"{name}: {response.status_code}"
    assert _count(session, Message) == 0
    assert _count(session, Conversation) == 0


def test_media_urls_without_a_count_or_outside_http_are_ignored(phone: Phone, session) -> None:  # type: ignore[no-untyped-def]
    form = phone.form("halo", media=[("https://api.twilio.com/x/Media/ME1", "image/jpeg")])
    form["NumMedia"] = "0"
    assert phone.post(form).status_code == 200
    form = phone.form("halo", media=[("file:///etc/passwd", "image/jpeg"), ("javascript:alert(1)", "image/png")])
    assert phone.post(form).status_code == 200
    assert _count(session, Attachment) == 0
    assert _count(session, Message) == 2


def test_a_two_megabyte_body_is_refused_before_it_is_read(phone: Phone, session) -> None:  # type: ignore[no-untyped-def]
    form = phone.form("x" * (2 * 1024 * 1024))
    response = phone.post(form)
    assert response.status_code == 413
    assert "terlalu besar" in response.text
    assert _count(session, Message) == 0
    assert phone.send("halo"), "the webhook still answers afterwards"


def test_back_office_forms_refuse_bodies_beyond_the_upload_limit(app, phone: Phone) -> None:  # type: ignore[no-untyped-def]
    too_big = app.config["MAX_CONTENT_LENGTH"] + 1
    response = requests.post(f"{phone.base_url}/masuk", data={"username": "x" * too_big}, timeout=30)
    assert response.status_code == 413
    assert "terlalu besar" in response.text


def test_a_long_but_legal_message_is_kept(phone: Phone, session) -> None:  # type: ignore[no-untyped-def]
    """WhatsApp allows 4096 characters; with emoji that is far more bytes, and must not hit the limit."""
    assert phone.send("🙏" * 4096)
    assert _count(session, Message) == 1


def test_invalid_utf8_is_refused_without_an_error(phone: Phone, session) -> None:  # type: ignore[no-untyped-def]
    body = b"MessageSid=SM" + b"a" * 32 + b"&From=whatsapp%3A%2B6281234567890&Body=%FF%FE%C3%28halo&NumMedia=0"
    for signature in ("", "bm90LWEtc2lnbmF0dXJl"):
        response = requests.post(f"{phone.base_url}/webhooks/whatsapp", data=body, timeout=10,
                                 headers={"Content-Type": "application/x-www-form-urlencoded",
                                          "X-Twilio-Signature": signature})
        assert response.status_code in (400, 403)
    raw = requests.post(f"{phone.base_url}/webhooks/whatsapp", data=b"\xff\xfe\x00garbage", timeout=10,
                        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    assert raw.status_code in (400, 403)
    assert _count(session, Message) == 0


def test_a_status_callback_cannot_move_a_message_backwards_or_invent_states(phone: Phone, app, session) -> None:  # type: ignore[no-untyped-def]
    from tickets.constants import Direction, MessageStatus

    sent = Message(direction=Direction.OUTBOUND, phone="+6281234567890", body="x", twilio_sid="SM" + "b" * 32,
                   status=MessageStatus.DELIVERED)
    session.add(sent)
    session.commit()
    url = f"{phone.base_url}/webhooks/whatsapp/status"
    for status in ("sent", "<b>dibaca</b>", "queued"):
        form = {"MessageSid": sent.twilio_sid, "MessageStatus": status}
        signature = RequestValidator(phone.auth_token).compute_signature(url, form)
        assert requests.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=10).status_code == 204
    session.expire_all()
    assert session.get(Message, sent.id).status == MessageStatus.DELIVERED
