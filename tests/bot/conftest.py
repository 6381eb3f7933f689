"""Fixtures for the bot's sending tests: the real twilio client talking to a local Messages API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.support.twilio_api import ACCOUNT_SID, TwilioApi


@pytest.fixture
def twilio_api() -> Iterator[TwilioApi]:
    api = TwilioApi(auth_token="test-auth-token-0123456789abcdef").start()
    yield api
    api.stop()


@pytest.fixture
def twilio_app(app: Flask, twilio_api: TwilioApi) -> Flask:
    """The app sending through the real twilio client to the local Messages API."""
    app.config.update(TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_WHATSAPP_FROM="+14155238886", TWILIO_ENABLED=True,
                      TWILIO_API_BASE=twilio_api.url)
    return app
