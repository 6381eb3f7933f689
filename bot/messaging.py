"""The one place that talks to Twilio's REST API (or writes the local outbox instead); bot.outbound.send_once
decides what to send and when, and is what everything else calls."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import current_app
from sqlmodel import Session
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from tickets.messages import Message
from layanan.phone import whatsapp_address
from tickets.constants import MessageStatus
from layanan.clock import utcnow


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
    timeout = config["TWILIO_TIMEOUT_SECONDS"]
    http_client: TwilioHttpClient
    if config.get("TWILIO_API_BASE"):
        http_client = _RebasedHttpClient(config["TWILIO_API_BASE"], timeout=timeout)
    else:
        http_client = TwilioHttpClient(timeout=timeout)
    return Client(config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"], http_client=http_client)


def status_callback_url(config: dict) -> str:
    """Where Twilio reports delivery states of what we send."""
    return f"{config['PUBLIC_BASE_URL']}/webhooks/whatsapp/status"


class TemplateNotConfigured(RuntimeError):
    """Twilio is on but the approved template's content SID is not set."""


def template_params(content_sid: str | None, variables: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Twilio's parameters for an approved template, and what the local outbox records of it."""
    params = {"content_sid": content_sid, "content_variables": json.dumps(dict(variables), ensure_ascii=False)}
    return params, {"template": content_sid, "variables": dict(variables)}


def deliver(session: Session, message: Message, params: dict[str, Any], outbox_extra: dict[str, Any]) -> Message:
    """Hand a recorded message to Twilio, or write it to the local outbox, and record the result; commits.
    Twilio's errors propagate: bot.outbound decides what they mean."""
    config = current_app.config
    if config["TWILIO_ENABLED"]:
        sender = config["TWILIO_WHATSAPP_FROM"]
        params = {
            "from_": sender if sender.startswith("whatsapp:") else whatsapp_address(sender),
            "to": whatsapp_address(message.phone),
            "status_callback": status_callback_url(config),
            **params,
        }
        sent = twilio_client(config).messages.create(**params)
        message.twilio_sid = sent.sid
        message.status = sent.status or MessageStatus.QUEUED
    else:
        message.twilio_sid = "SMoutbox" + secrets.token_hex(12)
        message.status = MessageStatus.OUTBOX
        _write_outbox(Path(config["OUTBOX_PATH"]), message, outbox_extra)
    message.updated_at = utcnow()
    session.add(message)
    session.commit()
    return message


def _write_outbox(folder: Path, message: Message, extra: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    record = {
        "sid": message.twilio_sid, "to": whatsapp_address(message.phone), "body": message.body,
        "media_url": None, **extra, "created_at": utcnow().isoformat(),
    }
    (folder / f"{message.twilio_sid}.json").write_text(json.dumps(record, ensure_ascii=False, indent=1))
