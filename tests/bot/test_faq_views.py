"""The FAQ page: staff who answer citizens keep the bot's answers, and the bot answers with the edit."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot import faq_store
from bot.conversation import Incoming, State, handle
from bot.faq_store import FaqAnswer
from routing.definition import RoleDuty
from routing.workflows import roles_with_duty
from tests.tickets.conftest import csrf_token, login, make_staff


def test_staff_who_answer_citizens_edit_an_answer_and_the_bot_gives_it(http, session) -> None:  # type: ignore[no-untyped-def]
    role = roles_with_duty(RoleDuty.ANSWER_CITIZENS)[0]
    make_staff(session, role, username="penjawab")
    login(http, "penjawab")
    page = http.get("/faq")
    assert page.status_code == 200 and "Jam buka kantor" in page.text
    row = session.exec(select(FaqAnswer).where(FaqAnswer.title == "Biaya")).one()
    form = http.get(f"/faq/{row.id}").text
    fields = {"csrf_token": csrf_token(form), "title": "Biaya", "position": "2", "active": "1"}
    refused = http.post(f"/faq/{row.id}", data={**fields, "variants": "bayar", "answer": "Gratis {harga}"},
                        allow_redirects=False)
    assert refused.status_code == 422 and "{harga}" in refused.text
    saved = http.post(f"/faq/{row.id}", data={**fields, "variants": "bayar\nbiaya\nnyogok",
                                              "answer": "Semua layanan *GRATIS*. {jam_buka}"}, allow_redirects=False)
    assert saved.status_code == 303
    session.expire_all()
    knowledge = faq_store.knowledge(session)
    now = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    outcome = handle(State(), Incoming(body="harus nyogok ga min?", media=(), now=now, key="SM1"), frozenset(),
                     knowledge)
    assert outcome.replies[0].startswith("Semua layanan *GRATIS*. Senin-Jumat")


def test_the_faq_page_is_closed_to_other_roles(http, session) -> None:  # type: ignore[no-untyped-def]
    answering = set(roles_with_duty(RoleDuty.ANSWER_CITIZENS))
    other = next(role for role in roles_with_duty(RoleDuty.SIGN) if role not in answering)
    make_staff(session, other, username="penanda-tangan")
    login(http, "penanda-tangan")
    assert http.get("/faq", allow_redirects=False).status_code == 403
