"""Any sequence of messages, from anyone, at any pace: every one gets an answer, none raises, and
the state stays storable."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.bench_conversation import knowledge
from bot.conversation import (
    AnswerSurvey,
    AttachToCallTicket,
    CreateTicket,
    DeliverToWaitingTicket,
    GiveVerdict,
    Incoming,
    MediaItem,
    NoticePrivacy,
    Pending,
    PendingEffect,
    QueryStatus,
    ResendDocument,
    ResumeWaitingPdf,
    State,
    Step,
    handle,
    is_command,
    read_verdict,
)

# Effects whose reply the caller writes (ticket number, status, the resent PDF, what waited on the number).
ANSWERED_BY_CALLER = (CreateTicket, QueryStatus, ResendDocument, ResumeWaitingPdf, DeliverToWaitingTicket,
                      AttachToCallTicket, GiveVerdict, AnswerSurvey, NoticePrivacy)

WORDS = ["halo", "1", "2", "3", "4", "8", "0", "menu", "batal", "bantuan", "status", "ya", "tidak", "selesai",
         "lewati", "kirim ulang PGD-2026-000001", "status PGD-2026-000123", "1806014505900001",
         "1806 0145 0590 0001", "3171234567890123", "Siti Aminah", "kota agung", "pugung", "talang padang",
         "Jalan rusak di depan kantor desa sudah dua bulan", "🙏", "", " ", "PGD-2026-", "99", "-1",
         "<script>alert(1)</script>", "' OR 1=1 --", "\x00", "a" * 5000,
         "pungli", "petugas lambat", "pgd 2026 123", "PGD-2026-000001", "tidak ada", "rahasiakan", "jangan",
         "jam buka?", "bayar gak", "syarat ktp", "ambil di kota agung b", "mw bikin kk nik 1806015708900001 nama Siti",
         "kec kota agung b", "kota ag", "akta nikah", "Hello I need help please", "nama saya 😊", "satu", "sepuluh"]
CONTENT_TYPES = ["image/jpeg", "image/png", "application/pdf", "video/mp4", "application/x-msdownload", "", "text/html",
                 "audio/ogg", "image/webp"]

SEEDED = knowledge()[0]  # the FAQ as migration 0013 seeds it, with the calendar and every UPT
texts = st.one_of(st.sampled_from(WORDS), st.text(max_size=300))
media = st.lists(st.builds(MediaItem, st.sampled_from(CONTENT_TYPES), st.booleans()), max_size=3).map(tuple)
gaps = st.sampled_from([timedelta(seconds=1), timedelta(minutes=5), timedelta(hours=23), timedelta(hours=25),
                        timedelta(days=40), timedelta(0)])
messages = st.lists(st.tuples(texts, media, gaps), min_size=1, max_size=25)
waiting_sets = st.sets(st.sampled_from(list(Pending))).map(frozenset)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages, waiting_sets)
def test_every_message_gets_a_reply_and_the_state_survives_storage(sequence, waiting) -> None:  # type: ignore[no-untyped-def]
    state = State()
    now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    for index, (body, items, gap) in enumerate(sequence):
        now += gap
        incoming = Incoming(body=body, media=items, now=now, key=f"SM{index:032d}", location=index % 7 == 6)
        outcome = handle(state, incoming, waiting, SEEDED)
        assert outcome.replies or any(isinstance(e, ANSWERED_BY_CALLER) for e in outcome.effects), \
            f"no reply to {body!r} in {state.name}"
        assert all(isinstance(r, str) and r.strip() for r in outcome.replies)
        assert all(len(r) <= 4096 for r in outcome.replies), "WhatsApp cuts messages beyond 4096 characters"
        stored = json.loads(json.dumps(outcome.state.to_dict()))  # what the JSON column keeps
        state = State.from_dict(stored)
        assert state.name in {s.value for s in Step}


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


# --- What waits on the number comes first, in a fixed order -------------------------------------------

states = st.builds(State, name=st.sampled_from([s.value for s in Step]), misses=st.integers(0, 3),
                   updated_at=st.just(datetime(2026, 3, 2, 0, 50, tzinfo=UTC)), needs_human=st.booleans())
NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@settings(max_examples=400, deadline=None)
@given(states, texts, media, waiting_sets)
def test_pending_matters_take_the_message_in_their_order(state, body, items, waiting) -> None:  # type: ignore[no-untyped-def]
    incoming = Incoming(body=body, media=items, now=NOW, key="SM1")
    outcome = handle(state, incoming, waiting)
    command, at_start = is_command(body), state.name == Step.START.value
    if Pending.PRIVACY in waiting:
        # The privacy notice follows whatever answers the message without it, once.
        without = handle(state, incoming, waiting - {Pending.PRIVACY})
        notice = [] if NoticePrivacy() in without.effects else [NoticePrivacy()]
        assert outcome.effects == [*without.effects, *notice]
        assert outcome.replies == without.replies and outcome.state == without.state
        return
    pending = [e for e in outcome.effects if isinstance(e, PendingEffect)]
    # Pending effects come first, never twice, and only for what waits.
    assert outcome.effects[:len(pending)] == pending
    assert len({type(e) for e in pending}) == len(pending)
    assert {e.kind for e in pending} <= waiting

    if Pending.PDF in waiting:
        # Any message re-opens the 24-hour window: the waiting PDF always goes out.
        assert isinstance(pending[0], ResumeWaitingPdf)
        if at_start and not items and not command:
            assert outcome.effects == [ResumeWaitingPdf(answers=True)]
            assert outcome.state == state and outcome.replies == []
            return
        assert pending[0] == ResumeWaitingPdf(answers=False)
    takers = [e for e in pending if e.answers]
    if Pending.DOCUMENT in waiting and not command:
        assert takers == [DeliverToWaitingTicket()]
    elif Pending.SURVEY in waiting and not command:
        assert takers == [AnswerSurvey()]
    elif Pending.VERDICT in waiting and not command and at_start and read_verdict(body) is not None:
        assert takers == [GiveVerdict()]
    elif Pending.CALL in waiting and not command and at_start:
        assert takers == [AttachToCallTicket()]
    else:
        assert takers == []
    if takers:
        # A matter that takes the message answers it alone and leaves the conversation where it was.
        assert outcome.effects[-1] == takers[0] and outcome.replies == [] and outcome.state == state
    else:
        # Otherwise the bot answers as if nothing waited (after a silent PDF).
        plain = handle(state, incoming)
        assert outcome.replies == plain.replies and outcome.state == plain.state
        assert outcome.effects[len(pending):] == plain.effects


@settings(max_examples=200, deadline=None)
@given(states, texts, media, waiting_sets)
def test_a_command_is_never_taken_by_a_pending_matter(state, body, items, waiting) -> None:  # type: ignore[no-untyped-def]
    command = f"status PGD-2026-{len(body) + 1:06d}" if not is_command(body) else body
    outcome = handle(state, Incoming(body=command, media=items, now=NOW, key="SM1"), waiting)
    assert not any(isinstance(e, (DeliverToWaitingTicket, AttachToCallTicket)) for e in outcome.effects)
    assert not any(isinstance(e, ResumeWaitingPdf) and e.answers for e in outcome.effects)
