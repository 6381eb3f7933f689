"""The inbound webhook's path before Flask answers as the Flask view does, and hands the view what it cannot."""

from __future__ import annotations

import json

import pytest
import requests
from sqlmodel import select
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bot import conversation
from bot.inbound_wsgi import twiml_document
from tests.support.whatsapp import Phone, parse_twiml
from tickets.messages import Conversation, Message

SCRIPT = ["halo", "setuju", "1", "2", "menu", "status ABC", "apa syarat KIA?"]


@pytest.mark.parametrize("replies", [
    [], ["Halo"], ["a & b < c > d \"kutip\" 'tunggal'", "baris\nkedua\r\n\tdengan tab", "é 😀 ]]> </Message>"],
])
def test_the_twiml_is_the_document_twilio_writes(replies: list[str]) -> None:
    expected = MessagingResponse()
    for text in replies:
        expected.message(text)
    assert twiml_document(replies).decode() == str(expected)


def _via_the_view(phone: Phone, body: str) -> requests.Response:
    """A signed delivery to the webhook's address with a query string, which only the Flask view takes."""
    url = f"{phone.base_url}/webhooks/whatsapp?jalur=aplikasi"
    form = phone.form(body)
    signature = RequestValidator(phone.auth_token).compute_signature(url, form)
    return requests.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=30)


def test_a_conversation_answered_before_flask_is_the_one_the_view_holds(phone: Phone, session) -> None:  # type: ignore[no-untyped-def]
    fast, view = Phone(phone.base_url, phone.auth_token, number="+6281211110001"), \
        Phone(phone.base_url, phone.auth_token, number="+6281211110002")
    for body in SCRIPT:
        answered = fast.send(body)
        response = _via_the_view(view, body)
        assert response.status_code == 200, response.text
        assert answered == parse_twiml(response.text), body
        assert fast.last is not None and fast.last.headers["Content-Type"] == response.headers["Content-Type"]
        for header in ("X-Content-Type-Options", "Content-Security-Policy", "X-Frame-Options"):
            assert fast.last.headers[header] == response.headers[header]
    states = {c.phone: (c.state, c.misses, c.needs_human) for c in session.exec(select(Conversation))}
    assert states[fast.number] == states[view.number]
    for number in (fast.number, view.number):
        stored = session.exec(select(Message).where(Message.phone == number)).all()
        assert len(stored) == len(SCRIPT) and all(m.reply is not None for m in stored)


def test_a_failure_before_flask_is_answered_by_the_app_and_loses_nothing(phone: Phone, session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    handle, failures = conversation.handle, []

    def fails_once(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not failures:
            failures.append(1)
            raise RuntimeError("kegagalan sekali")
        return handle(*args, **kwargs)

    monkeypatch.setattr(conversation, "handle", fails_once)
    replies = phone.send("halo")
    assert failures and replies, "the first try failed, the citizen was answered all the same"
    stored = session.exec(select(Message).where(Message.phone == phone.number)).all()
    assert len(stored) == 1 and json.loads(stored[0].reply or "null") == replies


def test_a_turn_that_keeps_failing_keeps_its_message_for_the_retry_to_answer(phone: Phone, session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The message is stored with its turn; when the turn fails, its transaction takes the message along, so
    it is stored again on its own: unanswered, for Twilio's retry to converse once the fault is gone."""
    phone.send("halo")
    before = session.exec(select(Conversation).where(Conversation.phone == phone.number)).one()
    state = (before.state, before.data, before.misses)
    handle = conversation.handle

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("percakapan rusak")

    monkeypatch.setattr(conversation, "handle", broken)
    form = phone.form("1")
    assert phone.post(form).status_code == 500
    session.expire_all()
    kept = session.exec(select(Message).where(Message.twilio_sid == form["MessageSid"])).one()
    assert (kept.body, kept.reply) == ("1", None), "kept, unanswered"
    after = session.exec(select(Conversation).where(Conversation.phone == phone.number)).one()
    assert (after.state, after.data, after.misses) == state, "the failed turn changed nothing"

    monkeypatch.setattr(conversation, "handle", handle)
    retried = phone.post(form)
    assert retried.status_code == 200 and parse_twiml(retried.text), "the retry is answered"
    session.expire_all()
    stored = session.exec(select(Message).where(Message.twilio_sid == form["MessageSid"])).all()
    assert len(stored) == 1 and json.loads(stored[0].reply or "null") == parse_twiml(retried.text)
