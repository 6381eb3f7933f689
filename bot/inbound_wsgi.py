"""The inbound WhatsApp webhook answered before Flask, for the deliveries that need nothing but the answer.

Inbound messages are most of the service's requests. Flask's request context, its before and after hooks
(rate limits, CSRF, login, sessions) and its form parser cost about as much CPU as storing and answering
the message (bench/README.md, *Profil jalur pesan*), and none of them has anything to do for a signed
Twilio form. So a delivery that is well formed and correctly signed is answered here, with the view's own
steps (`intake.parse_form`, `intake.receive`) in an app context.

Everything else is handed to the Flask app with the body it sent: a request this path does not take (a
query string, another content type, no length), a refusal (signature, form, size) and any failure. The
refusals, error pages and logs therefore stay the ones the app defines. A delivery that failed here after
its message was stored reaches the view as a redelivery of that message, which the webhook already answers
once and idempotently.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from flask import Flask
from twilio.request_validator import RequestValidator, compare

from bot import intake
from layanan import db
from layanan.security import SECURITY_HEADERS

log = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
_FORM = "application/x-www-form-urlencoded"
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


def twiml_document(replies: list[str]) -> bytes:
    """The replies as a TwiML MessagingResponse, one WhatsApp message each: the document Twilio's
    `MessagingResponse` writes (a test compares them), without building an element tree per request."""
    if not replies:
        return f"{_XML_DECLARATION}<Response />".encode()
    messages = "".join(f"<Message>{escape(text)}</Message>" for text in replies)
    return f"{_XML_DECLARATION}<Response>{messages}</Response>".encode()


def signed_by_twilio(auth_token: str, url: str, form: dict[str, str], signature: str) -> bool:
    """Whether Twilio signed this form for this URL, as `RequestValidator.validate` decides. That method
    signs the URL both with and without its port and accepts either; the URL as configured, the one Twilio
    is given, is tried first, so a good signature costs one HMAC instead of two."""
    validator = RequestValidator(auth_token)
    return bool(signature) and (compare(validator.compute_signature(url, form), signature)
                                or validator.validate(url, form, signature))


def serve_before_flask(app: Flask, path: str, followers_key: str) -> None:
    """Answer signed inbound deliveries on `path` before the Flask app sees them."""
    app.wsgi_app = InboundFastPath(app, app.wsgi_app, path, followers_key)  # type: ignore[method-assign]


class InboundFastPath:
    """WSGI middleware: the inbound webhook's usual delivery answered here, everything else passed on."""

    def __init__(self, app: Flask, wrapped: WSGIApp, path: str, followers_key: str) -> None:
        self.app, self.wrapped, self.path, self.followers_key = app, wrapped, path, followers_key

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != self.path or environ.get("REQUEST_METHOD") != "POST" \
                or environ.get("QUERY_STRING"):
            return self.wrapped(environ, start_response)
        body = self._body(environ)
        if body is None:
            return self.wrapped(environ, start_response)
        answer = self._answer(environ, body)
        if answer is None:
            # Handed on with the body this path already read.
            environ["wsgi.input"] = io.BytesIO(body)
            return self.wrapped(environ, start_response)
        start_response("200 OK", [("Content-Type", "application/xml; charset=utf-8"),
                                  ("Content-Length", str(len(answer))), *SECURITY_HEADERS.items()])
        return [answer]

    def _body(self, environ: dict[str, Any]) -> bytes | None:
        """The form's bytes, when it is a form of a stated length within the webhook's limit; None leaves
        the request unread, for the app to take or refuse."""
        if environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower() != _FORM:
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return None
        if not 0 < length <= self.app.config["WEBHOOK_MAX_BYTES"]:
            return None
        body: bytes = environ["wsgi.input"].read(length)
        return body

    def _answer(self, environ: dict[str, Any], body: bytes) -> bytes | None:
        """The TwiML answer to a signed, well-formed delivery; None for the app to answer instead."""
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
        except (UnicodeDecodeError, ValueError):
            return None
        form: dict[str, str] = {}
        for key, value in pairs:
            form.setdefault(key, value)  # the first of a repeated field, as the view's form reads it
        config = self.app.config
        if not signed_by_twilio(config["TWILIO_AUTH_TOKEN"], config["PUBLIC_BASE_URL"] + self.path, form,
                                environ.get("HTTP_X_TWILIO_SIGNATURE", "")):
            return None
        try:
            inbound = intake.parse_form(form)
        except intake.BadForm:
            return None
        with self.app.app_context():
            try:
                replies = intake.receive(db.session(), inbound, self.app.extensions.get(self.followers_key, ()))
            except Exception as exc:  # noqa: BLE001 - any failure is the app's to answer and log
                log.warning("inbound message %s handed to the app after %s", inbound.sid, type(exc).__name__)
                return None
        return twiml_document(replies)
