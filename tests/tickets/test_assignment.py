"""Assignment: a section head assigns a ticket to a named officer of its stage (recorded, and the officer's
queue shows it first), or switches a stage to automatic assignment: the least open work among the stage's
role holders on duty."""

from __future__ import annotations

from html import unescape

from sqlmodel import select

from routing import workflow
from routing.definition import Action, RoleDuty
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import csrf_token, login, make_staff, make_ticket
from tickets.assignment import ASSIGN, AUTO_ASSIGN, set_auto
from tickets.models import StageEvent, Ticket
from tickets.workflow_service import act

SOP = workflow(TANGGAMUS)
FIRST = SOP.first_stage
HEAD = SOP.roles_for(RoleDuty.SUPERVISE)[0]


def test_a_section_head_assigns_a_ticket_and_the_officer_sees_it_first(http, session) -> None:  # type: ignore[no-untyped-def]
    head = make_staff(session, HEAD, full_name="Kasi Yanti")
    make_staff(session, str(FIRST.role), username="andi", full_name="Andi")
    budi = make_staff(session, str(FIRST.role), username="budi", full_name="Budi")
    ticket = make_ticket(session)
    login(http, HEAD.replace("_", "-"))
    page = http.get(f"/tiket/{ticket.number}").text
    assert 'id="penugasan"' in page and "Budi (0 tiket dipegang)" in page

    done = http.post(f"/tiket/{ticket.number}/tugaskan",
                     data={"csrf_token": csrf_token(page), "officer_id": budi.id, "version": ticket.version})

    assert f"Tiket {ticket.number} ditugaskan kepada Budi." in unescape(done.text)
    session.expire_all()
    assert session.get(Ticket, ticket.id).claimed_by_id == budi.id
    event = session.exec(select(StageEvent).where(StageEvent.action == ASSIGN)).one()
    assert (event.actor_id, event.note) == (head.id, "Budi")
    assert "Ditugaskan kepada" in done.text

    # Assigned is claimed: Budi acts without claiming, and his queue lists the ticket under "assigned to me".
    login(http, "budi")
    queue = http.get("/antrian").text
    mine = queue[queue.index('id="ditugaskan"'):queue.index('aria-label="Tahap"')]
    assert ticket.number in mine
    fresh = session.get(Ticket, ticket.id)
    act(session, fresh, Action.RELEASE, actor_id=budi.id, actor_roles=set(budi.roles), expected_version=fresh.version)


def test_only_a_section_head_may_assign(http, session) -> None:  # type: ignore[no-untyped-def]
    officer = make_staff(session, str(FIRST.role))
    ticket = make_ticket(session)
    login(http, str(FIRST.role).replace("_", "-"))
    page = http.get(f"/tiket/{ticket.number}").text
    assert 'id="penugasan"' not in page
    refused = http.post(f"/tiket/{ticket.number}/tugaskan",
                        data={"csrf_token": csrf_token(page), "officer_id": officer.id, "version": ticket.version})
    assert refused.status_code == 403


def test_automatic_assignment_gives_the_least_open_work_among_those_on_duty(session) -> None:  # type: ignore[no-untyped-def]
    head = make_staff(session, HEAD)
    ani = make_staff(session, str(FIRST.role), username="ani")
    bayu = make_staff(session, str(FIRST.role), username="bayu")
    cici = make_staff(session, str(FIRST.role), username="cici")
    cici.on_duty = False
    session.add(cici)
    earlier = make_ticket(session, phone="+6281300000001")
    earlier.claimed_by_id = bayu.id  # Bayu already holds one
    session.add(earlier)
    session.commit()
    set_auto(session, FIRST.key, True, actor=head)

    assigned = [make_ticket(session, phone=f"+62813000001{i:02d}").claimed_by_id for i in range(4)]

    # Ani 0 vs Bayu 1: Ani; then 1 each: the older account (Ani); then Bayu; then 2 each: Ani. Cici is off duty.
    assert assigned == [ani.id, ani.id, bayu.id, ani.id]
    events = session.exec(select(StageEvent).where(StageEvent.action == AUTO_ASSIGN)).all()
    assert len(events) == 4 and all(e.actor_id is None for e in events)

    set_auto(session, FIRST.key, False, actor=head)
    assert make_ticket(session, phone="+6281300000200").claimed_by_id is None
