"""A text message that only gets replies is answered without holding its conversation, exactly as the turn
that holds it would answer it. PostgreSQL only: other databases always take the turn that holds the lock."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from bot import intake, unlocked_turn
from tests.conftest import TEST_DATABASE_URL
from tests.support.whatsapp import Phone
from tickets.messages import Conversation, Message
from tickets.models import Ticket

pytestmark = pytest.mark.skipif(not TEST_DATABASE_URL, reason="the turn without the lock is PostgreSQL's")

# A greeting, a service chosen, back to the menu, a status check (a read), a FAQ question and a request
# for a person (a log line and the help desk's waiting time).
SCRIPT = ["halo", "setuju", "1", "2", "menu", "status PGD-2026-000001", "apa syarat KIA?", "bantuan"]


def _locked_turns(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The numbers whose message the turn that holds the lock took, one entry a message."""
    taken: list[str] = []
    turn = intake._turn

    def counted(session: Any, inbound: intake.Inbound, *rest: Any) -> list[str]:
        taken.append(inbound.phone)
        return turn(session, inbound, *rest)

    monkeypatch.setattr(intake, "_turn", counted)
    return taken


def test_a_text_message_answered_without_the_lock_gets_what_the_locked_turn_gives(phone: Phone, session,  # type: ignore[no-untyped-def]
                                                                                  monkeypatch) -> None:
    unlocked, locked = (Phone(phone.base_url, phone.auth_token, number=n) for n in ("+6281211120001", "+6281211120002"))
    taken = _locked_turns(monkeypatch)
    answer = unlocked_turn.answer

    def only_for_the_first(engine: Any, message: dict[str, Any], *args: Any) -> list[str] | None:
        return answer(engine, message, *args) if message["phone"] == unlocked.number else None

    monkeypatch.setattr(unlocked_turn, "answer", only_for_the_first)
    for body in SCRIPT:
        assert unlocked.send(body) == locked.send(body), body

    # Only the number's first message holds the lock: it creates the conversation.
    assert taken.count(unlocked.number) == 1 and taken.count(locked.number) == len(SCRIPT)
    rows = {c.phone: c for c in session.exec(select(Conversation))}
    first, second = rows[unlocked.number], rows[locked.number]
    assert (first.state, first.data, first.misses, first.needs_human) == \
        (second.state, second.data, second.misses, second.needs_human)
    assert first.needs_human and first.human_requested_at is not None, "the help desk sees how long it waits"
    for number in (unlocked.number, locked.number):
        stored = session.exec(select(Message).where(Message.phone == number).order_by(Message.id)).all()
        assert [m.body for m in stored] == SCRIPT and all(m.reply is not None for m in stored)


def test_a_redelivery_answered_without_the_lock_repeats_the_replies_and_changes_nothing(phone: Phone, session,  # type: ignore[no-untyped-def]
                                                                                        monkeypatch) -> None:
    for body in SCRIPT[:3]:
        phone.send(body)
    sid = "SM" + "7" * 32
    first = phone.send("menu", sid=sid)
    before = session.exec(select(Conversation).where(Conversation.phone == phone.number)).one()
    state = (before.state, before.data, before.misses, before.updated_at)
    taken = _locked_turns(monkeypatch)

    assert phone.send("menu", sid=sid) == first
    session.expire_all()
    after = session.exec(select(Conversation).where(Conversation.phone == phone.number)).one()
    assert (after.state, after.data, after.misses, after.updated_at) == state
    assert len(session.exec(select(Message).where(Message.twilio_sid == sid)).all()) == 1
    assert taken == [], "read and answered in one statement"


COMPLAINT = ["halo", "3", "1", "Jalan rusak di depan kantor desa sudah dua bulan", "kota agung", "lewati", "lewati",
             "tidak"]


def test_a_declined_turn_moved_meanwhile_is_read_again_under_the_lock(phone: Phone, session,  # type: ignore[no-untyped-def]
                                                                      monkeypatch) -> None:
    """A complaint's "ya" creates a ticket, so the turn without the lock declines it and hands the turn that
    holds the lock what it read. When another turn moved the conversation in between (here, back to the
    start, as "menu" would), that read no longer holds: the message is answered from the state now stored,
    and no ticket is created from the old one."""
    for body in COMPLAINT:
        phone.send(body)
    answer = unlocked_turn.answer

    def moved_after_the_read(*args: Any) -> Any:
        declined = answer(*args)
        assert isinstance(declined, unlocked_turn.Declined), "the confirmation is declined without the lock"
        with session.get_bind().begin() as connection:
            connection.exec_driver_sql("UPDATE conversation SET state = 'start', data = '{}', misses = 0 "
                                       "WHERE phone = %(phone)s", {"phone": phone.number})
        return declined

    monkeypatch.setattr(unlocked_turn, "answer", moved_after_the_read)
    replies = phone.send("ya")
    monkeypatch.setattr(unlocked_turn, "answer", answer)

    at_the_start = Phone(phone.base_url, phone.auth_token, number="+6281211120003")
    at_the_start.send("halo")  # greeted, at the start
    assert replies == at_the_start.send("ya"), "answered as at the start, where the other turn left it"
    assert session.exec(select(Ticket)).all() == [], "no ticket from the state read before"
