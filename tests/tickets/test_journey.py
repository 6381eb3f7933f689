"""One ticket driven from intake to the archive through the web pages, by one officer per role."""

from __future__ import annotations

import re
from html import unescape

from sqlmodel import select

from routing import workflow
from tests.support.berita_acara import berita_acara_step, needs_berita_acara, sign_berita_acara_for
from tests.support.documents import document_step
from tests.tickets.conftest import act_via_form, login, make_staff, make_ticket, queue_numbers, valid_outputs
from tickets.models import StageEvent, Ticket
from tests.support.workflows import TANGGAMUS

KECAMATAN = "180601"


def test_ticket_goes_from_intake_to_done_through_http(http, session) -> None:  # type: ignore[no-untyped-def]
    definition = workflow(TANGGAMUS)
    names = {}
    for role in {stage.role for stage in definition.chain if stage.role}:
        account = make_staff(session, role, full_name=f"Demo {definition.role(role).name}",
                             kecamatan_code=KECAMATAN if role == "upt_officer" else None)
        names[role] = account.full_name
    ticket = make_ticket(session, kecamatan_code=KECAMATAN)
    number = ticket.number

    for stage in definition.chain:
        http.cookies.clear()
        login(http, stage.role.replace("_", "-"))  # type: ignore[union-attr]
        queue = http.get("/antrian")  # the courier, UPT and pick-up counter land on their phone pages
        assert number in queue_numbers(queue.text), f"{stage.key}: not in the {stage.role} queue"
        claimed = act_via_form(http, number, "claim")
        assert claimed.status_code == 200, f"{stage.key}: claim refused"
        if needs_berita_acara(stage):
            sign_berita_acara_for(session, number)  # the hand-over to the courier needs a signed berita acara
        # The document stages need the PDF uploaded, and the signature made on the TTE page; the hand-over,
        # courier and UPT steps are taken on the berita acara.
        response = (document_step(http, stage, number) or berita_acara_step(http, session, stage, number)
                    or act_via_form(http, number, "advance", **valid_outputs(stage)))
        text = unescape(response.text)
        next_name = definition.stage(str(stage.next)).name
        session.expire_all()
        moved = session.get(Ticket, ticket.id).stage == stage.next
        assert f'Tiket {number} diteruskan ke tahap "{next_name}".' in text or moved, f"{stage.key}: {_flash(text)}"

        if stage.key == "kasi_verification" and not _returned_once(session, ticket):
            # Kasi sends it back once; the counter re-checks and the register number is kept.
            break_and_return(http, session, ticket, definition)

    session.expire_all()
    done = session.get(Ticket, ticket.id)
    assert done.stage == definition.done_stage.key
    assert done.due_at is None
    assert re.fullmatch(r"REG-\d{4}-\d{5}", done.registration_number or "")
    assert done.outputs["kode_kecamatan"] == "180601"
    assert done.outputs["diambil_oleh"] == "isian uji"

    http.cookies.clear()
    login(http, "archivist")
    page = unescape(http.get(f"/tiket/{number}").text)
    assert "Tiket ini sudah selesai; tidak ada tindakan lagi." in page
    timeline = page[page.index('id="riwayat"'):]
    for role, name in names.items():
        assert name in timeline, f"{role} missing from the timeline"
    events = session.exec(select(StageEvent).where(StageEvent.ticket_id == ticket.id)).all()
    moves = [(e.from_stage, e.to_stage) for e in events if e.action == "advance"]
    assert moves[-1] == ("archive", "done")


def _returned_once(session, ticket: Ticket) -> bool:  # type: ignore[no-untyped-def]
    return session.exec(
        select(StageEvent).where(StageEvent.ticket_id == ticket.id, StageEvent.action == "return")
    ).first() is not None


def break_and_return(http, session, ticket: Ticket, definition) -> None:  # type: ignore[no-untyped-def]
    """Undo the last advance: the next officer returns the ticket to the Kasi, who sends it to the counter."""
    session.expire_all()
    number = ticket.number
    registration = session.get(Ticket, ticket.id).registration_number
    assert registration
    http.cookies.clear()
    login(http, "data-entry-operator")
    act_via_form(http, number, "claim")
    back = act_via_form(http, number, "return", to_stage="counter_registration", reason="Berkas KK belum dilegalisir")
    assert 'dikembalikan ke tahap "Pendaftaran dan verifikasi di loket"' in unescape(back.text)
    http.cookies.clear()
    login(http, "registration-counter")
    act_via_form(http, number, "claim")
    act_via_form(http, number, "advance", **valid_outputs(definition.stage("counter_registration")))
    http.cookies.clear()
    login(http, "kasi-identitas")
    act_via_form(http, number, "claim")
    act_via_form(http, number, "advance", **valid_outputs(definition.stage("kasi_verification")))
    session.expire_all()
    assert session.get(Ticket, ticket.id).registration_number == registration
    assert session.get(Ticket, ticket.id).stage == "data_entry"


def _flash(text: str) -> str:
    found = re.findall(r'<div class="flash[^"]*">(.*?)</div>', text, flags=re.S)
    return " | ".join(found) or "(no message)"
