"""What the complaint SOP adds to the engine: a deadline picked by an output, and a stage the citizen decides."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from routing import workflow_for
from routing.definition import WORKING_DAY, Action, DefinitionError, RoleDuty, StageDuty, get_definition, parse_definition
from routing.engine import InvalidTransition, TicketView, plan_transition
from routing.sla import due_at

COMPLAINTS = "pengaduan_masyarakat_tanggamus"
SOP_DIR = Path(__file__).resolve().parents[2] / "routing" / "sop"


def complaint_data() -> dict[str, Any]:
    return yaml.safe_load((SOP_DIR / f"{COMPLAINTS}.yaml").read_text(encoding="utf-8"))


def problems_of(data: dict[str, Any]) -> str:
    with pytest.raises(DefinitionError) as refused:
        parse_definition(data, source="uji.yaml")
    return str(refused.value)


def test_complaints_from_whatsapp_and_the_call_center_run_on_the_complaint_sop() -> None:
    assert workflow_for("whatsapp", "pengaduan").key == COMPLAINTS
    assert workflow_for("call-center", "pengaduan").key == COMPLAINTS
    assert workflow_for("whatsapp", "ktp-el").key != COMPLAINTS


def test_the_complaint_sop_names_its_duties() -> None:
    complaints = get_definition(COMPLAINTS)
    assert complaints.stage_for(StageDuty.ANSWER).key == "tindak_lanjut_pengaduan"
    assert complaints.stage_for(StageDuty.CITIZEN_VERDICT).key == "tanggapan_pelapor"
    assert complaints.role_for(RoleDuty.HEAR_ESCALATIONS) == "kepala_dinas"
    assert [s.key for s in complaints.chain] == ["triase_pengaduan", "disposisi_pengaduan", "tindak_lanjut_pengaduan",
                                                 "persetujuan_jawaban", "tanggapan_pelapor"]


@pytest.mark.parametrize(("kelas", "days"), [
    ("Informasi/pengaduan sederhana", 5), ("Perlu koordinasi", 14), ("Perlu pemeriksaan lapangan", 60), (None, 5)])
def test_the_answer_deadline_follows_the_class(kelas: str | None, days: int) -> None:
    group = get_definition(COMPLAINTS).sla_group_for("persetujuan_jawaban")
    assert group is not None
    assert group.duration_for({"kelas_pengaduan": kelas} if kelas else {}) == days * WORKING_DAY


def test_due_at_reads_the_outputs() -> None:
    complaints = get_definition(COMPLAINTS)
    monday = datetime(2026, 7, 6, 1, 0, tzinfo=UTC)  # 08:00 WIB
    simple = due_at(complaints, "tindak_lanjut_pengaduan", monday, monday)
    field = due_at(complaints, "tindak_lanjut_pengaduan", monday, monday,
                   outputs={"kelas_pengaduan": "Perlu pemeriksaan lapangan"})
    assert simple is not None and field is not None and field > simple + timedelta(days=50)


def _group(data: dict[str, Any]) -> dict[str, Any]:
    return next(g for g in data["sla_groups"] if "by_output" in g)


@pytest.mark.parametrize(("change", "problem"), [
    (lambda g: g["by_output"].update(output="tidak_ada"), "output 'tidak_ada' is not filled by a stage before"),
    (lambda g: g["by_output"].update(output="prioritas_pengaduan"), "no duration for 'Biasa'"),
    (lambda g: g["by_output"].update(output="jawaban_pengaduan"), "is not filled by a stage before the group"),
    (lambda g: g["by_output"]["durations"].update({"Darurat": {"working_days": 1}}), "'Darurat' is not an option"),
    (lambda g: g["by_output"]["durations"].pop("Perlu koordinasi"), "no duration for 'Perlu koordinasi'"),
    (lambda g: g["by_output"]["durations"].update({"Perlu koordinasi": {"weeks": 2}}), "unknown duration unit"),
    (lambda g: g["by_output"].update(extra=1), "unknown field 'extra'"),
])
def test_by_output_mistakes_are_named(change, problem: str) -> None:  # type: ignore[no-untyped-def]
    data = copy.deepcopy(complaint_data())
    change(_group(data))
    assert problem in problems_of(data)


def test_a_by_output_on_a_text_output_is_refused() -> None:
    data = copy.deepcopy(complaint_data())
    data["stages"][0]["outputs"].append({"key": "ringkasan", "label": "Ringkasan", "type": "text"})
    _group(data)["by_output"]["output"] = "ringkasan"
    assert "must be a choice output" in problems_of(data)


def test_the_verdict_stage_must_follow_the_answer_stage_and_allow_return() -> None:
    data = copy.deepcopy(complaint_data())
    data["stage_duties"]["answer"] = "persetujuan_jawaban"  # its only output is a check: no text answer
    data["stages"][4]["actions"] = ["advance"]
    text = problems_of(data)
    assert "stage 'persetujuan_jawaban' needs a text output" in text
    assert "stage 'tanggapan_pelapor' must allow 'return'" in text

    data = copy.deepcopy(complaint_data())
    del data["stage_duties"]["answer"]
    assert "needs the stage duty 'answer'" in problems_of(data)

    data = copy.deepcopy(complaint_data())
    data["stages"][4]["outputs"] = [{"key": "puas", "label": "Pelapor puas", "type": "check"}]
    assert "cannot have required outputs" in problems_of(data)


def test_only_the_verdict_stage_lets_the_bot_act() -> None:
    complaints = get_definition(COMPLAINTS)
    verdict = TicketView(stage="tanggapan_pelapor", version=3, actor_id=None)
    closed = plan_transition(complaints, verdict, Action.ADVANCE, set(), {"note": "Pelapor: sudah"})
    assert closed.to_stage == complaints.done_stage.key
    reopened = plan_transition(complaints, verdict, Action.RETURN_, set(),
                               {"reason": "Pelapor: belum", "to_stage": "tindak_lanjut_pengaduan"})
    assert reopened.to_stage == "tindak_lanjut_pengaduan" and reopened.note == "Pelapor: belum"
    with pytest.raises(InvalidTransition):
        plan_transition(complaints, verdict, Action.REJECT, set(), {"reason": "x"})
    with pytest.raises(InvalidTransition):
        plan_transition(complaints, TicketView(stage="persetujuan_jawaban", version=3, actor_id=None),
                        Action.ADVANCE, set(), {"outputs": {"jawaban_disetujui": True}})
