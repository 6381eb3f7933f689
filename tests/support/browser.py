"""Chromium pages for the browser tests, logged in the way staff log in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from playwright.sync_api import expect

from tests.tickets.conftest import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

# Web-first assertions wait up to this long for what an action changes: the suite runs on two workers sharing
# two cores, where a page or a swap takes seconds more than the default five.
expect.set_options(timeout=20_000)

DESK = 1280
PHONE = 360
# The screen heights the tests photograph at: a desk monitor and a common Android phone.
HEIGHTS = {DESK: 900, PHONE: 740}


def username_of(role: str | None) -> str:
    """The username `make_staff` gives the account of a role (`upt_officer` -> `upt-officer`)."""
    return str(role).replace("_", "-")


def logged_in_page(browser: Browser, base: str, username: str, *, width: int = DESK, height: int | None = None,
                   password: str = PASSWORD, **context_options: Any) -> Page:
    """A Chromium page in a context of its own, logged in as `username` through the login form at `width` px;
    it returns once the landing page has loaded whole (stylesheets applied, htmx in charge of its forms).
    Close it with `page.context.close()`."""
    viewport = {"width": width, "height": height or HEIGHTS.get(width, 900)}
    page = browser.new_context(viewport=viewport, **context_options).new_page()
    page.goto(f"{base}/masuk")
    page.fill("#username", username)
    page.fill("#password", password)
    # A click only starts the navigation: without waiting for it, the caller's next step could act on the
    # login page, or measure the landing page before its stylesheets applied.
    with page.expect_navigation(wait_until="load"):
        page.click("button[type=submit]")
    assert "/masuk" not in page.url, f"login as {username!r} refused: {page.inner_text('body')[:300]}"
    return page


def click_and_wait(page: Page, target: str | Locator) -> None:
    """Click what submits a form or follows a link (a selector or a locator), and wait until the page it leads
    to has loaded: read straight after the click, the page may still be the old one, or none at all."""
    with page.expect_navigation(wait_until="load"):
        if isinstance(target, str):
            page.click(target)
        else:
            target.click()


def settled(page: Page) -> None:
    """Wait until htmx has settled what it swapped in; call it once a web-first assertion saw the swap's result.
    htmx gives the swapped-in forms and links their behaviour only as it settles (a timer later): clicked
    sooner, a form posts as a whole page instead of in place."""
    expect(page.locator(".htmx-added, .htmx-settling")).to_have_count(0)


def claim_in_place(page: Page, number: str) -> None:
    """Claim the open ticket with its action panel, and wait until the panel swapped in is ready for the next
    action (the claim's notice shown, htmx settled)."""
    page.click("form.action-claim button[type=submit]")
    expect(page.locator("#action-notice")).to_contain_text(f"Tiket {number} sekarang Anda kerjakan.")
    settled(page)
