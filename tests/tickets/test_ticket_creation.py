"""Opening a ticket: who it belongs to, its number and history, and the files the citizen sent before it."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import Session, select

from tests.tickets.conftest import NIK, PHONE, make_message
from tickets.constants import AttachmentStatus, Channel, Service
from tickets.messages import Attachment
from tickets.models import Applicant, StageEvent, Ticket
from tickets.services import create_ticket


def _request(session: Session, **overrides: object) -> Ticket:
    values: dict[str, object] = dict(service=Service.KTP_EL, channel=Channel.WHATSAPP, phone=PHONE, nik=NIK,
                                     name="Siti Aminah", kecamatan_code=None)
    values.update(overrides)
    return create_ticket(session, **values)  # type: ignore[arg-type]


def test_a_citizen_asking_again_is_the_same_applicant_under_the_name_they_gave_last(session: Session) -> None:
    first = _request(session)
    session.commit()
    shown = session.get(Applicant, first.applicant_id)  # a page of the same request holds the applicant
    assert shown is not None and shown.name == "Siti Aminah"

    second = _request(session, name="Siti Aminah Lubis")

    assert second.applicant_id == first.applicant_id
    assert shown.name == "Siti Aminah Lubis", "the applicant the session holds sees the corrected name"
    session.commit()
    session.expire_all()
    assert session.get(Applicant, first.applicant_id).name == "Siti Aminah Lubis"  # type: ignore[union-attr]
    assert len(session.exec(select(Applicant)).all()) == 1


def test_another_nik_on_the_same_number_is_another_applicant(session: Session) -> None:
    mine = _request(session)
    childs = _request(session, nik="1806014505100002", name="Bunga")
    assert mine.applicant_id != childs.applicant_id
    assert (mine.number, childs.number) == (f"PGD-{mine.year}-000001", f"PGD-{mine.year}-000002")


def test_a_new_ticket_starts_its_history_and_takes_the_files_sent_before_it(session: Session) -> None:
    message = make_message(session, body="", num_media=2)
    photos = [Attachment(message_id=message.id, media_index=index, declared_type="image/jpeg", draft_id="SM0001",
                         status=AttachmentStatus.PENDING) for index in range(2)]
    session.add_all(photos)
    session.commit()

    ticket = _request(session, draft_id="SM0001")

    assert [photo.ticket_id for photo in photos] == [ticket.id, ticket.id], "seen before the commit, as the page shows"
    session.commit()
    session.expire_all()
    assert {a.ticket_id for a in session.exec(select(Attachment))} == {ticket.id}
    history = session.exec(select(StageEvent).where(StageEvent.ticket_id == ticket.id)).all()
    assert [(e.action, e.from_stage, e.to_stage, e.note) for e in history] == [
        ("create", None, ticket.stage, "Kanal: whatsapp")]
    stored = session.get(Ticket, ticket.id)
    assert stored is not None and (stored.number, stored.stage, stored.due_at) == (ticket.number, ticket.stage,
                                                                                   ticket.due_at)
    assert stored.due_at is not None and stored.outputs == {} and stored.version == 1


def test_a_moment_without_a_time_zone_is_refused_before_anything_is_written(session: Session) -> None:
    with pytest.raises(ValueError, match="naive"):
        _request(session, now=datetime(2026, 12, 2, 9, 0))
    session.rollback()
    assert session.exec(select(Ticket)).all() == []
