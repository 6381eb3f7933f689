"""An image with more pixels than staff pages may show is refused on download, and the citizen told why."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from bot.catalogue import render
from tests.bot.test_whatsapp_intake import file_request_until_documents, outbox
from tests.support.media_server import MediaServer, image_bytes, png_claiming
from tests.support.whatsapp import Phone
from tickets.constants import AttachmentStatus
from tickets.messages import Attachment


def test_a_10000_by_10000_png_is_refused_and_the_citizen_told(app, phone: Phone, session,
                                                               media_server: MediaServer, run_jobs) -> None:  # type: ignore[no-untyped-def]
    file_request_until_documents(phone)
    phone.say(media=[(media_server.add("bom.png", png_claiming(10_000, 10_000), "image/png"), "image/png")])
    run_jobs()
    session.expire_all()
    attachment = session.exec(select(Attachment)).one()
    assert attachment.status == AttachmentStatus.REFUSED
    assert "10000 × 10000 piksel" in (attachment.reason or "") and attachment.storage_path is None
    assert not [p for p in Path(app.config["MEDIA_PATH"]).rglob("*") if p.is_file()]
    [notice] = outbox(app)
    assert notice["body"] == render("media_refused_pixels", limit="40")
    assert "40 megapiksel" in notice["body"]


def test_the_limit_is_a_setting(app, phone: Phone, session, media_server: MediaServer, run_jobs) -> None:  # type: ignore[no-untyped-def]
    app.config["MEDIA_MAX_MEGAPIXELS"] = 0.5
    file_request_until_documents(phone)
    phone.say(media=[(media_server.add("a.png", image_bytes("PNG", 800, 600), "image/png"), "image/png")])
    phone.say(media=[(media_server.add("b.png", image_bytes("PNG", 1000, 600), "image/png"), "image/png")])
    run_jobs()
    session.expire_all()
    statuses = [a.status for a in session.exec(select(Attachment).order_by(Attachment.id)).all()]
    assert statuses == [AttachmentStatus.STORED, AttachmentStatus.REFUSED]
    assert "0.5 megapiksel" in outbox(app)[0]["body"]


def test_an_image_whose_header_cannot_be_read_is_not_kept(app, phone: Phone, session, media_server: MediaServer,
                                                          run_jobs) -> None:  # type: ignore[no-untyped-def]
    file_request_until_documents(phone)
    broken = b"\x89PNG\r\n\x1a\n" + b"\x00" * 400
    phone.say(media=[(media_server.add("rusak.png", broken, "image/png"), "image/png")])
    run_jobs()
    session.expire_all()
    attachment = session.exec(select(Attachment)).one()
    assert attachment.status == AttachmentStatus.REFUSED and "tidak dapat dibaca" in (attachment.reason or "")
    assert outbox(app)[0]["body"] == render("media_download_failed")
