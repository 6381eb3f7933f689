"""The shipped SOP definitions load and answer questions about their chains."""

from datetime import timedelta

import pytest

from routing.definition import (
    Action,
    Definition,
    DefinitionError,
    Milestone,
    OutputSource,
    StageKind,
    available_definitions,
    get_definition,
    load_definition,
)
from tests.support.workflows import TANGGAMUS

TANGGAMUS_CHAIN = [
    ("intake", "wa_receiver"),
    ("data_lifting", "data_lifter"),
    ("berkas_printing", "print_operator"),
    ("counter_registration", "registration_counter"),
    ("kasi_verification", "kasi_identitas"),
    ("data_entry", "data_entry_operator"),
    ("e_signature", "kepala_dinas"),
    ("document_printing", "print_operator"),
    ("kabid_review", "kabid"),
    ("sorting", "sorter"),
    ("pdf_sending", "pdf_sender"),
    ("handover_batch", "kasi_inovasi"),
    ("courier_delivery", "courier_officer"),
    ("upt_receipt", "upt_officer"),
    ("pickup", "pickup_counter"),
    ("archive", "archivist"),
]


def test_tanggamus_lists_stages_in_sop_order(tanggamus: Definition) -> None:
    assert [(s.key, s.role) for s in tanggamus.chain] == TANGGAMUS_CHAIN
    assert tanggamus.stage_keys == (
        *(k for k, _ in TANGGAMUS_CHAIN), "done", "rejected", "waiting_citizen"
    )
    assert tanggamus.first_stage.key == "intake"
    assert tanggamus.done_stage.key == "done"
    assert tanggamus.rejected_stage is not None and tanggamus.rejected_stage.key == "rejected"
    assert tanggamus.waiting_stage is not None and tanggamus.waiting_stage.kind is StageKind.WAITING


def test_every_stage_is_reachable(tanggamus: Definition) -> None:
    reached = {tanggamus.first_stage.key}
    frontier = [tanggamus.first_stage]
    while frontier:
        stage = frontier.pop()
        targets = []
        if stage.next:
            targets.append(tanggamus.stage(stage.next))
        if Action.REJECT in stage.actions or stage.kind is StageKind.WAITING:
            targets.append(tanggamus.rejected_stage)
        if Action.ASK_CITIZEN in stage.actions:
            targets.append(tanggamus.waiting_stage)
        for target in targets:
            if target.key not in reached:
                reached.add(target.key)
                frontier.append(target)
    assert reached == set(tanggamus.stage_keys)


def test_roles_are_data(tanggamus: Definition) -> None:
    assert tanggamus.role("call_center_agent").name == "Petugas Call Center"
    assert tanggamus.role("wa_receiver").name == "Operator Penerima WA"
    assert tanggamus.role("kasi_identitas").name == "Kasi Identitas Penduduk"
    assert tanggamus.stages_for_role("call_center_agent") == ()
    assert [s.key for s in tanggamus.stages_for_role("print_operator")] == [
        "berkas_printing",
        "document_printing",
    ]
    assert tanggamus.roles_seeing_full_nik == {
        "data_lifter", "registration_counter", "kasi_identitas", "data_entry_operator", "kabid"
    }
    with pytest.raises(KeyError):
        tanggamus.role("bupati")


def test_navigation(tanggamus: Definition) -> None:
    assert tanggamus.next_stage("intake").key == "data_lifting"
    assert tanggamus.next_stage("archive").key == "done"
    assert tanggamus.next_stage("done") is None
    assert [s.key for s in tanggamus.earlier_stages("counter_registration")] == [
        "intake", "data_lifting", "berkas_printing"
    ]
    assert tanggamus.earlier_stages("intake") == ()
    assert tanggamus.earlier_stages("waiting_citizen") == ()
    assert tanggamus.is_terminal("done") and tanggamus.is_terminal("rejected")
    assert not tanggamus.is_terminal("waiting_citizen") and not tanggamus.is_terminal("intake")
    with pytest.raises(KeyError, match="no stage 'nope'"):
        tanggamus.stage("nope")


def test_outputs_and_milestones(tanggamus: Definition) -> None:
    registration = tanggamus.stage("counter_registration")
    assert registration.output("registration_number").source is OutputSource.REGISTER
    assert registration.output("registration_number").system_assigned
    assert not registration.output("berkas_lengkap").system_assigned
    assert {o.key for o in tanggamus.stage("kasi_verification").outputs} == {"data_sesuai", "disetujui"}
    milestones = {s.key: s.milestone for s in tanggamus.stages if s.milestone}
    assert milestones == {
        "intake": Milestone.RECEIVED,
        "data_entry": Milestone.VERIFIED,
        "document_printing": Milestone.SIGNED,
        "handover_batch": Milestone.SENT,
        "pickup": Milestone.ARRIVED,
        "archive": Milestone.PICKED_UP,
        "done": Milestone.COMPLETED,
        "rejected": Milestone.REJECTED,
        "waiting_citizen": Milestone.WAITING_CITIZEN,
    }


def test_mutu_baku_groups(tanggamus: Definition) -> None:
    intake_group = tanggamus.sla_group_for("counter_registration")
    assert intake_group is not None
    assert intake_group.stages == ("intake", "data_lifting", "berkas_printing", "counter_registration")
    assert intake_group.duration == timedelta(hours=8)
    assert tanggamus.section_head_for("intake") == "kasi_identitas"
    assert tanggamus.section_head_for("handover_batch") == "kasi_inovasi"
    assert tanggamus.sla_group_for("handover_batch").duration == timedelta(hours=8)
    assert tanggamus.sla_group_for("kasi_verification") is None
    assert tanggamus.section_head_for("kasi_verification") == "kasi_identitas"


def test_registry() -> None:
    assert {"pengaduan_online_tanggamus", "digitalisasi_desa_balangan"} <= set(available_definitions())
    assert get_definition(TANGGAMUS) is get_definition(TANGGAMUS)
    with pytest.raises(DefinitionError, match="no SOP definition named 'lain'"):
        get_definition("lain")
    with pytest.raises(DefinitionError):
        get_definition("../sop/pengaduan_online_tanggamus")


@pytest.mark.parametrize("name", available_definitions())
def test_every_shipped_definition_loads(name: str) -> None:
    definition = get_definition(name)
    assert definition.key == name
    assert definition.chain[-1].next == definition.done_stage.key


def test_balangan_has_own_roles_and_minutes(balangan: Definition) -> None:
    assert [s.key for s in balangan.chain] == [
        "isi_formulir", "verifikasi_desa", "pengajuan_aplikasi", "verifikasi_dinas",
        "penerbitan_siak", "unggah_dokumen", "serah_dokumen", "arsip_desa",
    ]
    assert balangan.role("aparat_desa").name == "Aparat Desa"
    assert balangan.stage("isi_formulir").sla == timedelta(minutes=15)
    assert balangan.stage("penerbitan_siak").sla == timedelta(minutes=60)
    assert balangan.sla_groups == ()


def test_load_definition_from_path(tmp_path) -> None:
    from routing.definition import SOP_DIR

    copy = tmp_path / "copy.yaml"
    copy.write_text((SOP_DIR / "pengaduan_online_tanggamus.yaml").read_text(encoding="utf-8"))
    assert load_definition(copy).stage_keys == get_definition(TANGGAMUS).stage_keys
