"""The ticket generator: seeded and repeatable, histories that add up, numbering that carries on after it."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, func
from sqlmodel import Session, select

from bot.nik import parse_nik
from layanan.phone import normalize_phone
from routing import workflow
from routing.definition import Action
from layanan.clock import WIB
from routing.sla import default_calendar
from tests.tickets.conftest import login, make_staff, queue_numbers, valid_outputs
from tickets.generate import generate_tickets
from tickets.models import Applicant, NumberSequence, StageEvent, Ticket
from tickets.services import create_ticket
from tickets.workflow_service import act
from tests.support.workflows import TANGGAMUS

START = datetime(2026, 3, 2, tzinfo=WIB)
END = datetime(2026, 5, 1, tzinfo=WIB)  # in the past, so the horizon does not move between runs


def snapshot(session: Session) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """Everything the generator wrote, in a comparable form."""
    tickets = session.exec(select(Ticket.number, Ticket.service, Ticket.channel, Ticket.stage, Ticket.kecamatan_code,
                                  Ticket.created_at, Ticket.due_at, Ticket.registration_number)
                           .order_by(Ticket.id)).all()
    applicants = session.exec(select(Applicant.nik, Applicant.name, Applicant.phone).order_by(Applicant.id)).all()
    events = session.exec(select(StageEvent.ticket_id, StageEvent.action, StageEvent.to_stage, StageEvent.created_at)
                          .order_by(StageEvent.id)).all()
    return [tuple(t) for t in tickets], [tuple(a) for a in applicants], [tuple(e) for e in events]


def wipe(session: Session) -> None:
    for table in (StageEvent, Ticket, Applicant, NumberSequence):
        session.exec(delete(table))  # type: ignore[call-overload]
    session.commit()


def test_same_seed_same_data_other_seed_other_data(session) -> None:  # type: ignore[no-untyped-def]
    summary = generate_tickets(session, 120, start=START, end=END, seed=7, chunk_size=50)
    first = snapshot(session)
    wipe(session)
    generate_tickets(session, 120, start=START, end=END, seed=7, chunk_size=50)
    again = snapshot(session)
    wipe(session)
    generate_tickets(session, 120, start=START, end=END, seed=8, chunk_size=50)
    other = snapshot(session)

    assert summary.tickets == len(first[0]) == 120
    assert summary.events == len(first[2])
    assert first == again
    assert first[0] != other[0]


def test_histories_lead_to_the_stage_each_ticket_is_in(session) -> None:  # type: ignore[no-untyped-def]
    generate_tickets(session, 300, start=START, end=END, seed=3, chunk_size=70)
    definition = workflow(TANGGAMUS)
    waiting = definition.waiting_stage.key  # type: ignore[union-attr]
    calendar = default_calendar()
    events: dict[int, list[StageEvent]] = defaultdict(list)
    for event in session.exec(select(StageEvent).order_by(StageEvent.ticket_id, StageEvent.created_at, StageEvent.id)):
        events[event.ticket_id].append(event)
    tickets = session.exec(select(Ticket)).all()
    start_utc, end_utc = START.astimezone(UTC), END.astimezone(UTC)

    for ticket in tickets:
        history = events[ticket.id]
        assert history[0].action == "create" and history[0].to_stage == definition.first_stage.key
        assert history[0].created_at == ticket.created_at
        assert start_utc <= ticket.created_at < end_utc
        for before, after in zip(history, history[1:]):
            assert after.from_stage == before.to_stage, ticket.number
            assert after.created_at >= before.created_at
            assert after.created_at < end_utc  # nothing after the end of the period has happened yet
            if after.action == Action.ADVANCE:
                assert after.to_stage == definition.stage(before.to_stage).next
            if after.action not in (Action.CITIZEN_REPLIED, "create"):
                # Staff act in office hours on working days.
                assert calendar.next_opening(after.created_at) == after.created_at.astimezone(calendar.tz), \
                    (ticket.number, after.action, after.created_at)
        assert history[-1].to_stage == ticket.stage
        assert ticket.stage_entered_at == history[-1].created_at
        assert ticket.version == len(history)
        registered = any(e.from_stage == "counter_registration" and e.action == Action.ADVANCE for e in history)
        assert (ticket.registration_number is not None) == registered
        assert ticket.return_stage == (history[-1].from_stage if ticket.stage == waiting else None)
        assert ticket.overdue == (ticket.due_at is not None and ticket.due_at < end_utc)
        if definition.is_terminal(ticket.stage) or ticket.stage == waiting:
            assert ticket.due_at is None

    stages = {t.stage for t in tickets}
    assert {"done", "rejected", definition.first_stage.key} <= stages  # old ones finished, recent ones not
    assert any(t.overdue for t in tickets)
    numbers = [t.registration_number for t in tickets if t.registration_number]
    assert len(numbers) == len(set(numbers))


def test_applicants_have_valid_nik_and_phone_from_tanggamus(session) -> None:  # type: ignore[no-untyped-def]
    generate_tickets(session, 150, start=START, end=END, seed=5)
    applicants = session.exec(select(Applicant)).all()

    assert applicants
    for applicant in applicants:
        nik = parse_nik(applicant.nik or "")
        assert nik.in_tanggamus and nik.kecamatan is not None
        assert normalize_phone(applicant.phone) == applicant.phone
        assert applicant.name
    channels = set(session.exec(select(Ticket.channel)).all())
    assert channels == {"whatsapp", "call-center"}


def test_numbering_and_the_queue_carry_on_after_generation(session, http) -> None:  # type: ignore[no-untyped-def]
    generate_tickets(session, 200, start=START, end=END, seed=11)
    last_seq = session.exec(select(func.max(Ticket.seq)).where(Ticket.year == 2026)).one()
    last_registration = session.exec(select(NumberSequence.value).where(
        NumberSequence.name == "registration", NumberSequence.year == 2026)).one()

    now = datetime(2026, 6, 1, 9, tzinfo=WIB)
    ticket = create_ticket(session, service="kk", channel="whatsapp", phone="+6281234567890", now=now)
    session.commit()
    assert ticket.number == f"PGD-2026-{last_seq + 1:06d}"

    # Walk the new ticket to the registration counter: it gets the next number of the register.
    staff = make_staff(session, "wa_receiver", "data_lifter", "print_operator", "registration_counter")
    roles = set(staff.roles)
    definition = workflow(TANGGAMUS)
    while ticket.stage != "kasi_verification":
        stage = definition.stage(ticket.stage)
        ticket, _, _ = act(session, ticket, Action.CLAIM, actor_id=staff.id, actor_roles=roles,
                           expected_version=ticket.version, now=now)
        payload = {"outputs": {k.removeprefix("isian-"): v for k, v in valid_outputs(stage).items()}}
        ticket, _, _ = act(session, ticket, Action.ADVANCE, actor_id=staff.id, actor_roles=roles,
                           expected_version=ticket.version, payload=payload, now=now)
    assert ticket.registration_number == f"REG-2026-{last_registration + 1:05d}"

    # The id sequences moved past the generated rows too (PostgreSQL), and the queue lists the generated tickets.
    make_staff(session, "wa_receiver", username="penerima")
    intake = session.exec(select(Ticket.number).where(
        (Ticket.stage == "intake") | ((Ticket.stage == "waiting_citizen") & (Ticket.return_stage == "intake")))).all()
    page = login(http, "penerima")
    assert page.status_code == 200
    listed = queue_numbers(page.text)
    assert listed and set(listed) <= set(intake)


@pytest.mark.parametrize("count, start, end", [(-1, START, END), (5, END, START), (5, START.replace(tzinfo=None), END)])
def test_refuses_a_bad_request(session, count, start, end) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        generate_tickets(session, count, start=start, end=end, seed=1)
    assert session.exec(select(func.count()).select_from(Ticket)).one() == 0


def test_cli_prints_progress_and_fills_the_database(app, session) -> None:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["generate-tickets", "60", "--dari", "2026-03-02", "--sampai",
                                                "2026-04-30", "--seed", "2", "--chunk", "25"])

    assert result.exit_code == 0, result.output
    assert "25 / 60 tiket" in result.output and "60 / 60 tiket" in result.output
    assert "Selesai: 60 tiket" in result.output
    assert session.exec(select(func.count()).select_from(Ticket)).one() == 60
    bad = app.test_cli_runner().invoke(args=["generate-tickets", "5", "--dari", "kemarin"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output


def test_staff_act_only_in_working_time_even_for_timestamps_near_closing(session) -> None:  # type: ignore[no-untyped-def]
    # A short period ending on a Friday evening: the weekend does not get any staff action.
    start, end = datetime(2026, 4, 6, tzinfo=WIB), datetime(2026, 4, 11, tzinfo=WIB)
    generate_tickets(session, 80, start=start, end=end, seed=4)
    staff_moments = session.exec(select(StageEvent.created_at).where(
        StageEvent.action.not_in(["create", "citizen_replied"]))).all()  # type: ignore[attr-defined]
    assert staff_moments
    assert all(m.astimezone(WIB).weekday() < 5 and 8 <= m.astimezone(WIB).hour < 16 for m in staff_moments)
    assert max(m for m in staff_moments) < end.astimezone(UTC)


class _LongDraws(random.Random):
    """A generator's dice that always draw a step lasting months."""

    def expovariate(self, lambd: float) -> float:
        return 5_000.0


def test_a_step_drawn_to_last_beyond_the_calendar_leaves_the_ticket_in_its_stage(
        session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    from tickets import generate

    monkeypatch.setattr(generate.random, "Random", _LongDraws)
    generate_tickets(session, 20, start=START, end=END, seed=4)
    tickets = session.exec(select(Ticket)).all()
    assert len(tickets) == 20
    assert {t.stage for t in tickets} == {workflow(tickets[0].workflow).first_stage.key}, \
        "no step finishes within the period, and none fails"
