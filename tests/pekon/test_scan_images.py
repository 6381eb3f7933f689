"""Village scans: an image with too many pixels is refused, and the pages show bounded thumbnails."""

from __future__ import annotations

import io
import re
from html import unescape

import requests
from PIL import Image
from sqlmodel import Session, col, select

from layanan.images import THUMBNAIL_PX
from tests.pekon.conftest import OPERATOR, citizen_fields, post_form, step_values, submitter_roles, village_definition
from tests.support.media_server import image_bytes, png_claiming
from tests.tickets.conftest import login, make_staff
from tickets.messages import Attachment


def _operators(session: Session) -> None:
    roles = submitter_roles(village_definition())
    make_staff(session, *roles, username=OPERATOR)
    make_staff(session, *roles, username="aparat-pekon-lain")


def test_a_scan_with_too_many_pixels_is_refused_with_the_reason(http: requests.Session, session: Session) -> None:
    _operators(session)
    login(http, OPERATOR)
    form = http.get("/pekon/baru")
    typed = {**citizen_fields(), **step_values(village_definition(), submitter_roles(village_definition()))}
    refused = post_form(http, form.text, typed, [("ktp.png", png_claiming(10_000, 10_000), "image/png")])
    assert refused.status_code == 422
    assert "ktp.png</strong>: resolusi gambar terlalu besar (10000 × 10000 piksel" in unescape(refused.text)
    assert session.exec(select(Attachment)).first() is None


def test_the_form_shows_a_thumbnail_only_to_the_operator_who_uploaded(http: requests.Session,
                                                                      session: Session) -> None:
    _operators(session)
    login(http, OPERATOR)
    form = http.get("/pekon/baru")
    page = post_form(http, form.text, {"nik": "1"}, [("kk.jpg", image_bytes("JPEG", 1600, 1200), "image/jpeg")]).text
    scan_id = session.exec(select(Attachment.id).where(col(Attachment.draft_id).is_not(None))).one()
    assert f'<img src="/pekon/berkas/{scan_id}/kecil"' in page
    assert not re.search(rf'<img src="/pekon/berkas/{scan_id}"', page)
    small = http.get(f"/pekon/berkas/{scan_id}/kecil")
    assert small.status_code == 200 and small.headers["Cache-Control"] == "private, no-store"
    with Image.open(io.BytesIO(small.content)) as image:
        assert image.size == (THUMBNAIL_PX, THUMBNAIL_PX * 3 // 4)

    http.cookies.clear()
    login(http, "aparat-pekon-lain")
    assert http.get(f"/pekon/berkas/{scan_id}/kecil").status_code == 404
