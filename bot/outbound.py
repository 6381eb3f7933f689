"""Every outbound WhatsApp message, sent exactly once.

`send_once` is the one door out. Each message has an idempotency key chosen by its caller
(`milestone-<event>`, `call-<id>-followup`, `pdf-<delivery>-pdf-<try>`, …) and a Message row
holding that key, committed *before* Twilio is called. The rules, in one place:

- **Sent already.** A row with a Twilio SID is the message; nothing is sent again.
- **In doubt.** A row without a SID and without a definite error is a try whose answer never came
  (time-out, worker killed after Twilio accepted). Before trying again, Twilio's message list is
  asked for a message to that number, created since the try began, with the same text (for a
  template: any, its text is Twilio's rendering) and a SID we never recorded. Found: it is adopted
  and nothing is sent. With the local outbox there is nothing to ask: the try is made again.
- **Transient.** HTTP 429/5xx (Twilio created nothing) and no answer at all raise `SendFailed`, so RQ
  retries with backoff. An HTTP error is recorded on the row, which is then no longer in doubt.
- **Permanent.** Any other refusal (bad number, 63016 outside the 24-hour window, …) flags the
  message and raises `SendRefused`; it is not retried.
- **Giving up.** After the last retry (or at once outside an RQ job, e.g. a staff member's reply)
  the message is flagged for staff: status `failed` with the error code, shown in the ticket's
  conversation. A time-out on the last try asks Twilio once more first.
- **The 24-hour window.** With a `Template`, the approved template goes out when the citizen has
  not written for 24 hours (or when there is no free-form `body`); the choice sticks to the key.
  A caller whose template is not configured records the message with `record_not_sent`: flagged
  like a refused one, with the reason as its error code, never silently dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import requests
from flask import current_app
from rq import get_current_job
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from twilio.base.exceptions import TwilioException, TwilioRestException

from bot.messaging import TemplateNotConfigured, deliver, template_params, twilio_client
from bot.session_window import in_session_window
from layanan.clock import utcnow
from layanan.phone import whatsapp_address
from tickets.constants import Direction, MessageStatus
from tickets.messages import Message

log = logging.getLogger(__name__)

TRANSIENT_HTTP = frozenset({429, 500, 502, 503, 504})  # Twilio created nothing; worth another try
NO_ANSWER = "no-answer"  # the error code of a try whose answer never came (it may have reached Twilio)
IN_DOUBT_LOOKBACK = timedelta(minutes=2)  # clock skew between us and Twilio when matching an in-doubt try
TWILIO_LIST_LIMIT = 50

__all__ = ["SendFailed", "SendRefused", "Template", "TemplateNotConfigured", "message_for", "record_not_sent",
           "send_once"]


@dataclass(frozen=True)
class Template:
    """An approved WhatsApp template, the only kind of message allowed outside the 24-hour window."""

    content_sid: str | None  # HX…; None is allowed only with the local outbox
    variables: Mapping[str, str] = field(default_factory=dict)
    text: str = ""  # its text with the variables filled in: what the outbox and the conversation show


class SendFailed(RuntimeError):
    """Twilio failed in a way worth another try; raised so RQ retries with backoff.

    `gave_up` is true when no retry follows: the message is flagged for staff.
    """

    def __init__(self, key: str, error_code: str, *, gave_up: bool) -> None:
        super().__init__(f"WhatsApp message {key} not sent: {error_code}")
        self.key, self.error_code, self.gave_up = key, error_code, gave_up


class SendRefused(RuntimeError):
    """Twilio refused the message for good (number, content, the 24-hour window); it is flagged for staff."""

    def __init__(self, key: str, status: int | None, code: str) -> None:
        super().__init__(f"WhatsApp message {key} refused by Twilio: HTTP {status}, code {code or '-'}")
        self.key, self.status, self.code = key, status, code


def send_once(
    session: Session,
    *,
    phone: str,
    key: str,
    body: str | None = None,
    template: Template | None = None,
    ticket_id: int | None = None,
    media_url: str | None = None,
) -> Message:
    """Send a WhatsApp message at most once per key and return its row (see the module docstring).

    `body` is the free-form text; `template` the approved template for outside the 24-hour window
    (alone: always the template). Commits. Raises SendFailed, SendRefused or TemplateNotConfigured.
    """
    if body is None and template is None:
        raise ValueError("send_once needs a body or a template")
    if media_url and body is None:
        raise ValueError("a template cannot carry media (Twilio error 63030)")
    message = _by_key(session, key)
    if message is None:
        message = _intent(session, phone=phone, key=key, body=body, template=template, ticket_id=ticket_id,
                          media_url=media_url)
    elif message.twilio_sid:
        return message
    elif _in_doubt(message) and _adopted_from_twilio(session, message):
        return message
    use_template = template is not None and (message.content_sid is not None or message.body != body)
    _begin_try(session, message)
    try:
        if use_template:
            assert template is not None
            params, extra = template_params(template.content_sid, template.variables)
        else:
            params = {"body": message.body, **({"media_url": [media_url]} if media_url else {})}
            extra = {"media_url": media_url}
        return deliver(session, message, params, extra)
    except TwilioRestException as exc:
        if exc.status in TRANSIENT_HTTP:
            _retry_or_give_up(session, message, f"http-{exc.status}", exc)
        code = str(exc.code or exc.status)
        _flag(session, message, code)
        raise SendRefused(key, exc.status, str(exc.code or "")) from exc
    except TwilioException as exc:  # not an answer from Twilio's API (configuration): no retry helps
        _flag(session, message, "twilio")
        raise SendRefused(key, None, "") from exc
    except requests.RequestException as exc:
        if _last_try() and _adopted_from_twilio(session, message):
            return message
        _retry_or_give_up(session, message, NO_ANSWER, exc)
    raise AssertionError("unreachable")


def message_for(session: Session, key: str) -> Message | None:
    """The message recorded under this idempotency key, if any."""
    return _by_key(session, key)


def record_not_sent(session: Session, *, phone: str, key: str, body: str, error_code: str,
                    ticket_id: int | None = None) -> Message:
    """Record a message that could not go out at all (outside the 24-hour window with no approved template), flagged
    for staff like a refused one: status `failed`, the reason as its error code. Once per key; commits."""
    message = _by_key(session, key)
    if message is None:
        message = Message(direction=Direction.OUTBOUND, phone=phone, ticket_id=ticket_id, idempotency_key=key,
                          body=body, status=MessageStatus.FAILED, error_code=error_code[:20])
        session.add(message)
        try:
            session.commit()
        except IntegrityError:  # the same key recorded at the same moment: that row is the record
            session.rollback()
            message = _by_key(session, key) or message
    log.error("message %s to ticket %s not sent (%s); staff must inform the citizen", key, ticket_id, error_code)
    return message


def _by_key(session: Session, key: str) -> Message | None:
    return session.exec(select(Message).where(Message.idempotency_key == key)).first()


def _intent(session: Session, *, phone: str, key: str, body: str | None, template: Template | None,
            ticket_id: int | None, media_url: str | None) -> Message:
    """The message row, committed before anything is sent: a crash after Twilio accepted leaves a row
    to reconcile, not a lost or doubled send."""
    use_template = template is not None and (body is None or not in_session_window(session, phone))
    if use_template:
        assert template is not None
        if current_app.config["TWILIO_ENABLED"] and not template.content_sid:
            raise TemplateNotConfigured("template WhatsApp belum dikonfigurasi (content SID kosong)")
    message = Message(
        direction=Direction.OUTBOUND, phone=phone, ticket_id=ticket_id, idempotency_key=key,
        body=template.text if use_template and template else body or "",
        content_sid=template.content_sid if use_template and template else None,
        num_media=1 if media_url and not use_template else 0, status=MessageStatus.ACCEPTED,
    )
    session.add(message)
    try:
        session.commit()
    except IntegrityError as exc:
        # The same key raced us (one job run twice at once): the other run owns the send.
        session.rollback()
        raced = _by_key(session, key)
        if raced is not None and raced.twilio_sid:
            return raced
        raise SendFailed(key, "busy", gave_up=False) from exc
    return message


def _in_doubt(message: Message) -> bool:
    """Whether an earlier try may have reached Twilio although we never heard: no SID, no definite error."""
    return message.twilio_sid is None and message.error_code in (None, NO_ANSWER)


def _begin_try(session: Session, message: Message) -> None:
    """Clear what a previous try recorded: from here on, a crash leaves the row in doubt."""
    if message.error_code is not None or message.status != MessageStatus.ACCEPTED:
        message.status, message.error_code, message.updated_at = MessageStatus.ACCEPTED, None, utcnow()
        session.add(message)
        session.commit()


def _last_try() -> bool:
    job = get_current_job()
    return job is None or not job.retries_left


def _adopted_from_twilio(session: Session, message: Message) -> bool:
    """Ask Twilio whether an in-doubt try was created after all; if so record its SID on the row."""
    if not current_app.config["TWILIO_ENABLED"]:
        return False  # the local outbox: nothing to ask, the try is simply made again
    try:
        found = _find_on_twilio(session, message)
    except (TwilioException, requests.RequestException):
        log.warning("message %s: Twilio could not be asked about an earlier try", message.idempotency_key)
        return False
    if found is None:
        return False
    message.twilio_sid, message.status = found.sid, found.status or MessageStatus.QUEUED
    message.error_code, message.updated_at = None, utcnow()
    session.add(message)
    session.commit()
    log.warning("message %s had reached Twilio (%s); not sent again", message.idempotency_key, found.sid)
    return True


def _find_on_twilio(session: Session, message: Message) -> Any:
    """The message Twilio created for an in-doubt try: to the same number, created since the try began,
    with a SID we never recorded, and the same text (a template's text is Twilio's rendering, so for a
    template the first three suffice)."""
    since = message.created_at - IN_DOUBT_LOOKBACK
    client = twilio_client(current_app.config)
    for candidate in client.messages.list(to=whatsapp_address(message.phone), limit=TWILIO_LIST_LIMIT):
        created = candidate.date_created
        if created is not None and created < since:
            continue
        if message.content_sid is None and candidate.body != message.body:
            continue
        if session.exec(select(Message.id).where(Message.twilio_sid == candidate.sid)).first() is not None:
            continue
        return candidate
    return None


def _retry_or_give_up(session: Session, message: Message, error_code: str, exc: Exception) -> None:
    """Raise so RQ tries again later; after the last try, flag the message for staff first."""
    session.rollback()
    gave_up = _last_try()
    if gave_up:
        _flag(session, message, error_code)
    else:
        message.error_code, message.updated_at = error_code[:20], utcnow()
        session.add(message)
        session.commit()
        log.warning("message %s not sent (Twilio %s: %s); RQ will retry", message.idempotency_key, error_code, exc)
    raise SendFailed(message.idempotency_key or "", error_code, gave_up=gave_up) from exc


def _flag(session: Session, message: Message, error_code: str) -> None:
    """Mark the message failed: the ticket's conversation shows it to staff, who tell the citizen."""
    session.rollback()
    session.refresh(message)
    if message.twilio_sid:
        return
    message.status, message.error_code, message.updated_at = MessageStatus.FAILED, error_code[:20], utcnow()
    session.add(message)
    session.commit()
    log.error("message %s to ticket %s could not be sent (%s); staff must inform the citizen",
              message.idempotency_key, message.ticket_id, error_code)
