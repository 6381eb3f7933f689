"""What agents and integrations type, and what the PBX writes, read the way a person would."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot.call_center.cdr import read_master_csv
from bot.call_center.models import Outcome
from bot.call_center.services import log_call, parse_call
from tests.call_center.conftest import call_form
from tests.tickets.conftest import make_staff
from layanan.clock import utcnow


@pytest.mark.parametrize("typed", ["081298765432", "0812-9876-5432", "62 812 9876 5432", "+6281298765432",
                                   "(0812) 9876.5432"])
def test_indonesian_phone_formats_become_e164(typed: str) -> None:
    draft, errors = parse_call(call_form(phone=typed))
    assert errors == {}
    assert draft is not None and draft.phone == "+6281298765432"


def test_optional_fields_may_stay_empty_for_a_call_answered_on_the_phone() -> None:
    draft, errors = parse_call({"phone": "081298765432", "topic": "umum", "outcome": "answered"})
    assert errors == {}
    assert draft is not None and draft.caller_name is None and draft.kecamatan_code is None


def test_kecamatan_by_name_or_code_and_nik_checked() -> None:
    draft, _ = parse_call(call_form(kecamatan="ulubelu", nik="1806 0145 0590 0001"))
    assert draft is not None and draft.kecamatan_code == "180615" and draft.nik == "1806014505900001"
    _, errors = parse_call(call_form(kecamatan="Atlantis", nik="1806013202900001"))
    assert errors["kecamatan"] == "Kecamatan tidak dikenal."
    assert "Tanggal lahir pada NIK" in errors["nik"]


def test_a_complaint_is_always_filed_as_pengaduan() -> None:
    draft, _ = parse_call(call_form(outcome="complaint", topic="kk", notes="Blanko KTP-el kosong berbulan-bulan"))
    assert draft is not None and draft.outcome is Outcome.COMPLAINT and draft.topic == "pengaduan"


def test_the_call_time_from_an_integration() -> None:
    draft, _ = parse_call(call_form(called_at="2026-11-23T09:15:00+07:00"))
    assert draft is not None and draft.called_at == datetime(2026, 11, 23, 2, 15, tzinfo=UTC)
    for bad in ("kemarin", "2026-11-23T09:15:00", (utcnow() + timedelta(hours=1)).isoformat()):
        _, errors = parse_call(call_form(called_at=bad))
        assert "called_at" in errors, bad


def test_the_log_masks_the_nik_and_the_number(session, caplog) -> None:  # type: ignore[no-untyped-def]
    agent = make_staff(session, "call_center_agent")
    draft, _ = parse_call(call_form(nik="1806014505900001", outcome="answered"))
    with caplog.at_level(logging.INFO):
        log_call(session, draft, agent_id=agent.id)  # type: ignore[arg-type]
    text = caplog.text
    assert "1806********0001" in text
    assert "1806014505900001" not in text and "81298765432" not in text


def test_master_csv_with_a_header_in_utc_and_latin1() -> None:
    data = ('"accountcode","src","dst","dcontext","clid","channel","dstchannel","lastapp","lastdata","start",'
            '"answer","end","duration","billsec","disposition","amaflags","uniqueid","userfield"\n'
            '"","","100","from-pstn","""Jos\xe9"" <0812-9876-5432>","SIP/a","SIP/b","Dial","","2026-11-23 02:00:00",'
            '"2026-11-23 02:00:04","2026-11-23 02:03:04",184,180,"ANSWERED","DOCUMENTATION","17.1",""\n').encode("latin-1")
    [row], errors = read_master_csv(data, "UTC")
    assert errors == []
    assert row.line == 2
    assert row.phone == "+6281298765432"  # src empty: the number in the caller ID
    assert row.caller_id.startswith('"José"')
    assert row.started_at == datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    assert (row.duration, row.billsec, row.disposition) == (184, 180, "ANSWERED")
