"""Berita acara numbers: the configured format, no gaps and no duplicates when officers click at once."""

from __future__ import annotations

import threading
import time

import pytest
from flask import Flask
from sqlmodel import Session, select

from berita_acara import handover
from berita_acara.models import BeritaAcara
from berita_acara.numbering import DEFAULT_FORMAT, NumberFormatError, format_number, take_number
from berita_acara.stages import handover_stages
from routing import workflow
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import make_staff, make_ticket

THREADS = 6
EACH = 5


def test_default_and_configured_formats() -> None:
    assert format_number(DEFAULT_FORMAT, 12, 2026) == "470/012/BA-UPT/Disdukcapil/2026"
    assert format_number("BA/{year}/{seq:05d}", 7, 2027) == "BA/2027/00007"
    with pytest.raises(NumberFormatError, match="nomor urut"):
        format_number("470/BA-UPT/{year}", 1, 2026)
    with pytest.raises(NumberFormatError, match="tidak dapat dipakai"):
        format_number("470/{seq}/{tahun}", 1, 2026)


def test_a_rolled_back_number_is_taken_again(session: Session) -> None:
    seq, _ = take_number(session, DEFAULT_FORMAT, 2026)
    session.rollback()
    again, number = take_number(session, DEFAULT_FORMAT, 2026)
    session.commit()
    assert seq == again == 1 and number == "470/001/BA-UPT/Disdukcapil/2026"
    assert take_number(session, DEFAULT_FORMAT, 2027)[0] == 1  # each year starts from one


def test_concurrent_officers_get_distinct_gapless_numbers(app: Flask) -> None:
    engine = app.extensions["db_engine"]
    taken: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def officer() -> None:
        try:
            start.wait()
            for _ in range(EACH):
                with Session(engine) as own:
                    seq, _ = take_number(own, DEFAULT_FORMAT, 2026)
                    time.sleep(0.005)  # hold the number a moment, as creating the items does
                    own.commit()
                    taken.append(seq)
        except BaseException as exc:  # reported below: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=officer) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sorted(taken) == list(range(1, THREADS * EACH + 1))


def test_two_kecamatan_drawn_up_at_once(app: Flask, session: Session) -> None:
    kasi = make_staff(session, "kasi_inovasi")
    codes = ["180601", "180602", "180603", "180604"]
    stage = handover_stages(workflow(TANGGAMUS)).handover.key
    for code in codes:
        make_ticket(session, kecamatan_code=code, stage=stage)
    engine = app.extensions["db_engine"]
    errors: list[BaseException] = []
    start = threading.Barrier(len(codes))

    def draw_up(code: str) -> None:
        try:
            with app.app_context(), Session(engine, expire_on_commit=False) as own:
                start.wait()
                handover.create_berita_acara(own, own.get(type(kasi), kasi.id), code, DEFAULT_FORMAT)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=draw_up, args=(code,)) for code in codes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    made = session.exec(select(BeritaAcara)).all()
    assert sorted(b.seq for b in made) == [1, 2, 3, 4]
    assert sorted(b.kecamatan_code for b in made) == codes


def test_the_same_kecamatan_drawn_up_twice_at_once(app: Flask, session: Session) -> None:
    kasi = make_staff(session, "kasi_inovasi")
    for _ in range(3):
        make_ticket(session, kecamatan_code="180601", stage=handover_stages(workflow(TANGGAMUS)).handover.key)
    engine = app.extensions["db_engine"]
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def draw_up() -> None:
        with app.app_context(), Session(engine, expire_on_commit=False) as own:
            start.wait()
            try:
                handover.create_berita_acara(own, own.get(type(kasi), kasi.id), "180601", DEFAULT_FORMAT)
                outcomes.append("dibuat")
            except handover.HandoverError as exc:
                outcomes.append(str(exc))

    threads = [threading.Thread(target=draw_up) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(outcomes, key=lambda o: o != "dibuat")[0] == "dibuat" and outcomes.count("dibuat") == 1
    made = session.exec(select(BeritaAcara)).all()
    assert [b.seq for b in made] == [1]  # the loser's number was rolled back: no gap
    assert len(handover.items_of(session, made[0])) == 3
    # The other officer is told why, whether the first had already committed or not.
    (refused,) = [o for o in outcomes if o != "dibuat"]
    assert "berita acara lain" in refused or "Tidak ada berkas" in refused
