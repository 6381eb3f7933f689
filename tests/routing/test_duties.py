"""Duties, served channels and ticket columns: what features look up in the SOP instead of spelling keys."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from routing import workflow_for
from routing.definition import (
    DefinitionError,
    MissingDuty,
    OutputSource,
    RoleDuty,
    StageDuty,
    TicketColumn,
    get_definition,
    parse_definition,
)
from routing.workflows import NoWorkflow, _check_serves, _check_work_stages_unique
from tests.support.workflows import BALANGAN, TANGGAMUS

SOP_DIR = Path(__file__).resolve().parents[2] / "routing" / "sop"


def tanggamus_data() -> dict[str, Any]:
    return yaml.safe_load((SOP_DIR / f"{TANGGAMUS}.yaml").read_text(encoding="utf-8"))


def test_tanggamus_names_who_does_each_duty() -> None:
    tanggamus = get_definition(TANGGAMUS)
    assert tanggamus.role_for(RoleDuty.SIGN) == "kepala_dinas"
    assert tanggamus.role_for(RoleDuty.SEND_PDF) == "pdf_sender"
    assert tanggamus.role_for(RoleDuty.TAKE_CALLS) == "call_center_agent"
    assert tanggamus.role_for(RoleDuty.KECAMATAN_BOUND) == "upt_officer"
    assert tanggamus.roles_for(RoleDuty.ANSWER_CITIZENS) == ("wa_receiver", "call_center_agent")
    document_chain = (StageDuty.SORT, StageDuty.HANDOVER, StageDuty.COURIER, StageDuty.UPT_RECEIPT, StageDuty.PICKUP)
    assert [tanggamus.stage_for(d).key for d in document_chain] == [
        "sorting", "handover_batch", "courier_delivery", "upt_receipt", "pickup"]
    assert not tanggamus.has_duty(StageDuty.CITIZEN_VERDICT)


def test_outputs_fill_ticket_columns() -> None:
    filled = {output.fills: stage for stage, output in get_definition(TANGGAMUS).column_outputs()}
    assert filled == {TicketColumn.REGISTRATION_NUMBER: "counter_registration",
                      TicketColumn.KECAMATAN_CODE: "sorting"}


def test_asking_for_a_duty_the_sop_lacks_names_it() -> None:
    balangan = get_definition(BALANGAN)
    assert balangan.role_for(RoleDuty.SUBMIT_FOR_CITIZEN) == "aparat_desa"
    with pytest.raises(MissingDuty, match="'sign'.*needed by TTE"):
        balangan.role_for(RoleDuty.SIGN, feature="TTE")
    with pytest.raises(MissingDuty, match="'courier'"):
        balangan.stage_for(StageDuty.COURIER)


def test_a_feature_requirement_lists_every_missing_duty() -> None:
    with pytest.raises(DefinitionError) as refused:
        get_definition(BALANGAN).require("berita acara", [RoleDuty.SIGN, StageDuty.HANDOVER, StageDuty.COURIER])
    problems = " ".join(refused.value.problems)
    assert "'sign' needed by berita acara" in problems and "'handover'" in problems and "'courier'" in problems


def test_a_signed_document_output_without_a_signer_is_refused_at_load_time() -> None:
    data = tanggamus_data()
    del data["duties"]["sign"]
    with pytest.raises(DefinitionError, match="source 'signed_document' needs the duty 'sign'"):
        parse_definition(data, source="contoh.yaml")


def test_a_berita_acara_output_without_its_handover_stages_is_refused() -> None:
    data = tanggamus_data()
    del data["stage_duties"]["courier"]
    del data["stage_duties"]["upt_receipt"]
    with pytest.raises(DefinitionError) as refused:
        parse_definition(data, source="contoh.yaml")
    problems = " ".join(refused.value.problems)
    assert "needs the duty 'courier'" in problems and "needs the duty 'upt_receipt'" in problems


@pytest.mark.parametrize("change, message", [
    (lambda d: d["duties"].update(sign="bupati"), "unknown role 'bupati'"),
    (lambda d: d["duties"].update(menyapu="kabid"), "unknown role duty 'menyapu'"),
    (lambda d: d["stage_duties"].update(pickup="done"), "'done', which is not a work stage"),
    (lambda d: d["stage_duties"].update(pickup="ambil"), "'ambil', which is not a work stage"),
    (lambda d: d["stages"][3]["outputs"][0].update(fills="nik"), "unknown ticket column 'nik'"),
    (lambda d: d["serves"].append({"channel": ""}), "channel must be a non-empty text"),
    (lambda d: d.update(order="satu"), "order must be a whole number"),
])
def test_broken_duties_are_refused(change: Any, message: str) -> None:
    data = tanggamus_data()
    change(data)
    with pytest.raises(DefinitionError, match=message):
        parse_definition(data, source="contoh.yaml")


def test_new_tickets_take_the_workflow_their_channel_and_service_ask_for() -> None:
    assert workflow_for("whatsapp", "kk").key == TANGGAMUS
    assert workflow_for("call-center", "akta-kelahiran").key == TANGGAMUS
    assert workflow_for("pekon", "ktp-el").key == BALANGAN
    with pytest.raises(NoWorkflow, match="'faks'"):
        workflow_for("faks", "kk")


def test_a_service_specific_sop_wins_over_a_channel_wide_one() -> None:
    data = copy.deepcopy(tanggamus_data())
    data["key"] = "pengaduan_saja"
    data["serves"] = [{"channel": "whatsapp", "services": ["pengaduan"]}]
    complaints = parse_definition(data)
    tanggamus = get_definition(TANGGAMUS)
    assert [s.covers("whatsapp", "pengaduan") for s in complaints.serves] == [True]
    assert [s.covers("whatsapp", "kk") for s in complaints.serves] == [False]
    assert any(s.covers("whatsapp", "kk") for s in tanggamus.serves)


def test_two_sops_claiming_the_same_channel_are_refused() -> None:
    data = tanggamus_data()
    data["key"] = "tiruan"
    with pytest.raises(DefinitionError, match="channel 'whatsapp', every service: served by both"):
        _check_serves((get_definition(TANGGAMUS), parse_definition(data)))


def test_a_work_stage_key_belongs_to_one_sop() -> None:
    data = tanggamus_data()
    data["key"] = "tiruan"
    data["serves"] = []
    with pytest.raises(DefinitionError, match="work stage 'intake' is in both"):
        _check_work_stages_unique((get_definition(TANGGAMUS), parse_definition(data)))


def test_output_sources_that_need_duties_are_listed() -> None:
    # The sources a feature fills are the ones whose duties the loader checks.
    tanggamus = get_definition(TANGGAMUS)
    sources = {o.source for s in tanggamus.stages for o in s.outputs}
    assert {OutputSource.SIGNED_DOCUMENT, OutputSource.BERITA_ACARA} <= sources
