"""The development default: no Twilio, messages go to the local outbox. The PDF message is recorded
there with the same download URL, and the ticket moves on (no status callbacks will come)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlmodel import select

from pdf_delivery import sending
from pdf_delivery.delivery_models import DeliveryState, PdfDelivery
from routing import workflow
from tests.pdf_delivery.test_delivery import ready_ticket, sending_stage
from tests.tickets.conftest import login, make_staff
from tests.support.workflows import TANGGAMUS


@pytest.fixture
def app_config(app_config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    return {**app_config, "DOCUMENTS_PATH": str(tmp_path / "documents")}


def test_outbox_records_the_pdf_message_and_the_ticket_moves_on(app, session, live_server,
                                                                 run_jobs) -> None:  # type: ignore[no-untyped-def]
    assert not app.config["TWILIO_ENABLED"]
    sender = make_staff(session, "pdf_sender")
    ticket, _, content = ready_ticket(session, app.config["DOCUMENTS_PATH"])
    sending.request_send(session, ticket, sender)
    run_jobs()

    records = [json.loads(p.read_text()) for p in Path(app.config["OUTBOX_PATH"]).glob("*.json")]
    [record] = [r for r in records if r["media_url"]]
    assert ticket.number in record["body"] and record["media_url"].startswith(f"{live_server.url}/unduh/")
    assert requests.get(record["media_url"], timeout=10).content == content
    session.expire_all()
    delivery = session.exec(select(PdfDelivery)).one()
    assert delivery.state == DeliveryState.DELIVERED
    session.refresh(ticket)
    assert ticket.stage == workflow(TANGGAMUS).next_stage(sending_stage()).key
    # The ticket's move tells the citizen the PDF went out (the handover stage's milestone).
    run_jobs()
    bodies = [json.loads(p.read_text())["body"] for p in Path(app.config["OUTBOX_PATH"]).glob("*.json")]
    assert any("sudah kami kirim dalam bentuk PDF" in body for body in bodies)


def test_outbox_outside_window_records_the_template_text(app, session, live_server,
                                                         run_jobs) -> None:  # type: ignore[no-untyped-def]
    sender = make_staff(session, "pdf_sender")
    ticket, _, _ = ready_ticket(session, app.config["DOCUMENTS_PATH"], last_inbound_hours=None)
    sending.request_send(session, ticket, sender)
    run_jobs()
    [record] = [json.loads(p.read_text()) for p in Path(app.config["OUTBOX_PATH"]).glob("*.json")]
    assert "Balas pesan ini" in record["body"] and not record["media_url"]
    assert record["variables"]["1"] == ticket.number


def test_simulator_shows_the_citizen_the_sent_pdf(app, session, http, run_jobs) -> None:  # type: ignore[no-untyped-def]
    import re
    from html import unescape

    from bot.simulator_models import SimulatorNumber

    sender = make_staff(session, "pdf_sender")
    ticket, _, content = ready_ticket(session, app.config["DOCUMENTS_PATH"])
    sending.request_send(session, ticket, sender)
    run_jobs()
    phone = session.exec(select(PdfDelivery)).one().phone
    session.add(SimulatorNumber(phone=phone, started_by_id=sender.id))  # as if its chat began in the simulator
    session.commit()
    login(http, "pdf-sender")
    page = unescape(http.get("/simulator/", params={"phone": phone}).text)
    links = re.findall(r'class="button secondary media-link" href="([^"]+)"', page)
    assert len(links) == 1 and ticket.number in page
    assert requests.get(links[0], timeout=10).content == content  # the citizen opens the signed PDF
