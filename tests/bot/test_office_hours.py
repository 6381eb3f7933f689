"""The bot tells the truth about time: outside working hours a reply promising a person says when the office
opens next, from the working calendar (weekends and holidays skipped)."""

from __future__ import annotations

from datetime import datetime

from bot import conversation
from bot.office_hours import closed_until, opening_words
from layanan.clock import WIB


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


def test_on_a_saturday_the_office_opens_on_monday_morning() -> None:
    opening = closed_until(wib(2026, 12, 5, 10, 0))  # Saturday
    assert opening is not None and opening_words(opening) == "Senin, 7 Desember 2026 pukul 08.00 WIB"


def test_before_christmas_the_holidays_and_the_weekend_are_skipped() -> None:
    # Wednesday evening; Thursday is cuti bersama, Friday Christmas, then the weekend.
    opening = closed_until(wib(2026, 12, 23, 17, 30))
    assert opening is not None and opening_words(opening) == "Senin, 28 Desember 2026 pukul 08.00 WIB"


def test_early_on_a_working_day_it_opens_the_same_morning_and_while_open_nothing_is_said() -> None:
    opening = closed_until(wib(2026, 12, 8, 6, 45))
    assert opening is not None and opening_words(opening) == "Selasa, 8 Desember 2026 pukul 08.00 WIB"
    assert closed_until(wib(2026, 12, 8, 10, 0)) is None


def test_asking_for_a_person_on_a_saturday_says_when_the_office_opens() -> None:
    now = wib(2026, 12, 5, 10, 0)
    incoming = conversation.Incoming(body="bantuan", media=(), now=now, key="SM1", office_opens=closed_until(now))
    [reply] = conversation.handle(conversation.State(), incoming).replies
    assert "Kantor buka kembali Senin, 7 Desember 2026 pukul 08.00 WIB" in reply

    waiting = conversation.handle(conversation.handle(conversation.State(), incoming).state,
                                  conversation.Incoming(body="halo?", media=(), now=now, key="SM2",
                                                        office_opens=closed_until(now)))
    assert any("Kantor buka kembali Senin, 7 Desember 2026" in r for r in waiting.replies)


def test_during_working_hours_the_promise_is_unchanged() -> None:
    now = wib(2026, 12, 8, 10, 0)
    incoming = conversation.Incoming(body="bantuan", media=(), now=now, key="SM1", office_opens=closed_until(now))
    [reply] = conversation.handle(conversation.State(), incoming).replies
    assert "Kantor buka kembali" not in reply and "petugas" in reply
