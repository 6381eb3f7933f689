"""A citizen's phone for tests: posts Twilio-signed inbound messages to the real webhook."""

from __future__ import annotations

import itertools
import secrets
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import requests
from twilio.request_validator import RequestValidator

_counter = itertools.count(1)


def new_sid() -> str:
    """A fresh Twilio-style message SID."""
    return f"SM{secrets.token_hex(15)}{next(_counter) % 100:02d}"


def parse_twiml(xml: str) -> list[str]:
    """The reply texts in a TwiML MessagingResponse."""
    root = ET.fromstring(xml)
    return [(m.findtext("Body") or m.text or "").strip() for m in root.iter("Message")]


@dataclass
class Phone:
    """One WhatsApp number talking to the office."""

    base_url: str
    auth_token: str
    number: str = "+6281234567890"
    profile_name: str = "Budi"
    last: requests.Response | None = field(default=None, init=False)

    def form(self, body: str = "", media: list[tuple[str, str]] | None = None, sid: str | None = None) -> dict[str, str]:
        media = media or []
        form = {
            "MessageSid": sid or new_sid(), "SmsMessageSid": sid or "", "AccountSid": "AC" + "1" * 32,
            "From": f"whatsapp:{self.number}", "To": "whatsapp:+6272200000000", "Body": body,
            "NumMedia": str(len(media)), "ProfileName": self.profile_name, "WaId": self.number.lstrip("+"),
        }
        form["SmsMessageSid"] = form["MessageSid"]
        for i, (url, content_type) in enumerate(media):
            form[f"MediaUrl{i}"] = url
            form[f"MediaContentType{i}"] = content_type
        return form

    def post(self, form: dict[str, str], signature: str | None = None) -> requests.Response:
        url = f"{self.base_url}/webhooks/whatsapp"
        if signature is None:
            signature = RequestValidator(self.auth_token).compute_signature(url, form)
        self.last = requests.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=30)
        return self.last

    def send(self, body: str = "", media: list[tuple[str, str]] | None = None, sid: str | None = None) -> list[str]:
        """Send a message; return the bot's replies (fails the test on a non-200 answer)."""
        response = self.post(self.form(body, media, sid))
        assert response.status_code == 200, response.text
        return parse_twiml(response.text)

    def say(self, body: str = "", media: list[tuple[str, str]] | None = None) -> str:
        """Send a message; return all replies joined, for substring assertions."""
        return "\n".join(self.send(body, media))
