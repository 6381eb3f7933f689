"""Fixtures for the call center: a caller's phone, Twilio's media URLs and a stand-in Messages API."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests

from tests.support.servers import SERVE_POLL
from tests.support.whatsapp import Phone
from tests.tickets.conftest import csrf_token

CALLER = "+6281298765432"
FOLLOWUP_SID = "HX" + "c" * 32


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """The shared test configuration plus an approved follow-up template."""
    return {**app_config, "TWILIO_CONTENT_SID_CALL_FOLLOWUP": FOLLOWUP_SID}


@pytest.fixture
def phone(live_server, app) -> Phone:  # type: ignore[no-untyped-def]
    """The caller's WhatsApp number, writing through signed webhook requests."""
    return Phone(base_url=live_server.url, auth_token=app.config["TWILIO_AUTH_TOKEN"], number=CALLER,
                 profile_name="Rahmat")


@dataclass
class MessagesApi:
    """A local server answering Twilio's `POST /2010-04-01/Accounts/<sid>/Messages.json` like Twilio does."""

    sent: list[dict[str, str]] = field(default_factory=list)
    failing: bool = False  # answer like Twilio refusing the request

    def start(self) -> "MessagesApi":
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                match = re.fullmatch(r"/2010-04-01/Accounts/(AC\w+)/Messages\.json", self.path)
                if not match or not self.headers.get("Authorization", "").startswith("Basic "):
                    self.send_response(404)
                    self.end_headers()
                    return
                if owner.failing:
                    error = json.dumps({"code": 63016, "message": "outside the allowed window", "status": 400})
                    self.send_response(400)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(error)))
                    self.end_headers()
                    self.wfile.write(error.encode())
                    return
                owner.sent.append(form)
                sid = f"SM{len(owner.sent):032d}"
                body = json.dumps({"sid": sid, "account_sid": match.group(1), "status": "queued",
                                   "to": form.get("To"), "from": form.get("From"), "body": form.get("Body", "")})
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body.encode())

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, args=(SERVE_POLL,), daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def messages_api() -> Iterator[MessagesApi]:
    server = MessagesApi().start()
    yield server
    server.stop()


def call_form(**fields: str) -> dict[str, str]:
    """A call as an agent types it: a caller who must send KTP-el files on WhatsApp, unless told otherwise."""
    values = {"phone": "0812-9876-5432", "caller_name": "Rahmat Hidayat", "nik": "", "kecamatan": "180601",
              "topic": "ktp-el", "notes": "Ganti KTP-el rusak", "outcome": "needs-files",
              # Read only for a Siaga report: the resident the caller reports.
              "siaga_relation": "Anak", "siaga_subject": "Sarinah", "siaga_pekon": "Gisting Atas"}
    values.update(fields)
    return values


def log_call_via_form(http: requests.Session, **fields: str) -> requests.Response:
    """Submit the call-logging screen the way the browser does, with the page's token and key."""
    page = http.get("/call-center/")
    assert page.status_code == 200, page.status_code
    key = re.search(r'name="client_key" value="([^"]+)"', page.text)
    assert key
    return http.post("/call-center/", data={"csrf_token": csrf_token(page.text), "client_key": key.group(1),
                                            **call_form(**fields)})


def outbox_records(app: Any) -> list[dict[str, Any]]:
    """What the local outbox transport wrote, oldest first."""
    from pathlib import Path

    folder = Path(app.config["OUTBOX_PATH"])
    if not folder.exists():
        return []
    records = [json.loads(p.read_text()) for p in folder.glob("*.json")]
    return sorted(records, key=lambda r: r["created_at"])
