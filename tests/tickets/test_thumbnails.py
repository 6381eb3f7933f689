"""Staff see bounded thumbnails made on the server, never the citizen's original image, on the ticket page."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from sqlmodel import select

from layanan.images import THUMBNAIL_PX
from tests.support.media_server import image_bytes, pdf_bytes, png_claiming
from tests.tickets.conftest import login, make_attachment, make_staff, make_ticket
from tickets.audit import AuditAction, AuditRecord


def test_the_ticket_page_shows_a_thumbnail_no_larger_than_480_px(app, http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "data_lifter")
    ticket = make_ticket(session)
    photo = make_attachment(session, app.config["MEDIA_PATH"], ticket, image_bytes("JPEG", 3000, 2000), "image/jpeg")
    login(http, "data-lifter")
    page = http.get(f"/tiket/{ticket.number}").text
    original = f"/tiket/{ticket.number}/lampiran/{photo.id}"
    assert f'<img src="{original}/kecil"' in page and f'<img src="{original}"' not in page

    small = http.get(f"{original}/kecil")
    assert small.status_code == 200
    assert small.headers["Content-Type"] == "image/jpeg"
    assert small.headers["Cache-Control"] == "private, no-store"
    with Image.open(io.BytesIO(small.content)) as image:
        assert image.size == (THUMBNAIL_PX, THUMBNAIL_PX * 2 // 3)
    kept = Path(app.config["MEDIA_PATH"]) / "thumbnails" / photo.sha256[:2] / f"{photo.sha256}.jpg"
    assert kept.read_bytes() == small.content
    session.expire_all()
    seen = session.exec(select(AuditRecord).where(AuditRecord.action == AuditAction.VIEW_ATTACHMENT)).all()
    assert [(r.ticket_id, r.detail) for r in seen] == [(ticket.id, f"{original}/kecil")]


def test_the_thumbnail_follows_the_attachments_access_rule(app, http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "data_lifter")
    make_staff(session, "sorter")
    ticket = make_ticket(session)
    other = make_ticket(session, phone="+6285212345678")
    photo = make_attachment(session, app.config["MEDIA_PATH"], ticket, image_bytes("PNG", 600, 400), "image/png")
    foreign = make_attachment(session, app.config["MEDIA_PATH"], other, image_bytes("PNG", 60, 40), "image/png")
    pdf = make_attachment(session, app.config["MEDIA_PATH"], ticket, pdf_bytes(), "application/pdf")
    thumb = f"/tiket/{ticket.number}/lampiran/{photo.id}/kecil"

    assert http.get(thumb, allow_redirects=False).status_code in (302, 303)  # not logged in
    login(http, "sorter")
    assert http.get(thumb).status_code == http.get(thumb.removesuffix("/kecil")).status_code == 403
    http.cookies.clear()
    login(http, "data-lifter")
    assert http.get(thumb).status_code == 200
    assert http.get(f"/tiket/{ticket.number}/lampiran/{foreign.id}/kecil").status_code == 404
    assert http.get(f"/tiket/{ticket.number}/lampiran/{pdf.id}/kecil").status_code == 404


def test_no_thumbnail_is_decoded_for_an_image_stored_before_the_limit(app, http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "data_lifter")
    ticket = make_ticket(session)
    bomb = make_attachment(session, app.config["MEDIA_PATH"], ticket, png_claiming(10_000, 10_000), "image/png")
    login(http, "data-lifter")
    assert http.get(f"/tiket/{ticket.number}/lampiran/{bomb.id}/kecil").status_code == 404
    assert not (Path(app.config["MEDIA_PATH"]) / "thumbnails").exists()
