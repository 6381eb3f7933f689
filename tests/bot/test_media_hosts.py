"""Citizens' files are fetched only from Twilio's media hosts, and the Twilio credentials go nowhere else."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import select

from bot.media import media_url_refusal
from tests.bot.test_whatsapp_intake import file_request_until_documents, outbox
from tests.support.media_server import MediaServer, jpeg_bytes
from tests.support.whatsapp import Phone
from tickets.constants import AttachmentStatus
from tickets.messages import Attachment

ACCOUNT_SID = "AC" + "3" * 32
TWILIO_MEDIA_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM{'1' * 32}/Media/ME{'2' * 32}"


@pytest.fixture
def elsewhere() -> Iterator[MediaServer]:
    """A second local server, reached as `localhost`: a host name not on the allow-list."""
    server = MediaServer().start()
    yield server
    server.stop()


def foreign(server: MediaServer, name: str) -> str:
    server.add(name, jpeg_bytes(), "image/jpeg")
    return f"http://localhost:{server.port}/{name}"


def the_attachment(session) -> Attachment:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.exec(select(Attachment)).one()


def test_a_media_url_on_another_host_is_never_contacted(app, phone: Phone, session, elsewhere: MediaServer,
                                                        run_jobs) -> None:  # type: ignore[no-untyped-def]
    app.config["TWILIO_ACCOUNT_SID"] = ACCOUNT_SID  # credentials known: they must not leave for that host
    file_request_until_documents(phone)
    phone.say(media=[(foreign(elsewhere, "foto.jpg"), "image/jpeg")])
    run_jobs()
    assert elsewhere.requests == []
    attachment = the_attachment(session)
    assert attachment.status == AttachmentStatus.REFUSED
    assert "localhost" in (attachment.reason or "") and attachment.storage_path is None
    assert "gagal kami terima" in outbox(app)[0]["body"]


def test_a_redirect_to_a_foreign_host_is_not_followed(app, phone: Phone, session, media_server: MediaServer,
                                                      elsewhere: MediaServer, run_jobs) -> None:  # type: ignore[no-untyped-def]
    app.config["TWILIO_ACCOUNT_SID"] = ACCOUNT_SID
    url = media_server.add("ME1", b"", "image/jpeg", redirect=foreign(elsewhere, "cdn.jpg"))
    file_request_until_documents(phone)
    phone.say(media=[(url, "image/jpeg")])
    run_jobs()
    assert [(method, path) for method, path, _ in media_server.requests] == [("GET", "/ME1")]
    assert elsewhere.requests == []
    attachment = the_attachment(session)
    assert attachment.status == AttachmentStatus.REFUSED and "localhost" in (attachment.reason or "")


def test_a_redirect_to_an_allowed_cdn_is_followed_without_the_credentials(
        app, phone: Phone, session, media_server: MediaServer, elsewhere: MediaServer,
        run_jobs) -> None:  # type: ignore[no-untyped-def]
    app.config["TWILIO_ACCOUNT_SID"] = ACCOUNT_SID
    app.config["TWILIO_MEDIA_HOSTS"] = f"127.0.0.1:{media_server.port}, LOCALHOST:{elsewhere.port}"
    url = media_server.add("ME1", b"", "image/jpeg", redirect=foreign(elsewhere, "cdn.jpg"))
    file_request_until_documents(phone)
    phone.say(media=[(url, "image/jpeg")])
    run_jobs()
    assert the_attachment(session).status == AttachmentStatus.STORED
    [(_, _, api_auth)] = media_server.requests
    [(_, _, cdn_auth)] = elsewhere.requests
    assert api_auth and api_auth.startswith("Basic ")
    assert cdn_auth is None


def test_twilios_copy_is_deleted_only_at_the_api_resource_of_our_account(
        app, phone: Phone, session, media_server: MediaServer, elsewhere: MediaServer,
        run_jobs) -> None:  # type: ignore[no-untyped-def]
    app.config["TWILIO_MEDIA_HOSTS"] = f"127.0.0.1:{media_server.port},localhost:{elsewhere.port}"
    ours = media_server.add(TWILIO_MEDIA_PATH.lstrip("/"), b"", "image/jpeg", redirect=foreign(elsewhere, "a.jpg"))
    not_a_resource = media_server.add("some/file.jpg", jpeg_bytes(3000), "image/jpeg")
    on_the_cdn = foreign(elsewhere, "b.jpg")
    file_request_until_documents(phone)
    for url in (ours, not_a_resource, on_the_cdn):
        phone.say(media=[(url, "image/jpeg")])
    app.config.update(TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_ENABLED=True)
    run_jobs()
    session.expire_all()
    assert {a.status for a in session.exec(select(Attachment)).all()} == {AttachmentStatus.STORED}
    deletes = [(path, auth) for method, path, auth in media_server.requests + elsewhere.requests if method == "DELETE"]
    assert len(deletes) == 1
    assert deletes[0][0] == TWILIO_MEDIA_PATH and (deletes[0][1] or "").startswith("Basic ")


@pytest.mark.parametrize(("url", "allowed"), [
    ("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1", True),
    ("https://API.Twilio.com:443/x", True),
    ("https://mms.twiliocdn.com/x", True),
    ("https://api.dublin.ie1.twilio.com/x", True),
    ("https://evil.example/x", False),
    ("https://api.twilio.com.evil.example/x", False),
    ("https://evil.example/api.twilio.com/x", False),
    ("https://user:pass@api.twilio.com/x", False),
    ("ftp://api.twilio.com/x", False),
    ("file:///etc/passwd", False),
    ("", False),
    ("http://[::1", False),
])
def test_default_allow_list_is_twilios_hosts(url: str, allowed: bool, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from layanan.settings import load

    monkeypatch.delenv("TWILIO_MEDIA_HOSTS", raising=False)
    config = load({"INSTANCE_PATH": str(tmp_path), "TWILIO_ACCOUNT_SID": ACCOUNT_SID})
    assert (media_url_refusal(url, config) is None) is allowed


def test_an_entry_with_a_port_allows_only_that_port() -> None:
    config = {"TWILIO_MEDIA_HOSTS": "media.example:8443, other.example", "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
              "PUBLIC_BASE_URL": "http://localhost:5000"}
    assert media_url_refusal("https://media.example:8443/x", config) is None
    assert media_url_refusal("https://media.example/x", config) is not None  # port 443
    assert media_url_refusal("https://other.example:9999/x", config) is None


def test_the_simulators_own_host_only_in_outbox_mode() -> None:
    config = {"TWILIO_MEDIA_HOSTS": "api.twilio.com", "TWILIO_ACCOUNT_SID": None,
              "PUBLIC_BASE_URL": "http://localhost:5000"}
    assert media_url_refusal("http://localhost:5000/simulator/media/abc", config) is None
    assert media_url_refusal("http://localhost:5001/simulator/media/abc", config) is not None
    config["TWILIO_ACCOUNT_SID"] = ACCOUNT_SID
    assert media_url_refusal("http://localhost:5000/simulator/media/abc", config) is not None
