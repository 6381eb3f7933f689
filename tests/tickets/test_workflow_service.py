"""Transitions on stored tickets: one transaction each, version-checked, numbered, clocked and notified."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from routing import workflow
from routing.definition import Action
from routing.engine import MissingOutput, WrongRole
from tickets.constants import Channel, Service
from tickets.models import StaffNotification, StageEvent, Ticket
from tickets.services import create_ticket
from tickets.sla_jobs import mark_overdue_tickets
from tickets.workflow_service import Conflict, act
from tests.support.checklists import every_document
from tests.support.workflows import TANGGAMUS

WIB = timedelta(hours=7)


def wib(y: int, m: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=UTC) - WIB


def new_ticket(session: Session, **overrides) -> Ticket:  # type: ignore[no-untyped-def]
    values = dict(service=Service.KTP_EL, channel=Channel.WHATSAPP, phone="+6281234567890",
                  nik="1806014505900001", name="Siti Aminah", kecamatan_code="180601")
    values.update(overrides)
    ticket = create_ticket(session, **values)
    session.commit()
    return ticket


_staff_ids: dict[str, int] = {}


@pytest.fixture(autouse=True)
def staff(session) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """One staff account per role (plus a second WA operator); ids by role."""
    from tickets.accounts import create_staff

    _staff_ids.clear()
    for role in [r.key for r in workflow(TANGGAMUS).roles] + ["wa_receiver_2"]:
        user = create_staff(session, username=role, full_name=role, roles=[role.removesuffix("_2")],
                            password="rahasia-uji-123")
        _staff_ids[role] = user.id
    return _staff_ids


def step(session: Session, ticket: Ticket, action: str, role: str, actor: str | None = None, **payload) -> Ticket:  # type: ignore[no-untyped-def]
    ticket, _, _ = act(session, ticket, action, actor_id=_staff_ids[actor or role], actor_roles={role},
                       expected_version=ticket.version, payload=payload)
    return ticket


def claim_and_advance(session: Session, ticket: Ticket, role: str, outputs: dict, actor: str | None = None) -> Ticket:
    ticket = step(session, ticket, "claim", role, actor)
    return step(session, ticket, "advance", role, actor, outputs=outputs)


def to_registration(session: Session, ticket: Ticket) -> Ticket:
    ticket = claim_and_advance(session, ticket, "wa_receiver", {"berkas_wa_diterima": True})
    ticket = claim_and_advance(session, ticket, "data_lifter", {"data_diangkat": True})
    return claim_and_advance(session, ticket, "print_operator", {"berkas_dicetak": True})


def test_advance_writes_one_event_and_bumps_the_version(session) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket(session)
    version = ticket.version
    ticket = claim_and_advance(session, ticket, "wa_receiver", {"berkas_wa_diterima": True})
    assert ticket.stage == "data_lifting"
    assert ticket.version == version + 2  # claim, then advance
    assert ticket.claimed_by_id is None  # a new stage starts unclaimed
    events = session.exec(select(StageEvent).where(StageEvent.ticket_id == ticket.id).order_by(StageEvent.id)).all()
    assert [(e.action, e.from_stage, e.to_stage) for e in events] == [
        ("create", None, "intake"), ("claim", "intake", "intake"), ("advance", "intake", "data_lifting")]
    assert events[-1].actor_id == _staff_ids["wa_receiver"] and events[-1].actor_role == "wa_receiver"


def test_two_staff_at_once_one_wins_the_other_gets_a_conflict(app, session) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket(session)
    with Session(app.extensions["db_engine"], expire_on_commit=False) as other:
        stale = other.get(Ticket, ticket.id)
        step(session, ticket, "claim", "wa_receiver")
        with pytest.raises(Conflict):
            act(other, stale, "claim", actor_id=_staff_ids["wa_receiver_2"], actor_roles={"wa_receiver"},
                expected_version=stale.version)
    session.refresh(ticket)
    assert ticket.claimed_by_id == _staff_ids["wa_receiver"]
    assert len(session.exec(select(StageEvent).where(StageEvent.action == "claim")).all()) == 1


def test_stale_form_version_is_refused(session) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket(session)
    old_version = ticket.version
    step(session, ticket, "claim", "wa_receiver")
    with pytest.raises(Conflict):
        act(session, ticket, "release", actor_id=_staff_ids["wa_receiver"], actor_roles={"wa_receiver"},
            expected_version=old_version)


def test_wrong_role_and_missing_output_change_nothing(session) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket(session)
    with pytest.raises(WrongRole):
        step(session, ticket, "claim", "sorter")
    ticket = step(session, ticket, "claim", "wa_receiver")
    with pytest.raises(MissingOutput):
        step(session, ticket, "advance", "wa_receiver", outputs={})
    session.refresh(ticket)
    assert ticket.stage == "intake"


def test_registration_counter_numbers_in_order(session) -> None:  # type: ignore[no-untyped-def]
    numbers = []
    for _ in range(3):
        ticket = to_registration(session, new_ticket(session))
        ticket = claim_and_advance(session, ticket, "registration_counter",
                                   {"berkas_lengkap": every_document(), "nomor_wa_sesuai": True})
        numbers.append(ticket.registration_number)
    assert [n.split("-")[-1] for n in numbers] == ["00001", "00002", "00003"]
    assert all(n.startswith("REG-2") for n in numbers)


def test_registration_numbers_under_concurrency_have_no_gaps_or_duplicates(app, session) -> None:  # type: ignore[no-untyped-def]
    tickets = [to_registration(session, new_ticket(session)) for _ in range(12)]
    counter = _staff_ids["registration_counter"]
    for t in tickets:
        step(session, t, "claim", "registration_counter")
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(tickets))

    def advance(ticket_id: int) -> None:
        # Each request or job runs in an app context: the core emits its events to the app's features.
        with app.app_context(), Session(app.extensions["db_engine"], expire_on_commit=False) as own:
            ticket = own.get(Ticket, ticket_id)
            barrier.wait()
            try:
                act(own, ticket, "advance", actor_id=counter, actor_roles={"registration_counter"},
                    expected_version=ticket.version, payload={"outputs": {"berkas_lengkap": every_document(),
                                                                         "nomor_wa_sesuai": True}})
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

    threads = [threading.Thread(target=advance, args=(t.id,)) for t in tickets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    session.expire_all()
    numbers = sorted(int(t.registration_number.split("-")[-1]) for t in session.exec(select(Ticket)).all())
    assert numbers == list(range(1, len(tickets) + 1))


def test_sla_group_deadline_across_a_weekend_and_a_holiday(session) -> None:  # type: ignore[no-untyped-def]
    friday = wib(2026, 11, 20, 15)  # Friday 20 November 2026, 15:00 WIB
    ticket = new_ticket(session, now=friday)
    assert ticket.due_at == wib(2026, 11, 23, 15)  # Monday 15:00: one working day
    # Friday 14 August 15:00; Monday 17 August is Independence Day: 1 hour Friday, 7 hours Tuesday.
    ticket = new_ticket(session, now=wib(2026, 8, 14, 15))
    assert ticket.due_at == wib(2026, 8, 18, 15)
    # Made on the cuti bersama of 24 December: the clock runs Monday 28 December 08:00-16:00.
    ticket = new_ticket(session, now=wib(2026, 12, 24, 10))
    assert ticket.due_at == wib(2026, 12, 28, 16)


def test_group_deadline_is_shared_across_its_stages(session) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket(session, now=wib(2026, 11, 23, 9))
    due = ticket.due_at
    operator = _staff_ids["wa_receiver"]
    ticket, _, _ = act(session, ticket, "claim", actor_id=operator, actor_roles={"wa_receiver"},
                       expected_version=ticket.version, now=wib(2026, 11, 23, 10))
    ticket, _, _ = act(session, ticket, "advance", actor_id=operator, actor_roles={"wa_receiver"},
                       expected_version=ticket.version, payload={"outputs": {"berkas_wa_diterima": True}},
                       now=wib(2026, 11, 23, 11))
    assert ticket.stage == "data_lifting" and ticket.due_at == due


def test_overdue_tickets_are_marked_once_and_the_section_head_told(session) -> None:  # type: ignore[no-untyped-def]
    late = new_ticket(session, now=wib(2026, 11, 2, 9))
    on_time = new_ticket(session, now=wib(2026, 11, 23, 9))
    marked = mark_overdue_tickets(session, now=wib(2026, 11, 23, 10))
    assert [t.id for t in marked] == [late.id]
    assert mark_overdue_tickets(session, now=wib(2026, 11, 23, 11)) == []
    notes = session.exec(select(StaffNotification)).all()
    assert [(n.role, n.ticket_id) for n in notes] == [("kasi_identitas", late.id)]
    session.refresh(on_time)
    assert not on_time.overdue


def outbox(app) -> list[dict]:  # type: ignore[no-untyped-def]
    folder = Path(app.config["OUTBOX_PATH"])
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))] if folder.exists() else []


def test_citizen_is_told_when_verified_exactly_once(app, session, run_jobs) -> None:  # type: ignore[no-untyped-def]
    ticket = to_registration(session, new_ticket(session))
    ticket = claim_and_advance(session, ticket, "registration_counter", {"berkas_lengkap": every_document(), "nomor_wa_sesuai": True})
    with app.app_context():
        ticket = claim_and_advance(session, ticket, "kasi_identitas", {"data_sesuai": True, "disetujui": True})
    run_jobs()
    run_jobs()
    sent = outbox(app)
    assert len(sent) == 1
    assert ticket.number in sent[0]["body"] and sent[0]["to"] == "whatsapp:+6281234567890"


def test_rejection_tells_the_citizen_the_reason(app, session, run_jobs) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket(session)
    with app.app_context():
        ticket = step(session, ticket, "claim", "wa_receiver")
        ticket = step(session, ticket, "reject", "wa_receiver", reason="Foto KK tidak terbaca")
    assert ticket.stage == workflow(TANGGAMUS).rejected_stage.key
    run_jobs()
    assert "Foto KK tidak terbaca" in outbox(app)[0]["body"]
