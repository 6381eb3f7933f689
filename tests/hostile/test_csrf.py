"""Every state-changing form refuses a request without its CSRF token, and changes nothing.

The routes come from the app's own URL map, so a POST route added later is covered without
touching this test.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from tickets.messages import Message
from tests.hostile.conftest import concrete_path
from tickets.models import StageEvent, Ticket
from tickets.staff import StaffUser

# Callers that are not browsers, authenticated by something other than a session cookie.
SIGNED_BY_TWILIO = {"webhooks.whatsapp_inbound", "webhooks.whatsapp_status"}


def is_token_api(endpoint: str) -> bool:
    """Blueprints of the token API ("api", "call_center_api"): a browser's cookie opens nothing there."""
    return "api" in endpoint.split(".")[0].split("_")

FORM = {"action": "advance", "version": "1", "text": "pesan uji", "username": "penyusup",
        "full_name": "Penyusup", "password": "sandi-baru-123", "roles": "admin", "note": "catatan",
        "body": "halo", "phone": "+6281234567890"}


def _state(session) -> tuple:  # type: ignore[no-untyped-def]
    session.expire_all()
    ticket = session.exec(select(Ticket)).one()
    return (
        ticket.stage, ticket.version,
        session.exec(select(func.count()).select_from(StageEvent)).one(),
        session.exec(select(func.count()).select_from(Message)).one(),
        tuple((u.username, u.password_hash, u.active) for u in session.exec(select(StaffUser).order_by(StaffUser.id))),
    )


def test_every_post_route_without_a_token_is_refused(app, staff, session, ticket) -> None:  # type: ignore[no-untyped-def]
    staff_id = session.exec(select(StaffUser)).first().id
    before = _state(session)
    checked = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint in SIGNED_BY_TWILIO:
            continue
        path = concrete_path(app, rule.rule, ticket, staff_id, "+6281234567890")
        response = staff.post(path, data=FORM, allow_redirects=False)
        if is_token_api(rule.endpoint):
            assert response.status_code == 401, f"{path} accepted a cookie instead of an API token"
            continue
        assert response.status_code == 400, f"{path} answered {response.status_code} without a CSRF token"
        assert "token" in response.text.lower() and "CSRF token is missing" not in response.text, \
            f"{path} did not explain the refusal in Indonesian"
        checked.append(rule.endpoint)
    assert _state(session) == before, "a request without a token changed something"
    assert {"auth.login", "auth.logout", "backoffice.ticket_action", "admin.staff_create"} <= set(checked)


def test_a_token_from_another_session_is_refused(app, staff, http, session, ticket) -> None:  # type: ignore[no-untyped-def]
    from tests.tickets.conftest import csrf_token

    foreign = csrf_token(http.get("/masuk").text)  # an anonymous visitor's own token
    before = _state(session)
    response = staff.post(f"/tiket/{ticket.number}/aksi", data={**FORM, "csrf_token": foreign})
    assert response.status_code == 400
    assert _state(session) == before


def test_webhooks_take_no_cookie_but_need_twilios_signature(app, staff, session) -> None:  # type: ignore[no-untyped-def]
    for path in ("/webhooks/whatsapp", "/webhooks/whatsapp/status"):
        assert staff.post(path, data={"MessageSid": "SM" + "a" * 32, "From": "whatsapp:+6281234567890",
                                      "Body": "halo"}).status_code == 403
    assert session.exec(select(func.count()).select_from(Message)).one() == 0
