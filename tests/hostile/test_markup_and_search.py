"""Markup a citizen types (name, description, chat) is shown as text, never run; search and filter
strings with SQL syntax find nothing they should not and never break the page."""

from __future__ import annotations

from sqlmodel import select

from tickets.messages import Conversation
from tests.tickets.conftest import csrf_token, make_message, make_ticket, queue_numbers
from tickets.models import Ticket

SCRIPT = "<script>alert('xss')</script>"
IMG = '<img src=x onerror="alert(1)">'


def test_citizen_markup_is_shown_as_text_in_queue_and_ticket(staff, session) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket(session, name=f"Siti {SCRIPT}", description=f"Tolong {IMG} segera")
    make_message(session, body=f"pesan {IMG}", ticket_id=ticket.id, profile_name=SCRIPT)

    queue = staff.get("/antrian", params={"peran": "wa_receiver"}).text
    detail = staff.get(f"/tiket/{ticket.number}").text

    assert ticket.number in queue_numbers(queue)
    for page in (queue, detail):
        assert SCRIPT not in page and IMG not in page
    assert "&lt;script&gt;" in detail
    assert "&lt;img" in detail


def test_markup_in_a_help_conversation_is_escaped(staff, session) -> None:  # type: ignore[no-untyped-def]
    phone = "+6281234567890"
    session.add(Conversation(phone=phone, state="start", data={}, misses=3, needs_human=True))
    session.commit()
    make_message(session, phone=phone, body=f"tolong {SCRIPT}", profile_name=IMG)
    page = staff.get("/percakapan-bantuan").text
    assert SCRIPT not in page and IMG not in page
    assert "&lt;script&gt;" in page


def test_sql_in_the_search_box_matches_nothing_and_breaks_nothing(staff, session) -> None:  # type: ignore[no-untyped-def]
    tickets = [make_ticket(session, phone=f"+62812345678{i:02d}") for i in range(3)]
    attacks = [
        "' OR '1'='1", "' OR 1=1 --", f"{tickets[0].number}' OR '1'='1", "1; DROP TABLE ticket; --",
        "%", "_", "%' UNION SELECT nik FROM applicant --", "\\", "081234567800' --",
    ]
    for attack in attacks:
        response = staff.get("/antrian", params={"peran": "wa_receiver", "q": attack})
        assert response.status_code == 200, f"{attack!r}: {response.status_code}"
        assert queue_numbers(response.text) == [], f"{attack!r} listed tickets"
    session.expire_all()
    assert len(session.exec(select(Ticket)).all()) == 3
    exact = staff.get("/antrian", params={"peran": "wa_receiver", "q": tickets[1].number})
    assert queue_numbers(exact.text) == [tickets[1].number]


def test_tampered_filters_and_cursors_are_not_errors(staff, session) -> None:  # type: ignore[no-untyped-def]
    make_ticket(session)
    for params in ({"tahap": "' OR 1=1 --"}, {"kecamatan": "180601' OR '1'='1"}, {"layanan": "<script>"},
                   {"setelah": "bukan-kursor"}, {"setelah": "' OR 1=1 --"}, {"peran": "admin' --"},
                   {"terlambat": "1' OR '1'='1"}):
        response = staff.get("/antrian", params=params)
        assert response.status_code in (200, 400, 403, 404), f"{params}: {response.status_code}"
        assert "<script>" not in response.text
    for number in ("PGD-2026-000001' OR '1'='1", "../../etc/passwd"):
        assert staff.get(f"/tiket/{number}").status_code == 404


def test_nul_characters_are_refused_everywhere_not_an_error(staff, phone, session) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL cannot store NUL; no person types it. Path, query and form all get a clear 400."""
    ticket = make_ticket(session)
    token = csrf_token(staff.get(f"/tiket/{ticket.number}").text)
    for response in (staff.get("/tiket/%00"), staff.get(f"/tiket/{ticket.number}%00"),
                     staff.get("/antrian", params={"q": "PGD\x00"}),
                     staff.post(f"/tiket/{ticket.number}/aksi", data={"csrf_token": token, "action": "claim", "note": "a\x00b"})):
        assert response.status_code == 400
        assert "tidak sah" in response.text
    assert phone.send("halo\x00"), "a chat message keeps its text without the NUL"
    from tickets.messages import Message

    assert [m.body for m in session.exec(select(Message))] == ["halo"]
