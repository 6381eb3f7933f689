"""The one place that sends WhatsApp messages: Twilio's REST API, or the local outbox."""

from __future__ import annotations

import json
import logging
import secrets
from pathlib import Path
from typing import Any

from flask import current_app
from sqlmodel import Session, select
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from bot.models import Message
from bot.phone import whatsapp_address
from tickets.constants import Direction, MessageStatus
from tickets.types import utcnow

log = logging.getLogger(__name__)


class _RebasedHttpClient(TwilioHttpClient):
    """Sends the client's requests to another base URL (a local Twilio stand-in in tests)."""

    def __init__(self, base: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._base = base.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
        for host in ("https://api.twilio.com", "https://messaging.twilio.com"):
            if url.startswith(host):
                url = self._base + url[len(host):]
        return super().request(method, url, *args, **kwargs)


def twilio_client(config: dict) -> Client:
    """A Twilio REST client for the configured account."""
    http_client = None
    if config.get("TWILIO_API_BASE"):
        http_client = _RebasedHttpClient(config["TWILIO_API_BASE"], timeout=10)
    else:
        http_client = TwilioHttpClient(timeout=10)
    return Client(config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"], http_client=http_client)


def status_callback_url(config: dict) -> str:
    """Where Twilio reports delivery states of what we send."""
    return f"{config['PUBLIC_BASE_URL']}/webhooks/whatsapp/status"


def send_whatsapp(
    session: Session,
    phone: str,
    body: str,
    *,
    ticket_id: int | None = None,
    idempotency_key: str | None = None,
    media_url: str | None = None,
) -> Message:
    """Send a free-form WhatsApp message and record it; a key already sent is not sent again."""
    if idempotency_key:
        existing = session.exec(select(Message).where(Message.idempotency_key == idempotency_key)).first()
        if existing is not None and existing.twilio_sid:
            return existing
    else:
        existing = None
    message = existing or Message(
        direction=Direction.OUTBOUND, phone=phone, body=body, ticket_id=ticket_id,
        idempotency_key=idempotency_key, num_media=1 if media_url else 0, status=MessageStatus.ACCEPTED,
    )
    # Commit the intent first: a crash after Twilio accepted leaves a row to reconcile, not a lost send.
    session.add(message)
    session.commit()

    config = current_app.config
    if config["TWILIO_ENABLED"]:
        params: dict[str, Any] = {
            "from_": config["TWILIO_WHATSAPP_FROM"] if config["TWILIO_WHATSAPP_FROM"].startswith("whatsapp:")
            else whatsapp_address(config["TWILIO_WHATSAPP_FROM"]),
            "to": whatsapp_address(phone),
            "body": body,
            "status_callback": status_callback_url(config),
        }
        if media_url:
            params["media_url"] = [media_url]
        sent = twilio_client(config).messages.create(**params)
        message.twilio_sid = sent.sid
        message.status = sent.status or MessageStatus.QUEUED
    else:
        message.twilio_sid = "SMoutbox" + secrets.token_hex(12)
        message.status = MessageStatus.OUTBOX
        _write_outbox(Path(config["OUTBOX_PATH"]), message, media_url)
    message.updated_at = utcnow()
    session.add(message)
    session.commit()
    return message


def _write_outbox(folder: Path, message: Message, media_url: str | None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    record = {
        "sid": message.twilio_sid, "to": whatsapp_address(message.phone), "body": message.body,
        "media_url": media_url, "created_at": utcnow().isoformat(),
    }
    (folder / f"{message.twilio_sid}.json").write_text(json.dumps(record, ensure_ascii=False, indent=1))
