"""The work queue: the role's stages only, oldest due first, filters, search and keyset pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.tickets.conftest import login, make_staff, make_ticket, queue_numbers
from tickets.constants import Service
from tickets.queries import Cursor, QueueFilters, QueueScope, SearchKind, parse_search, queue_page
from layanan.clock import utcnow


def test_queue_lists_only_the_stages_of_the_role(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "sorter")
    make_staff(session, "data_lifter")
    intake = make_ticket(session)
    lifting = make_ticket(session, stage="data_lifting")
    sorting = make_ticket(session, stage="sorting")

    sorter_page = login(http, "sorter")
    http.cookies.clear()
    lifter_page = login(http, "data-lifter")

    assert queue_numbers(sorter_page.text) == [sorting.number]
    assert queue_numbers(lifter_page.text) == [lifting.number]
    assert intake.number not in queue_numbers(sorter_page.text) + queue_numbers(lifter_page.text)


def test_oldest_due_first_overdue_marked_and_no_deadline_last(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "wa_receiver")
    now = utcnow()
    later = make_ticket(session, due_at=now + timedelta(days=2))
    none = make_ticket(session, due_at=None)
    late = make_ticket(session, due_at=now - timedelta(hours=3))
    soon = make_ticket(session, due_at=now + timedelta(hours=1))

    page = login(http, "wa-receiver")

    assert queue_numbers(page.text) == [late.number, soon.number, later.number, none.number]
    rows = dict(re.findall(r'data-number="([^"]+)">(.*?)</tr>', page.text, flags=re.S))
    assert "Terlambat" in rows[late.number]
    assert all("Terlambat" not in rows[n.number] for n in (soon, later, none))
    assert "tanpa batas" in rows[none.number]
    # The stage tab counts all four, one of them late.
    assert re.search(r"Penerimaan permohonan WA\s*<span class=\"badge\">4</span>\s*"
                     r"<span class=\"badge overdue\">1 terlambat</span>", page.text)


def test_filters_by_kecamatan_service_and_overdue(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "wa_receiver")
    now = utcnow()
    gisting = make_ticket(session, kecamatan_code="180620", service=Service.KK)
    kota_agung_late = make_ticket(session, kecamatan_code="180601", due_at=now - timedelta(minutes=5))
    kota_agung_kia = make_ticket(session, kecamatan_code="180601", service=Service.KIA)
    login(http, "wa-receiver")

    assert queue_numbers(http.get("/antrian", params={"kecamatan": "180620"}).text) == [gisting.number]
    assert queue_numbers(http.get("/antrian", params={"layanan": "kia"}).text) == [kota_agung_kia.number]
    assert queue_numbers(http.get("/antrian", params={"terlambat": "1"}).text) == [kota_agung_late.number]
    both = http.get("/antrian", params={"kecamatan": "180601", "layanan": "ktp-el"}).text
    assert queue_numbers(both) == [kota_agung_late.number]
    # A made-up filter value is ignored rather than hiding everything.
    assert len(queue_numbers(http.get("/antrian", params={"kecamatan": "999999"}).text)) == 3


def test_search_by_number_nik_and_phone(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "wa_receiver")
    siti = make_ticket(session, nik="1806014505900001", phone="+6281234567890")
    budi = make_ticket(session, nik="1806020101850002", phone="+6285212345678", name="Budi")
    login(http, "wa-receiver")

    def search(text: str) -> list[str]:
        return queue_numbers(http.get("/antrian", params={"q": text}).text)

    assert search(budi.number) == [budi.number]
    assert search(budi.number.lower()) == [budi.number]
    assert search("1806014505900001") == [siti.number]
    assert search("1806 0145 0590 0001") == [siti.number]
    assert search("085212345678") == [budi.number]
    assert search("0852-1234-5678") == [budi.number]
    assert search("+62 852 1234 5678") == [budi.number]
    assert search("PGD-2026-999999") == []
    page = http.get("/antrian", params={"q": "siti"}).text
    assert queue_numbers(page) == []
    assert "bukan nomor tiket" in page


def test_nik_is_masked_in_the_queue(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "data_lifter")  # may see the full NIK on the ticket page, never in lists
    make_ticket(session, stage="data_lifting", nik="1806014505900001")
    page = login(http, "data-lifter")
    assert "1806014505900001" not in page.text
    assert "1806********0001" in page.text


def test_keyset_pages_return_every_ticket_exactly_once(app, http, session) -> None:  # type: ignore[no-untyped-def]
    app.config["QUEUE_PAGE_SIZE"] = 4
    make_staff(session, "wa_receiver")
    now = utcnow()
    # Ties on due_at across page boundaries, and tickets without a deadline at the end.
    dues = [now + timedelta(hours=h) for h in (5, 1, 1, 1, 1, 1, 3, 3, 2)] + [None, None, None]
    tickets = [make_ticket(session, due_at=due) for due in dues]
    expected = [t.number for t in sorted(tickets, key=lambda t: (t.due_at is None, t.due_at or now, t.id))]

    seen: list[str] = []
    page = login(http, "wa-receiver")
    pages = 1
    while True:
        numbers = queue_numbers(page.text)
        assert len(numbers) <= 4
        seen.extend(numbers)
        link = re.search(r'<a class="button" rel="next" href="([^"]+)"', page.text)
        if link is None:
            break
        page = http.get(link.group(1).replace("&amp;", "&"))
        pages += 1

    assert seen == expected
    assert pages == 3


def test_keyset_paging_keeps_filters(app, http, session) -> None:  # type: ignore[no-untyped-def]
    app.config["QUEUE_PAGE_SIZE"] = 2
    make_staff(session, "wa_receiver")
    gisting = [make_ticket(session, kecamatan_code="180620") for _ in range(3)]
    make_ticket(session, kecamatan_code="180601")
    page = login(http, "wa-receiver", next="/antrian?kecamatan=180620")
    first = queue_numbers(page.text)
    link = re.search(r'rel="next" href="([^"]+)"', page.text)
    assert link is not None
    second = queue_numbers(http.get(link.group(1).replace("&amp;", "&")).text)
    assert first + second == [t.number for t in gisting]


def test_upt_sees_only_its_own_kecamatan(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "upt_officer", kecamatan_code="180601")
    mine = make_ticket(session, kecamatan_code="180601", stage="upt_receipt")
    make_ticket(session, kecamatan_code="180620", stage="upt_receipt")

    login(http, "upt-officer")  # lands on the phone page of the UPT; the queue lists the same kecamatan
    page = http.get("/antrian")

    assert queue_numbers(page.text) == [mine.number]


def test_ticket_waiting_for_the_citizen_stays_in_the_owners_queue(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "registration_counter")
    make_staff(session, "wa_receiver")
    waiting = make_ticket(session, stage="waiting_citizen", return_stage="counter_registration", due_at=None)

    page = login(http, "registration-counter")
    assert queue_numbers(page.text) == [waiting.number]
    assert "kembali ke: Pendaftaran dan verifikasi di loket" in page.text
    http.cookies.clear()
    assert queue_numbers(login(http, "wa-receiver").text) == []


def test_role_switcher_for_staff_with_several_roles(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "print_operator", "pdf_sender", username="serba-bisa")
    printing = make_ticket(session, stage="berkas_printing")
    sending = make_ticket(session, stage="pdf_sending")
    doc_printing = make_ticket(session, stage="document_printing")

    page = login(http, "serba-bisa")

    assert "Pilih peran" in page.text
    assert queue_numbers(page.text) == [printing.number, doc_printing.number]
    other = http.get("/antrian", params={"peran": "pdf_sender"}).text
    assert "Antrian: Operator Pengirim PDF" in other
    assert queue_numbers(other) == [sending.number]
    # A role the user does not hold falls back to their first role.
    assert queue_numbers(http.get("/antrian", params={"peran": "kepala_dinas"}).text) == queue_numbers(page.text)


def test_call_center_looks_up_every_ticket(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "call_center_agent")
    a = make_ticket(session)
    b = make_ticket(session, stage="done", due_at=None, phone="+6285212345678", nik="1806020101850002")

    login(http, "call-center-agent")
    page = http.get("/antrian")

    assert set(queue_numbers(page.text)) == {a.number, b.number}
    assert queue_numbers(http.get("/antrian", params={"q": "085212345678"}).text) == [b.number]


def test_stage_tab_narrows_to_one_stage(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "print_operator")
    make_ticket(session, stage="berkas_printing")
    doc = make_ticket(session, stage="document_printing")
    login(http, "print-operator")
    assert queue_numbers(http.get("/antrian", params={"tahap": "document_printing"}).text) == [doc.number]


# --- the query itself -----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("PGD-2026-000123", SearchKind.NUMBER, "PGD-2026-000123"),
    ("pgd-2026-123", SearchKind.NUMBER, "PGD-2026-000123"),
    ("1806014505900001", SearchKind.NIK, "1806014505900001"),
    ("1806.0145.0590.0001", SearchKind.NIK, "1806014505900001"),
    ("081234567890", SearchKind.PHONE, "+6281234567890"),
    ("6281234567890", SearchKind.PHONE, "+6281234567890"),
    ("whatsapp:+6281234567890", SearchKind.PHONE, "+6281234567890"),
])
def test_parse_search(text: str, kind: SearchKind, value: str) -> None:
    term = parse_search(text)
    assert term is not None
    assert (term.kind, term.value) == (kind, value)


@pytest.mark.parametrize("text", ["", "   ", "siti", "12345", "180601450590000"])
def test_parse_search_refuses_what_it_cannot_read(text: str) -> None:
    assert parse_search(text) is None


def test_cursor_round_trips_and_ignores_garbage() -> None:
    moment = utcnow()
    assert Cursor.decode(Cursor(moment, 42).encode()) == Cursor(moment, 42)
    assert Cursor.decode(Cursor(None, 7).encode()) == Cursor(None, 7)
    for junk in ("", "x_1", "12_", "n_abc", "1_2_3"):
        assert Cursor.decode(junk) is None


def test_queue_page_walks_ties_without_offset(session) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    same = now + timedelta(hours=1)
    tickets = [make_ticket(session, due_at=due) for due in (same, None, same, same, now, None, same)]
    scope = QueueScope(stages=("intake",))
    expected = [t.id for t in sorted(tickets, key=lambda t: (t.due_at is None, t.due_at or now, t.id))]

    seen: list[int | None] = []
    cursor = None
    for _ in range(10):
        page = queue_page(session, scope, QueueFilters(), now=now, after=cursor, limit=2)
        seen.extend(row.ticket.id for row in page.rows)
        cursor = page.next_cursor
        if cursor is None:
            break

    assert seen == expected


def test_sla_chips_say_on_time_due_today_or_overdue_by_the_wib_day(http, session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 10:00 WIB
    monkeypatch.setattr("tickets.views.utcnow", lambda: now)
    make_staff(session, "wa_receiver")
    late = make_ticket(session, due_at=now - timedelta(hours=1))
    today = make_ticket(session, due_at=now + timedelta(hours=6))  # 16:00 WIB, the same day
    tonight_utc = make_ticket(session, due_at=now + timedelta(hours=15))  # 18:00 UTC: 01:00 WIB tomorrow
    later = make_ticket(session, due_at=now + timedelta(days=2))

    page = login(http, "wa-receiver").text

    chips = dict(re.findall(r'data-number="([^"]+)">.*?<span class="chip sla-chip sla-([a-z-]+)">',
                            page, flags=re.S))
    assert chips == {late.number: "overdue", today.number: "due-today", tonight_utc.number: "on-time",
                     later.number: "on-time"}
    rows = dict(re.findall(r'data-number="([^"]+)">(.*?)</tr>', page, flags=re.S))
    assert "Terlambat" in rows[late.number] and "Jatuh tempo hari ini" in rows[today.number]
    assert "Tepat waktu" in rows[later.number]
