"""The list of WhatsApp numbers waiting for a person."""

from __future__ import annotations

import re
from datetime import timedelta

from tickets.messages import Conversation
from tests.tickets.conftest import login, make_message, make_staff, make_ticket
from layanan.clock import utcnow


def test_lists_numbers_that_asked_for_a_person_longest_waiting_first(http, session) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    session.add_all([
        Conversation(phone="+6281111111111", state="start", needs_human=True, updated_at=now - timedelta(minutes=5)),
        Conversation(phone="+6282222222222", state="start", needs_human=True, updated_at=now - timedelta(hours=2)),
        Conversation(phone="+6283333333333", state="start", needs_human=False, updated_at=now),
    ])
    session.commit()
    make_message(session, phone="+6282222222222", body="saya mau bicara dengan petugas",
                 created_at=now - timedelta(hours=2))
    make_message(session, phone="+6283333333333", body="terima kasih", created_at=now)
    ticket = make_ticket(session, phone="+6282222222222")
    make_staff(session, "call_center_agent")

    login(http, "call-center-agent")
    page = http.get("/percakapan-bantuan").text

    assert re.findall(r'data-phone="([^"]+)"', page) == ["+6282222222222", "+6281111111111"]
    assert "saya mau bicara dengan petugas" in page
    assert f'href="/tiket/{ticket.number}"' in page
    assert "terima kasih" not in page


def test_empty_list_says_so(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "wa_receiver")
    login(http, "wa-receiver")
    assert "Tidak ada warga yang sedang menunggu petugas." in http.get("/percakapan-bantuan").text


def _post(http, path: str, **data: str):  # type: ignore[no-untyped-def]
    from tests.tickets.conftest import csrf_token

    page = http.get("/percakapan-bantuan")
    return http.post(path, data={"csrf_token": csrf_token(page.text), **data})


def test_officer_replies_on_whatsapp_and_hands_the_chat_back(app, http, live_server, session) -> None:  # type: ignore[no-untyped-def]
    import json
    from pathlib import Path

    from tests.support.whatsapp import Phone

    citizen = Phone(base_url=live_server.url, auth_token=app.config["TWILIO_AUTH_TOKEN"], number="+6281211112222")
    citizen.say("bantuan")
    make_staff(session, "wa_receiver", full_name="Rina Operator")
    login(http, "wa-receiver")

    answered = _post(http, "/percakapan-bantuan/+6281211112222/balas", text="Berkas Anda kami cek, mohon tunggu.")
    assert "Balasan terkirim ke +6281211112222." in answered.text
    sent = [json.loads(p.read_text()) for p in Path(app.config["OUTBOX_PATH"]).glob("*.json")]
    assert [m["body"] for m in sent if m["to"] == "whatsapp:+6281211112222"][-1] == (
        "Berkas Anda kami cek, mohon tunggu.\n\n- Rina Operator, Disdukcapil Tanggamus")

    done = _post(http, "/percakapan-bantuan/+6281211112222/selesai")
    assert "bot kembali menjawab nomor ini" in done.text
    assert 'data-phone="+6281211112222"' not in done.text
    assert "Balas dengan angka" in citizen.say("halo")


def test_a_reply_after_the_24_hour_window_waits_for_the_citizen(http, session) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    session.add(Conversation(phone="+6281111111111", state="start", needs_human=True, updated_at=now))
    session.commit()
    make_message(session, phone="+6281111111111", body="tolong", created_at=now - timedelta(hours=30))
    make_staff(session, "call_center_agent")
    login(http, "call-center-agent")
    page = _post(http, "/percakapan-bantuan/+6281111111111/balas", text="Halo")
    assert "lebih dari 24 jam" in page.text and "undangan templat WhatsApp dikirim" in page.text
    assert "1 balasan menunggu pemohon membalas undangan" in page.text
    assert 'data-phone="+6281111111111"' in page.text  # still waiting for a person


def test_a_reply_form_sent_twice_sends_one_message(app, http, live_server, session) -> None:  # type: ignore[no-untyped-def]
    import json
    from pathlib import Path

    from tests.support.whatsapp import Phone
    from tests.tickets.conftest import csrf_token

    citizen = Phone(base_url=live_server.url, auth_token=app.config["TWILIO_AUTH_TOKEN"], number="+6281211113333")
    citizen.say("bantuan")
    make_staff(session, "wa_receiver", full_name="Rina Operator")
    login(http, "wa-receiver")
    page = http.get("/percakapan-bantuan").text
    form = {"csrf_token": csrf_token(page), "form_key": re.search(r'name="form_key" value="([^"]+)"', page).group(1),
            "text": "Mohon tunggu sebentar."}
    for _ in range(2):  # a double click
        assert "Balasan terkirim" in http.post("/percakapan-bantuan/+6281211113333/balas", data=form).text
    sent = [json.loads(p.read_text()) for p in Path(app.config["OUTBOX_PATH"]).glob("*.json")]
    assert [m["body"] for m in sent if m["to"] == "whatsapp:+6281211113333"] == [
        "Mohon tunggu sebentar.\n\n- Rina Operator, Disdukcapil Tanggamus"]


def test_the_whole_thread_and_the_longest_waiting_first_with_an_alert(app, http, session) -> None:  # type: ignore[no-untyped-def]
    import json

    from bot.help_desk import waiting_list
    from tickets.constants import Direction

    now = utcnow()
    session.add_all([
        Conversation(phone="+6281111111111", state="start", needs_human=True, updated_at=now,
                     human_requested_at=now - timedelta(minutes=3)),
        Conversation(phone="+6282222222222", state="start", needs_human=True, updated_at=now,
                     human_requested_at=now - timedelta(hours=3)),
        Conversation(phone="+6283333333333", state="start", needs_human=True, updated_at=now,
                     human_requested_at=now - timedelta(hours=5)),
    ])
    session.commit()
    make_message(session, phone="+6282222222222", body="saya mau bicara dengan petugas",
                 created_at=now - timedelta(hours=3), reply=json.dumps(["Permintaan Anda sudah kami teruskan"]))
    # The third citizen was answered by a person and has not written since: listed last, no alert.
    make_message(session, phone="+6283333333333", direction=Direction.OUTBOUND, body="Sudah kami cek, Pak.",
                 idempotency_key="help-reply-x", created_at=now - timedelta(hours=4))
    app.config["HELP_DESK_ALERT_MINUTES"] = 0  # any waiting at all is too long: independent of the clock
    make_staff(session, "wa_receiver")
    login(http, "wa-receiver")

    page = http.get("/percakapan-bantuan").text
    assert re.findall(r'data-phone="([^"]+)"', page) == ["+6282222222222", "+6281111111111", "+6283333333333"]
    assert "saya mau bicara dengan petugas" in page and "Permintaan Anda sudah kami teruskan" in page  # both sides
    assert "Sudah kami cek, Pak." in page and "Sudah dibalas petugas" in page
    assert page.count('class="card help-conversation alert"') == 2
    assert re.search(r'Percakapan bantuan <span class="badge overdue"[^>]*>2</span>', page)

    # With the default delay, working time decides: three working hours waited is late, three minutes is not.
    from datetime import datetime
    from layanan.clock import WIB
    tuesday = datetime(2026, 12, 8, 14, 0, tzinfo=WIB)
    conversations = [Conversation(phone="+621", human_requested_at=tuesday - timedelta(minutes=3)),
                     Conversation(phone="+622", human_requested_at=tuesday - timedelta(hours=3))]
    listed = waiting_list(session, {}, conversations, now=tuesday, alert_minutes=15)
    assert [(w.phone, w.alert) for w in listed] == [("+622", True), ("+621", False)]
    saturday = datetime(2026, 12, 5, 10, 0, tzinfo=WIB)  # Friday 15:00 to Saturday: one working hour
    [late] = waiting_list(session, {}, [Conversation(phone="+623", human_requested_at=saturday - timedelta(hours=19))],
                          now=saturday, alert_minutes=15)
    assert late.waited == timedelta(hours=1)
