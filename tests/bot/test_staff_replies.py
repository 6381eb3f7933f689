"""A person's reply to the applicant from the ticket page, through the real twilio client: at once inside the
24-hour window; outside it the approved template invites the applicant back and the reply goes out, once,
when they answer."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html import unescape

from sqlmodel import select

from bot.pending_replies import PendingReply
from layanan.clock import utcnow
from tests.tickets.conftest import csrf_token, login, make_message, make_staff, make_ticket
from tickets.constants import Direction
from tickets.messages import Message

INVITE_SID = "HX" + "b" * 32
TEXT = "Berkas Anda sudah kami terima, mohon tunggu kabar berikutnya."


def write(http, number: str, text: str = TEXT, form_key: str | None = None):  # type: ignore[no-untyped-def]
    page = http.get(f"/tiket/{number}").text
    key = form_key or re.search(r'name="form_key" value="([^"]+)"', page).group(1)
    return http.post(f"/tiket/{number}/pesan", data={"csrf_token": csrf_token(page), "form_key": key, "text": text})


def free_form(twilio_api) -> list[str]:  # type: ignore[no-untyped-def]
    return [m["body"] for m in twilio_api.messages if not m["content_sid"]]


def test_inside_the_window_the_reply_goes_out_at_once(twilio_app, twilio_api, http, session) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket(session)
    make_message(session, body="kapan selesai?", created_at=utcnow() - timedelta(hours=1))
    make_staff(session, "wa_receiver", full_name="Rina Operator")
    login(http, "wa-receiver")

    page = unescape(write(http, ticket.number).text)

    assert "Pesan terkirim ke pemohon" in page
    assert len(free_form(twilio_api)) == 1 and TEXT in free_form(twilio_api)[0]
    assert twilio_api.templates() == []
    thread = page[page.index('id="percakapan"'):page.index('id="kirim-pesan"')]
    assert thread.index("kapan selesai?") < thread.index(TEXT)  # the citizen's question, then the answer


def test_outside_the_window_the_invitation_goes_out_and_the_reply_follows_the_answer_once(  # type: ignore[no-untyped-def]
        twilio_app, twilio_api, http, session, phone, run_jobs) -> None:
    twilio_app.config["TWILIO_CONTENT_SID_REPLY_INVITE"] = INVITE_SID
    ticket = make_ticket(session)
    make_message(session, body="halo", created_at=utcnow() - timedelta(hours=30))
    make_staff(session, "wa_receiver", full_name="Rina Operator")
    login(http, "wa-receiver")

    first = write(http, ticket.number, form_key="k1")
    again = write(http, ticket.number, form_key="k1")  # the same form sent twice

    assert "Menunggu pemohon membalas undangan" in unescape(again.text)
    assert free_form(twilio_api) == []
    [invite] = twilio_api.templates()
    assert invite["content_sid"] == INVITE_SID and json.loads(invite["content_variables"]) == {"1": ticket.number}
    assert len(session.exec(select(PendingReply)).all()) == 1 and first.status_code == 200

    phone.say("ya, ada apa?")  # the citizen answers the invitation: the window opens
    run_jobs()
    phone.say("terima kasih")
    run_jobs()

    assert [b for b in free_form(twilio_api) if TEXT in b] and len([b for b in free_form(twilio_api) if TEXT in b]) == 1
    session.expire_all()
    [kept] = session.exec(select(PendingReply)).all()
    sent = session.get(Message, kept.sent_message_id)
    assert sent is not None and sent.ticket_id == ticket.id and sent.direction == Direction.OUTBOUND
    page = unescape(http.get(f"/tiket/{ticket.number}").text)
    assert "Menunggu pemohon membalas undangan" not in page
    thread = page[page.index('id="percakapan"'):page.index('id="kirim-pesan"')]
    assert thread.index("ya, ada apa?") < thread.index(TEXT) < thread.index("terima kasih")


def test_without_the_invitation_template_nothing_is_kept(twilio_app, twilio_api, http, session) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket(session)
    make_message(session, body="halo", created_at=utcnow() - timedelta(hours=30))
    make_staff(session, "wa_receiver")
    login(http, "wa-receiver")

    page = unescape(write(http, ticket.number).text)

    assert "templat undangan WhatsApp belum dikonfigurasi" in page
    assert twilio_api.messages == [] and session.exec(select(PendingReply)).all() == []
