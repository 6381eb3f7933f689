"""Fixtures for the WhatsApp side: a citizen's phone and a stand-in for Twilio's media URLs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.media_server import MediaServer
from tests.support.whatsapp import Phone


@pytest.fixture
def phone(live_server, app) -> Phone:  # type: ignore[no-untyped-def]
    """A citizen's WhatsApp number talking to the live app through signed webhook requests."""
    return Phone(base_url=live_server.url, auth_token=app.config["TWILIO_AUTH_TOKEN"])


@pytest.fixture
def media_server() -> Iterator[MediaServer]:
    server = MediaServer().start()
    yield server
    server.stop()
