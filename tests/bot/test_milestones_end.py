"""The citizen is told to the end of the document chain: the printed document reached the UPT (with the UPT's
address as the administrator wrote it), it was picked up, and the case is complete; each once, with the status
page link. Outside the 24-hour window the approved template goes out, or, unconfigured, the message is flagged."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import requests
from flask import Flask
from sqlmodel import Session, select

from berita_acara import handover
from berita_acara.stages import HandoverStages, handover_stages
from bot.milestones import NOT_CONFIGURED, add_closing_note, notify_milestone
from layanan.clock import utcnow
from routing import workflow
from routing.definition import Action, Stage
from tests.call_center.conftest import outbox_records
from tests.support.berita_acara import sign_berita_acara_for
from tests.support.twilio_api import TwilioApi
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import csrf_token, login, make_message, make_staff, make_ticket, valid_outputs
from tickets.accounts import ADMIN_ROLE
from tickets.constants import Direction, MessageStatus
from tickets.messages import Message
from tickets.models import StageEvent, Ticket
from tickets.staff import StaffUser
from tickets.workflow_service import act

GISTING = "180620"
ARRIVED_SID = "HX" + "a" * 32
UPT_FORM = {"name": "UPT Disdukcapil Gisting", "address": "Jl. Ahmad Yani No. 5, Gisting Atas",
            "opening_hours": "Senin-Jumat pukul 08.00-15.00 WIB", "contact": "0812-7000-1234",
            "bring": "KTP-el asli dan bukti tiket"}


def chain() -> HandoverStages:
    return handover_stages(workflow(TANGGAMUS))


def advance(session: Session, ticket: Ticket, officer: StaffUser, stage: Stage) -> StageEvent:
    """The officer claims the ticket and advances it with every output of the stage filled."""
    outputs = {key.removeprefix("isian-"): value for key, value in valid_outputs(stage).items()}
    roles = set(officer.roles)
    ticket, _, _ = act(session, ticket, Action.CLAIM, actor_id=officer.id, actor_roles=roles,
                       expected_version=ticket.version)
    _, event, _ = act(session, ticket, Action.ADVANCE, actor_id=officer.id, actor_roles=roles,
                      expected_version=ticket.version, payload={"outputs": outputs})
    return event


def wrote_to_the_office(session: Session, ago: timedelta) -> None:
    """The citizen's last WhatsApp message to the office, this long ago."""
    make_message(session, direction=Direction.INBOUND, created_at=utcnow() - ago, updated_at=utcnow() - ago)


def outbound(session: Session) -> list[Message]:
    session.expire_all()
    return list(session.exec(select(Message).where(Message.direction == Direction.OUTBOUND).order_by(Message.id)))


def test_arrival_pick_up_and_closing_each_reach_the_citizen_once(
        app: Flask, session: Session, http: requests.Session, run_jobs) -> None:  # type: ignore[no-untyped-def]
    stages = chain()
    # The administrator describes Gisting's UPT on the directory page.
    make_staff(session, ADMIN_ROLE)
    login(http, ADMIN_ROLE)
    page = http.get(f"/admin/upt/{GISTING}")
    assert "UPT Kecamatan Gisting" in page.text  # the generic entry the migration seeded
    saved = http.post(f"/admin/upt/{GISTING}", data={"csrf_token": csrf_token(page.text), **UPT_FORM})
    assert saved.status_code == 200 and "UPT Disdukcapil Gisting disimpan" in saved.text
    assert "Jl. Ahmad Yani No. 5, Gisting Atas" in http.get("/admin/upt/").text

    kasi, kadis = make_staff(session, stages.creator_role), make_staff(session, stages.signer_role)
    courier = make_staff(session, stages.courier_role)
    upt = make_staff(session, stages.upt_role, kecamatan_code=GISTING)
    ticket = make_ticket(session, kecamatan_code=GISTING, stage=stages.handover.key)
    wrote_to_the_office(session, timedelta(hours=2))  # inside the 24-hour window: free-form messages
    closing_notes: list[str] = []
    add_closing_note(app, lambda _session, t: closing_notes.append(t.number) or f"Survei kepuasan untuk {t.number}")

    # The berita acara goes out, the courier hands the papers over, the UPT confirms what arrived.
    made = sign_berita_acara_for(session, ticket.number)
    handover.dispatch(session, made, kasi, courier)
    handover.record_delivery(session, made, courier)
    handover.confirm_receipt(session, made, upt, {item.id for item in handover.items_of(session, made)}, {})
    assert kadis.id and session.get(Ticket, ticket.id).stage == stages.after_upt.key  # type: ignore[union-attr]
    run_jobs()
    [arrival] = outbox_records(app)
    link = f"{app.config['PUBLIC_BASE_URL']}/cek-status?nomor={ticket.number}"
    assert arrival["body"].startswith("Dokumen Anda sudah tiba di UPT Disdukcapil Gisting.")
    for value in UPT_FORM.values():
        assert value in arrival["body"]
    assert link in arrival["body"] and "4 angka terakhir" in arrival["body"]
    assert "template" not in arrival  # free-form, inside the window

    # The pick-up counter hands the document over; the archivist closes the case.
    pickup_event = advance(session, session.get(Ticket, ticket.id), make_staff(session, stages.after_upt.role),  # type: ignore[arg-type]
                           stages.after_upt)
    run_jobs()
    archive = workflow(TANGGAMUS).stage(pickup_event.to_stage)
    closing_event = advance(session, session.get(Ticket, ticket.id), make_staff(session, str(archive.role)), archive)  # type: ignore[arg-type]
    run_jobs()
    bodies = [r["body"] for r in outbox_records(app)]
    assert len(bodies) == 3
    assert "sudah diambil" in bodies[1] and ticket.number in bodies[1] and link in bodies[1]
    assert "sudah selesai" in bodies[2] and f"Survei kepuasan untuk {ticket.number}" in bodies[2] and link in bodies[2]
    assert closing_notes == [ticket.number]

    # A retried job finds each message sent already: nothing goes out twice.
    arrival_event = session.exec(select(StageEvent).where(StageEvent.ticket_id == ticket.id,
                                                          StageEvent.action == str(Action.ADVANCE),
                                                          StageEvent.to_stage == stages.after_upt.key)).one()
    for event in (arrival_event, pickup_event, closing_event):
        assert notify_milestone(int(event.id or 0)).startswith("sent")
    assert len(outbox_records(app)) == 3
    assert [m.idempotency_key for m in outbound(session)] == [
        f"milestone-{e.id}" for e in (arrival_event, pickup_event, closing_event)]


def test_outside_the_window_the_arrival_goes_out_as_its_template(
        twilio_app: Flask, session: Session, twilio_api: TwilioApi, run_jobs) -> None:  # type: ignore[no-untyped-def]
    stages = chain()
    twilio_app.config["TWILIO_CONTENT_SID_ARRIVED"] = ARRIVED_SID
    wrote_to_the_office(session, timedelta(days=2))
    ticket = make_ticket(session, kecamatan_code=GISTING, stage=stages.upt.key)
    advance(session, ticket, make_staff(session, stages.upt_role, kecamatan_code=GISTING), stages.upt)
    run_jobs()

    [sent] = twilio_api.messages
    assert sent["content_sid"] == ARRIVED_SID and not sent["body"]
    variables: dict[str, Any] = json.loads(sent["content_variables"])
    assert variables["1"] == ticket.number and variables["3"] == "UPT Kecamatan Gisting"
    assert variables["4"] == "Kantor Kecamatan Gisting, Kabupaten Tanggamus" and variables["6"] == "-"
    assert variables["8"].endswith(f"/cek-status?nomor={ticket.number}")
    assert all(value and "\n" not in value for value in variables.values())
    [message] = outbound(session)
    assert message.content_sid == ARRIVED_SID and message.twilio_sid == sent["sid"]
    assert message.body.startswith("Dokumen Anda sudah tiba di UPT Kecamatan Gisting.") and "\n" not in message.body


def test_outside_the_window_without_a_template_the_message_is_flagged_not_sent(
        twilio_app: Flask, session: Session, twilio_api: TwilioApi, run_jobs) -> None:  # type: ignore[no-untyped-def]
    stages = chain()
    twilio_app.config["TWILIO_CONTENT_SID_PICKED_UP"] = None
    wrote_to_the_office(session, timedelta(hours=30))
    ticket = make_ticket(session, kecamatan_code=GISTING, stage=stages.after_upt.key)
    event = advance(session, ticket, make_staff(session, stages.after_upt.role), stages.after_upt)  # type: ignore[arg-type]
    run_jobs()

    assert twilio_api.creates == []
    [message] = outbound(session)
    assert (message.status, message.error_code, message.ticket_id) == (MessageStatus.FAILED, NOT_CONFIGURED, ticket.id)
    assert "sudah diambil" in message.body and message.twilio_sid is None
    assert "TWILIO_CONTENT_SID_PICKED_UP" in notify_milestone(int(event.id or 0))  # a retry records nothing more
    assert len(outbound(session)) == 1 and twilio_api.creates == []
