"""A local HTTP server that answers like Twilio's Messages API, for the real `twilio` client.

It records every request, creates messages (201 with a SID), lists them, and can be told what to answer
next: an HTTP error (500, 429), a Twilio error code (63016), or a time-out *after* accepting the
message (the worst case for a sender: Twilio has it, the client never heard). It also posts signed
status callbacks back to the app, as Twilio does.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import requests
from twilio.request_validator import RequestValidator

from layanan.clock import utcnow
from tests.support.servers import SERVE_POLL

ACCOUNT_SID = "AC" + "0" * 32


@dataclass(frozen=True)
class Fail:
    """Answer the next create with an error: HTTP status and Twilio error code."""

    status: int
    code: int | None = None


@dataclass(frozen=True)
class Slow:
    """Accept the next message, then answer only after `seconds` (longer than the client waits)."""

    seconds: float = 12.0


@dataclass
class TwilioApi:
    auth_token: str
    messages: list[dict[str, Any]] = field(default_factory=list)  # accepted, oldest first
    requests: list[tuple[str, str, dict[str, list[str]]]] = field(default_factory=list)  # method, path, form
    script: list[Fail | Slow] = field(default_factory=list)  # what to answer next; empty: accept
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- serving -------------------------------------------------------------------------------

    def start(self) -> "TwilioApi":
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
                owner._record("POST", self.path, form)
                if not urlparse(self.path).path.endswith("/Messages.json"):
                    return self._json(404, {"code": 20404, "message": "not found", "status": 404})
                step = owner._next_step()
                if isinstance(step, Fail):
                    return self._json(step.status, {"code": step.code or 20000 + step.status,
                                                    "message": f"simulated error {step.status}",
                                                    "more_info": "https://www.twilio.com/docs/errors",
                                                    "status": step.status})
                created = owner._accept(form)
                if isinstance(step, Slow):
                    time.sleep(step.seconds)
                self._json(201, created)

            def do_GET(self) -> None:  # noqa: N802
                url = urlparse(self.path)
                query = parse_qs(url.query)
                owner._record("GET", self.path, query)
                to = (query.get("To") or [None])[0]
                found = [m for m in reversed(owner.messages) if to is None or m["to"] == to]
                self._json(200, {"messages": found, "end": len(found), "first_page_uri": url.path,
                                 "next_page_uri": None, "previous_page_uri": None, "page": 0,
                                 "page_size": 50, "start": 0, "uri": self.path})

            def _json(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a Slow answer)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, args=(SERVE_POLL,), daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _record(self, method: str, path: str, form: dict[str, list[str]]) -> None:
        with self._lock:
            self.requests.append((method, path, form))

    def _next_step(self) -> Fail | Slow | None:
        with self._lock:
            return self.script.pop(0) if self.script else None

    def _accept(self, form: dict[str, list[str]]) -> dict[str, Any]:
        one = {k: v[0] for k, v in form.items()}
        message = {
            "sid": "SM" + secrets.token_hex(16), "account_sid": ACCOUNT_SID, "status": "queued",
            "to": one.get("To"), "from": one.get("From"), "body": one.get("Body", ""),
            "num_media": str(len(form.get("MediaUrl", []))), "media_url": form.get("MediaUrl", []),
            "content_sid": one.get("ContentSid"), "content_variables": one.get("ContentVariables"),
            "status_callback": one.get("StatusCallback"), "error_code": None, "error_message": None,
            "date_created": format_datetime(utcnow()), "date_updated": format_datetime(utcnow()),
            "date_sent": None, "direction": "outbound-api", "api_version": "2010-04-01",
            "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/x.json",
        }
        with self._lock:
            self.messages.append(message)
        return message

    # --- for the tests ---------------------------------------------------------------------------

    @property
    def creates(self) -> list[dict[str, list[str]]]:
        """Every create request received, accepted or not."""
        return [form for method, path, form in self.requests if method == "POST" and path.endswith("/Messages.json")]

    def pdfs(self) -> list[dict[str, Any]]:
        """Accepted messages that carry a media URL."""
        return [m for m in self.messages if m["media_url"]]

    def templates(self) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["content_sid"]]

    def callback(self, message: dict[str, Any], status: str, error_code: str | None = None) -> requests.Response:
        """Post a signed status callback for an accepted message to the URL it named."""
        form = {"MessageSid": message["sid"], "MessageStatus": status, "AccountSid": ACCOUNT_SID,
                "To": message["to"], "From": message["from"], "ApiVersion": "2010-04-01"}
        if error_code:
            form["ErrorCode"] = error_code
        url = message["status_callback"]
        signature = RequestValidator(self.auth_token).compute_signature(url, form)
        return requests.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=30)
