"""The back office's top bar at 1280 px: the navigation keeps to one line of its own, and the administrator's
links fit in it (measured with the DejaVu Sans metrics Chromium uses here for system-ui)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from PIL import ImageFont
from sqlmodel import Session

from tests.tickets.conftest import login, make_staff
from tickets.accounts import ADMIN_ROLE

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
WIDTH, PADDING, ROOT_PX = 1280, 16, 16  # the viewport, header.top's side padding, 1rem


def nav_rule(html: str) -> dict[str, str]:
    """The declarations of `header.top nav` inside the wide-screen media query that holds them."""
    media = re.search(r"@media \(min-width: (\d+)px\) \{\s*header\.top nav \{([^}]*)\}", html)
    assert media, "no wide-screen rule for the navigation"
    assert int(media.group(1)) <= WIDTH
    return {k.strip(): v.strip() for k, v in (d.split(":", 1) for d in media.group(2).split(";") if ":" in d)}


def rem(value: str) -> float:
    assert value.endswith("rem"), value
    return float(value[:-3]) * ROOT_PX


@pytest.mark.skipif(not FONT.exists(), reason="DejaVu Sans is not installed")
def test_the_admin_navigation_is_one_line_that_fits_at_1280_px(session: Session, http: requests.Session) -> None:
    make_staff(session, ADMIN_ROLE, full_name="Demo Administrator")
    page = login(http, "admin").text
    rule = nav_rule(page)
    assert rule["flex-wrap"] == "nowrap" and rule["white-space"] == "nowrap" and rule["flex"] == "1 0 100%"
    nav = page[page.index("<nav>"):page.index("</nav>")]
    links = [re.sub(r"<[^>]+>", "", a).strip() for a in re.findall(r"<a [^>]*>.*?</a>", nav, flags=re.S)]
    assert len(links) >= 8
    font = ImageFont.truetype(str(FONT), 100)
    size = rem(rule["font-size"])
    needed = sum(font.getlength(text) for text in links) * size / 100 + rem(rule["gap"]) * (len(links) - 1)
    assert needed <= WIDTH - 2 * PADDING, f"{needed:.0f} px of links in {WIDTH - 2 * PADDING} px: {links}"
