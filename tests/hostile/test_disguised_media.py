"""Files are judged by their bytes, not by the name or content type the sender claims: a program
dressed as a photo is refused, never stored, and the citizen is told why."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import select

from tickets.messages import Attachment
from tests.support.media_server import MediaServer, jpeg_bytes
from tests.support.whatsapp import Phone
from tickets.constants import AttachmentStatus

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 4000
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 4000
HTML_PAGE = b"<html><script>alert(1)</script></html>" + b" " * 100


def _to_documents_step(phone: Phone) -> None:
    for text in ("halo", "1", "2", "1806014505900001", "Siti Aminah", "kota agung"):
        phone.say(text)


def _outbox_texts(app) -> list[str]:  # type: ignore[no-untyped-def]
    folder = Path(app.config["OUTBOX_PATH"])
    return [json.loads(p.read_text())["body"] for p in sorted(folder.glob("*.json"))] if folder.exists() else []


def test_executables_named_as_photos_are_refused_and_the_citizen_told(
        app, phone: Phone, session, media_server: MediaServer, run_jobs) -> None:  # type: ignore[no-untyped-def]
    _to_documents_step(phone)
    phone.say(media=[
        (media_server.add("foto-ktp.jpg", ELF, "image/jpeg"), "image/jpeg"),
        (media_server.add("kk.jpg", WINDOWS_EXE, "image/jpeg"), "image/jpeg"),
        (media_server.add("akta.pdf", HTML_PAGE, "application/pdf"), "application/pdf"),
        (media_server.add("asli.jpg", jpeg_bytes(3000), "image/jpeg"), "image/jpeg"),
    ])
    run_jobs()

    session.expire_all()
    attachments = session.exec(select(Attachment).order_by(Attachment.media_index)).all()
    assert [a.status for a in attachments] == [AttachmentStatus.REFUSED] * 3 + [AttachmentStatus.STORED]
    assert all(a.storage_path is None for a in attachments[:3])
    stored = [p for p in Path(app.config["MEDIA_PATH"]).rglob("*") if p.is_file()]
    assert [p.name for p in stored] == [attachments[3].sha256], "only the real photo reached the disk"
    refusals = [t for t in _outbox_texts(app) if "tidak bisa kami terima" in t]
    assert len(refusals) == 3, _outbox_texts(app)


def test_a_declared_executable_is_refused_without_downloading_it(
        app, phone: Phone, session, media_server: MediaServer, run_jobs) -> None:  # type: ignore[no-untyped-def]
    _to_documents_step(phone)
    url = media_server.add("setup.exe", WINDOWS_EXE, "application/x-msdownload")
    phone.say(media=[(url, "application/x-msdownload")])
    run_jobs()
    assert session.exec(select(Attachment)).one().status == AttachmentStatus.REFUSED
    assert not [r for r in media_server.requests if r[0] == "GET"], "a refused type is never fetched"


def test_a_file_beyond_the_size_limit_is_refused_and_not_stored(
        app, phone: Phone, session, media_server: MediaServer, run_jobs) -> None:  # type: ignore[no-untyped-def]
    app.config["MEDIA_MAX_BYTES"] = 64 * 1024
    _to_documents_step(phone)
    served = media_server.add("besar.jpg", jpeg_bytes(200 * 1024), "image/jpeg")
    phone.say(media=[(served, "image/jpeg")])
    run_jobs()
    session.expire_all()
    attachment = session.exec(select(Attachment)).one()
    assert attachment.status == AttachmentStatus.REFUSED
    assert not [p for p in Path(app.config["MEDIA_PATH"]).rglob("*") if p.is_file()]
    assert any("terlalu besar" in t for t in _outbox_texts(app))
