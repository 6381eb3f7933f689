"""Any sequence of messages, from anyone, at any pace: every one gets an answer, none raises, and
the state stays storable."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import conversation
from bot.conversation import CreateTicket, Incoming, MediaItem, QueryStatus, ResendDocument, State, handle

# Effects whose reply the caller writes (ticket number, status, the resent PDF).
ANSWERED_BY_CALLER = (CreateTicket, QueryStatus, ResendDocument)

WORDS = ["halo", "1", "2", "3", "4", "8", "0", "menu", "batal", "bantuan", "status", "ya", "tidak", "selesai",
         "lewati", "kirim ulang PGD-2026-000001", "status PGD-2026-000123", "1806014505900001",
         "1806 0145 0590 0001", "3171234567890123", "Siti Aminah", "kota agung", "pugung", "talang padang",
         "Jalan rusak di depan kantor desa sudah dua bulan", "🙏", "", " ", "PGD-2026-", "99", "-1",
         "<script>alert(1)</script>", "' OR 1=1 --", "\x00", "a" * 5000]
CONTENT_TYPES = ["image/jpeg", "image/png", "application/pdf", "video/mp4", "application/x-msdownload", "", "text/html"]

texts = st.one_of(st.sampled_from(WORDS), st.text(max_size=300))
media = st.lists(st.builds(MediaItem, st.sampled_from(CONTENT_TYPES)), max_size=3).map(tuple)
gaps = st.sampled_from([timedelta(seconds=1), timedelta(minutes=5), timedelta(hours=23), timedelta(hours=25),
                        timedelta(days=40), timedelta(0)])
messages = st.lists(st.tuples(texts, media, gaps), min_size=1, max_size=25)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages)
def test_every_message_gets_a_reply_and_the_state_survives_storage(sequence) -> None:  # type: ignore[no-untyped-def]
    state = State()
    now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    for index, (body, items, gap) in enumerate(sequence):
        now += gap
        outcome = handle(state, Incoming(body=body, media=items, now=now, key=f"SM{index:032d}"))
        assert outcome.replies or any(isinstance(e, ANSWERED_BY_CALLER) for e in outcome.effects), \
            f"no reply to {body!r} in {state.name}"
        assert all(isinstance(r, str) and r.strip() for r in outcome.replies)
        assert all(len(r) <= 4096 for r in outcome.replies), "WhatsApp cuts messages beyond 4096 characters"
        stored = json.loads(json.dumps(outcome.state.to_dict()))  # what the JSON column keeps
        state = State.from_dict(stored)
        assert state.name in {s.value for s in conversation.Step}


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=10), st.one_of(st.none(), st.integers(), st.text(max_size=20),
                                                         st.lists(st.integers(), max_size=3)), max_size=6),
       st.text(max_size=20), st.integers(-5, 50), texts)
def test_a_corrupt_stored_state_is_recovered_not_fatal(data, name, misses, body) -> None:  # type: ignore[no-untyped-def]
    state = State(name=name, data=data, misses=misses, updated_at=datetime(2026, 3, 2, tzinfo=UTC))
    outcome = handle(state, Incoming(body=body, media=(), now=datetime(2026, 3, 2, 0, 5, tzinfo=UTC), key="SM1"))
    assert outcome.replies or any(isinstance(e, ANSWERED_BY_CALLER) for e in outcome.effects)


_numbers = iter(range(10**6))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(st.lists(st.tuples(texts, st.lists(st.sampled_from(CONTENT_TYPES), max_size=2)), min_size=1, max_size=12))
def test_through_the_stored_path_every_message_is_answered(session, sequence) -> None:  # type: ignore[no-untyped-def]
    """The same, with the database: tickets really created, statuses really looked up."""
    from bot import intake

    phone = f"+62812{next(_numbers):08d}"
    for index, (body, types) in enumerate(sequence):
        inbound = intake.Inbound(
            sid=f"SM{phone[1:]}{index:04d}x", phone=phone, body=body[: intake.MAX_BODY], profile_name=None,
            media=tuple(intake.InboundMedia(url=f"https://api.twilio.com/m/{index}/{i}", content_type=t)
                        for i, t in enumerate(types)))
        replies = intake.receive(session, inbound)
        assert replies and all(r.strip() for r in replies), f"no reply to {body!r}"
        assert intake.receive(session, inbound) == replies  # a redelivery gets the same answer
