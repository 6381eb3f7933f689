"""The daily digest: chosen on the staff member's own page, sent by the clock's job through the outbox once per
working day at the chosen WIB time, with the counts of their SOPs."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from rq import Queue
from sqlmodel import Session

import bot.staff_digest
from berita_acara import handover
from berita_acara.stages import stages_of
from layanan.clock import WIB
from routing import workflow
from routing.definition import RoleDuty
from tests.call_center.conftest import outbox_records
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import csrf_token, login, make_message, make_staff, make_ticket

NUMBER = "+6281299990000"
MONDAY_0731 = datetime(2026, 12, 7, 7, 31, tzinfo=WIB)


def run_clock(monkeypatch: pytest.MonkeyPatch, redis, run_jobs, moment: datetime) -> None:  # type: ignore[no-untyped-def]
    """Run the clock's digest job through the real RQ worker, as if it were this moment."""
    monkeypatch.setattr(bot.staff_digest, "utcnow", lambda: moment)
    Queue("default", connection=redis).enqueue(bot.staff_digest.send_daily_digests)
    run_jobs()


def choose_digest(http, **fields: str):  # type: ignore[no-untyped-def]
    page = http.get("/kotak-masuk/ringkasan-harian")
    return http.post("/kotak-masuk/ringkasan-harian", data={"csrf_token": csrf_token(page.text), **fields})


def test_the_digest_goes_out_once_per_working_day_at_the_chosen_time(
        session: Session, app, http, redis, run_jobs, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    definition = workflow(TANGGAMUS)
    signer = definition.role_for(RoleDuty.SIGN)
    make_staff(session, signer, username="penanda-tangan")
    first = definition.first_stage
    second = definition.next_stage(first.key)
    assert second is not None
    make_ticket(session, due_at=MONDAY_0731 - timedelta(hours=1))  # overdue at the digest's moment
    make_ticket(session, due_at=MONDAY_0731 + timedelta(days=1))
    make_ticket(session, stage=second.key, due_at=MONDAY_0731 + timedelta(days=1))
    chain = stages_of(TANGGAMUS)
    assert chain is not None
    kasi = make_staff(session, chain.creator_role, username="pembuat-ba")
    make_ticket(session, stage=chain.handover.key, due_at=MONDAY_0731 + timedelta(days=1))
    handover.create_berita_acara(session, kasi, "180601", app.config["BERITA_ACARA_NUMBER_FORMAT"])

    login(http, "penanda-tangan")
    refused = choose_digest(http, whatsapp="0722 21234", daily_digest="on", digest_time="07:30")
    assert refused.status_code == 422
    assert "bukan nomor seluler" in refused.text and 'value="0722 21234"' in refused.text  # nothing typed lost
    assert choose_digest(http, whatsapp="0812-9999-0000", daily_digest="on", digest_time="07.30").status_code == 200
    assert 'value="+6281299990000"' in http.get("/kotak-masuk/ringkasan-harian").text

    run_clock(monkeypatch, redis, run_jobs, datetime(2026, 12, 6, 7, 31, tzinfo=WIB))  # a Sunday
    run_clock(monkeypatch, redis, run_jobs, datetime(2026, 12, 25, 7, 31, tzinfo=WIB))  # Christmas, a Friday
    run_clock(monkeypatch, redis, run_jobs, datetime(2026, 12, 7, 7, 29, tzinfo=WIB))  # before the chosen time
    assert outbox_records(app) == []

    run_clock(monkeypatch, redis, run_jobs, MONDAY_0731)
    run_clock(monkeypatch, redis, run_jobs, MONDAY_0731)  # the clock runs the job twice
    run_clock(monkeypatch, redis, run_jobs, MONDAY_0731 + timedelta(minutes=20))
    [sent] = outbox_records(app)
    assert sent["to"] == f"whatsapp:{NUMBER}"
    # Outside the 24-hour window: the template's text, with the counts of the signer's SOPs in one line.
    assert sent["body"].startswith("Ringkasan harian Layanan Pengaduan Online, Senin, 7 Desember 2026: "
                                   "4 tiket terbuka, 1 lewat mutu baku;")
    assert "Berita acara menunggu tanda tangan Anda: 1" in sent["body"]
    assert "Warga menunggu petugas: 0" in sent["body"]
    assert sent["body"].endswith("/kotak-masuk")

    run_clock(monkeypatch, redis, run_jobs, MONDAY_0731 + timedelta(days=1))  # Tuesday: the next one
    assert len(outbox_records(app)) == 2


def test_inside_the_window_the_digest_lists_each_stage(
        session: Session, app, redis, run_jobs, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    definition = workflow(TANGGAMUS)
    head = definition.section_head_for(definition.first_stage.key)
    chief = make_staff(session, head, username="kepala-seksi")
    chief.whatsapp, chief.daily_digest, chief.digest_time = NUMBER, True, "07:30"
    session.add(chief)
    session.commit()
    make_ticket(session, due_at=MONDAY_0731 - timedelta(hours=1))
    make_ticket(session, due_at=MONDAY_0731 + timedelta(days=1))
    make_message(session, phone=NUMBER, body="halo")  # the chief wrote to the office: the window is open

    run_clock(monkeypatch, redis, run_jobs, MONDAY_0731)
    [sent] = outbox_records(app)
    assert "*Ringkasan harian* Senin, 7 Desember 2026" in sent["body"]
    assert f"- {definition.first_stage.name}: 2 / 1" in sent["body"]
    assert "Jumlah: 2 terbuka, 1 lewat mutu baku." in sent["body"]


def test_no_digest_for_an_account_that_did_not_ask(
        session: Session, app, redis, run_jobs, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    signer = make_staff(session, workflow(TANGGAMUS).role_for(RoleDuty.SIGN), username="penanda-tangan")
    signer.whatsapp = NUMBER  # a number, but no digest chosen
    session.add(signer)
    session.commit()
    run_clock(monkeypatch, redis, run_jobs, MONDAY_0731)
    assert outbox_records(app) == []
