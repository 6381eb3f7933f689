"""Transition rules: who may do what to a ticket, and where it goes."""

from datetime import date

import pytest

from routing.definition import Definition, Milestone
from routing.engine import (
    Action,
    ClaimedByOther,
    InvalidTransition,
    MissingOutput,
    MissingReason,
    NotClaimed,
    TicketView,
    TransitionError,
    WrongRole,
    available_actions,
    plan_transition,
)


def test_claim_then_advance_with_outputs(tanggamus: Definition, new_ticket) -> None:
    ticket = new_ticket(tanggamus)
    claim = ticket.act(Action.CLAIM, {"wa_receiver"}, actor_id=7)
    assert (claim.from_stage, claim.to_stage, claim.claimed_by) == ("intake", "intake", 7)
    assert not claim.moves
    advance = ticket.act(
        Action.ADVANCE, {"wa_receiver"}, actor_id=7,
        payload={"outputs": {"berkas_wa_diterima": "on"}, "note": "  lengkap  "},
    )
    assert advance.to_stage == "data_lifting"
    assert advance.outputs == {"berkas_wa_diterima": True}
    assert advance.note == "lengkap"
    assert advance.claimed_by is None
    assert advance.expected_version == 2
    assert advance.milestone is None


def test_wrong_role(tanggamus: Definition) -> None:
    view = TicketView("kasi_verification", 3, claimed_by=None, actor_id=5)
    with pytest.raises(WrongRole) as info:
        plan_transition(tanggamus, view, Action.CLAIM, {"data_entry_operator", "wa_receiver"})
    assert "Kasi Identitas Penduduk" in info.value.message


def test_claim_required_before_acting(tanggamus: Definition) -> None:
    roles = {"registration_counter"}
    with pytest.raises(NotClaimed):
        plan_transition(tanggamus, TicketView("counter_registration", 1, None, 5), Action.ADVANCE, roles)
    with pytest.raises(ClaimedByOther):
        plan_transition(tanggamus, TicketView("counter_registration", 1, 9, 5), Action.ADVANCE, roles)
    with pytest.raises(ClaimedByOther):
        plan_transition(tanggamus, TicketView("counter_registration", 1, 9, 5), Action.CLAIM, roles)
    with pytest.raises(InvalidTransition, match="sudah Anda ambil"):
        plan_transition(tanggamus, TicketView("counter_registration", 1, 5, 5), Action.CLAIM, roles)
    with pytest.raises(InvalidTransition, match="petugas yang masuk"):
        plan_transition(tanggamus, TicketView("counter_registration", 1, None, None), Action.CLAIM, roles)


def test_release_by_claimant_or_section_head(tanggamus: Definition) -> None:
    counter, kasi = {"registration_counter"}, {"kasi_identitas"}
    released = plan_transition(tanggamus, TicketView("counter_registration", 4, 5, 5), Action.RELEASE, counter)
    assert released.claimed_by is None and released.to_stage == "counter_registration"
    by_head = plan_transition(tanggamus, TicketView("counter_registration", 4, 5, 8), Action.RELEASE, kasi)
    assert by_head.claimed_by is None
    with pytest.raises(ClaimedByOther):
        plan_transition(tanggamus, TicketView("counter_registration", 4, 5, 6), Action.RELEASE, counter)
    with pytest.raises(NotClaimed):
        plan_transition(tanggamus, TicketView("counter_registration", 4, None, 6), Action.RELEASE, counter)


def test_return_to_earlier_stage(tanggamus: Definition) -> None:
    view = TicketView("kasi_verification", 6, claimed_by=2, actor_id=2)
    back = plan_transition(
        tanggamus, view, Action.RETURN_, {"kasi_identitas"},
        {"reason": "Foto KK buram", "to_stage": "data_lifting"},
    )
    assert (back.to_stage, back.note, back.milestone) == ("data_lifting", "Foto KK buram", None)
    default = plan_transition(tanggamus, view, "return", {"kasi_identitas"}, {"reason": "Cek ulang"})
    assert default.to_stage == "counter_registration"


@pytest.mark.parametrize("target", ["data_entry", "archive", "kasi_verification", "done", "waiting_citizen"])
def test_return_to_later_or_same_stage_is_refused(tanggamus: Definition, target: str) -> None:
    view = TicketView("kasi_verification", 6, claimed_by=2, actor_id=2)
    with pytest.raises(InvalidTransition, match="hanya dapat dikembalikan"):
        plan_transition(tanggamus, view, Action.RETURN_, {"kasi_identitas"}, {"reason": "x", "to_stage": target})


def test_return_to_unknown_stage(tanggamus: Definition) -> None:
    view = TicketView("kasi_verification", 6, claimed_by=2, actor_id=2)
    with pytest.raises(InvalidTransition, match="tidak dikenal"):
        plan_transition(tanggamus, view, Action.RETURN_, {"kasi_identitas"}, {"reason": "x", "to_stage": "loket"})


def test_action_not_allowed_at_stage(tanggamus: Definition) -> None:
    view = TicketView("e_signature", 9, claimed_by=1, actor_id=1)
    with pytest.raises(InvalidTransition, match="tidak tersedia"):
        plan_transition(tanggamus, view, Action.REJECT, {"kepala_dinas"}, {"reason": "tidak"})
    with pytest.raises(InvalidTransition, match="tidak sedang menunggu"):
        plan_transition(tanggamus, view, Action.CITIZEN_REPLIED, {"kepala_dinas"})
    with pytest.raises(InvalidTransition, match="tidak dikenal"):
        plan_transition(tanggamus, view, "approve", {"kepala_dinas"})


def test_missing_outputs_are_named(tanggamus: Definition) -> None:
    view = TicketView("counter_registration", 4, claimed_by=1, actor_id=1)
    with pytest.raises(MissingOutput) as info:
        plan_transition(
            tanggamus, view, Action.ADVANCE, {"registration_counter"},
            {"outputs": {"berkas_lengkap": "on", "nomor_wa_sesuai": ""}},
        )
    assert info.value.fields == {"nomor_wa_sesuai": "harus dicentang"}
    assert "Nomor WhatsApp pemohon sudah dikonfirmasi (harus dicentang)" in info.value.message


def test_outputs_are_coerced_and_checked(tanggamus: Definition) -> None:
    printing = TicketView("berkas_printing", 3, claimed_by=1, actor_id=1)
    ok = plan_transition(
        tanggamus, printing, Action.ADVANCE, {"print_operator"},
        {"outputs": {"berkas_dicetak": True, "jumlah_lembar": " 4 "}},
    )
    assert ok.outputs == {"berkas_dicetak": True, "jumlah_lembar": 4}
    with pytest.raises(MissingOutput) as info:
        plan_transition(
            tanggamus, printing, Action.ADVANCE, {"print_operator"},
            {"outputs": {"berkas_dicetak": "on", "jumlah_lembar": "0"}},
        )
    assert info.value.fields == {"jumlah_lembar": "minimal 1"}
    sorting = TicketView("sorting", 10, claimed_by=1, actor_id=1)
    with pytest.raises(MissingOutput, match="format tidak sesuai"):
        plan_transition(tanggamus, sorting, Action.ADVANCE, {"sorter"}, {"outputs": {"kode_kecamatan": "1802"}})
    with pytest.raises(MissingOutput, match="wajib diisi"):
        plan_transition(tanggamus, sorting, Action.ADVANCE, {"sorter"}, {"outputs": {}})
    # A 1806xx code outside the list of 20 kecamatan is still a Tanggamus code.
    unlisted = plan_transition(tanggamus, sorting, Action.ADVANCE, {"sorter"}, {"outputs": {"kode_kecamatan": "180699"}})
    assert unlisted.outputs == {"kode_kecamatan": "180699"}


def test_unknown_output_is_refused(tanggamus: Definition) -> None:
    view = TicketView("intake", 1, claimed_by=1, actor_id=1)
    with pytest.raises(InvalidTransition, match="tidak dikenal.*nik"):
        plan_transition(tanggamus, view, Action.ADVANCE, {"wa_receiver"},
                        {"outputs": {"berkas_wa_diterima": "on", "nik": "1806"}})


def test_system_assigned_outputs(tanggamus: Definition) -> None:
    view = TicketView("counter_registration", 4, claimed_by=1, actor_id=1)
    outputs = {"berkas_lengkap": "on", "nomor_wa_sesuai": "ya"}
    transition = plan_transition(tanggamus, view, Action.ADVANCE, {"registration_counter"}, {"outputs": outputs})
    assert [f.key for f in transition.system_outputs] == ["registration_number"]
    assert transition.system_outputs[0].source == "register"
    assert "registration_number" not in transition.outputs
    with pytest.raises(InvalidTransition, match="diisi otomatis oleh sistem: Nomor registrasi"):
        plan_transition(
            tanggamus, view, Action.ADVANCE, {"registration_counter"},
            {"outputs": outputs | {"registration_number": "001/2026"}},
        )


@pytest.mark.parametrize("stage", ["done", "rejected"])
@pytest.mark.parametrize("action", list(Action))
def test_nothing_happens_to_a_terminal_ticket(tanggamus: Definition, stage: str, action: Action) -> None:
    view = TicketView(stage, 30, claimed_by=1, actor_id=1)
    all_roles = {r.key for r in tanggamus.roles}
    with pytest.raises(InvalidTransition, match="tidak ada tindakan lagi"):
        plan_transition(tanggamus, view, action, all_roles, {"reason": "x"})
    assert available_actions(tanggamus, view, all_roles) == ()


@pytest.mark.parametrize("action", [Action.RETURN_, Action.REJECT, Action.ASK_CITIZEN])
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_reason_is_required(tanggamus: Definition, action: Action, reason: str | None) -> None:
    view = TicketView("kasi_verification", 5, claimed_by=1, actor_id=1)
    payload = {} if reason is None else {"reason": reason}
    with pytest.raises(MissingReason) as info:
        plan_transition(tanggamus, view, action, {"kasi_identitas"}, payload)
    assert "Alasan (wajib diisi" in info.value.message
    assert isinstance(info.value, TransitionError)


def test_reject_notifies_citizen(tanggamus: Definition) -> None:
    view = TicketView("intake", 2, claimed_by=1, actor_id=1)
    rejected = plan_transition(tanggamus, view, Action.REJECT, {"wa_receiver"}, {"reason": "Bukan warga Tanggamus"})
    assert (rejected.to_stage, rejected.milestone, rejected.note) == (
        "rejected", Milestone.REJECTED, "Bukan warga Tanggamus"
    )


def test_ask_citizen_waits_and_reply_returns_to_origin(tanggamus: Definition, new_ticket) -> None:
    ticket = new_ticket(tanggamus, stage="counter_registration", claimed_by=3)
    asked = ticket.act(Action.ASK_CITIZEN, {"registration_counter"}, actor_id=3,
                       payload={"reason": "Mohon kirim foto akta kelahiran"})
    assert (asked.to_stage, asked.resume_stage, asked.milestone) == (
        "waiting_citizen", "counter_registration", Milestone.WAITING_CITIZEN
    )
    assert ticket.claimed_by is None
    # Nothing but the reply (or a rejection) moves a waiting ticket.
    with pytest.raises(InvalidTransition, match="Menunggu kelengkapan"):
        plan_transition(tanggamus, ticket.view(3), Action.CLAIM, {"registration_counter"})
    with pytest.raises(WrongRole):
        plan_transition(tanggamus, ticket.view(4), Action.CITIZEN_REPLIED, {"kasi_identitas"})
    assert available_actions(tanggamus, ticket.view(None), set()) == (Action.CITIZEN_REPLIED,)
    replied = ticket.act(Action.CITIZEN_REPLIED, set(), actor_id=None)
    assert (replied.from_stage, replied.to_stage, replied.resume_stage) == (
        "waiting_citizen", "counter_registration", None
    )
    assert replied.milestone is None
    assert ticket.stage == "counter_registration" and ticket.claimed_by is None


def test_staff_can_resume_or_reject_a_waiting_ticket(tanggamus: Definition, new_ticket) -> None:
    ticket = new_ticket(tanggamus, stage="data_lifting", claimed_by=3)
    ticket.act(Action.ASK_CITIZEN, {"data_lifter"}, actor_id=3, payload={"reason": "KK tidak terbaca"})
    resumed = plan_transition(tanggamus, ticket.view(4), Action.CITIZEN_REPLIED, {"data_lifter"},
                              {"note": "Pemohon datang ke kantor"})
    assert resumed.to_stage == "data_lifting" and resumed.note == "Pemohon datang ke kantor"
    with pytest.raises(MissingReason):
        plan_transition(tanggamus, ticket.view(4), Action.REJECT, {"data_lifter"})
    rejected = ticket.act(Action.REJECT, {"data_lifter"}, actor_id=4,
                          payload={"reason": "Tidak ada balasan 14 hari"})
    assert rejected.to_stage == "rejected" and rejected.resume_stage is None


def test_waiting_ticket_without_origin_is_refused(tanggamus: Definition) -> None:
    view = TicketView("waiting_citizen", 5, None, None, resume_stage=None)
    with pytest.raises(InvalidTransition, match="tidak diketahui"):
        plan_transition(tanggamus, view, Action.CITIZEN_REPLIED, set())


def test_available_actions(tanggamus: Definition) -> None:
    kasi = {"kasi_identitas"}
    assert available_actions(tanggamus, TicketView("kasi_verification", 1, None, 2), kasi) == (Action.CLAIM,)
    assert available_actions(tanggamus, TicketView("kasi_verification", 1, 2, 2), kasi) == (
        Action.RELEASE, Action.ADVANCE, Action.RETURN_, Action.REJECT, Action.ASK_CITIZEN,
    )
    assert available_actions(tanggamus, TicketView("kasi_verification", 1, None, 2), {"kurir"}) == ()


def test_whole_chain_from_intake_to_done(tanggamus: Definition, new_ticket) -> None:
    ticket = new_ticket(tanggamus)
    assert tanggamus.stage(ticket.stage).milestone is Milestone.RECEIVED  # sent when the ticket is created
    visited = [ticket.stage]
    milestones = []
    while not tanggamus.is_terminal(ticket.stage):
        transition = ticket.claim_and_advance(actor_id=len(visited))
        visited.append(transition.to_stage)
        if transition.milestone:
            milestones.append(transition.milestone)
    assert visited == [s.key for s in tanggamus.chain] + ["done"]
    assert milestones == [Milestone.VERIFIED, Milestone.SIGNED, Milestone.SENT, Milestone.ARRIVED,
                          Milestone.PICKED_UP, Milestone.COMPLETED]
    assert ticket.version == 1 + 2 * len(tanggamus.chain)
    registration = next(t for t in ticket.history if t.from_stage == "counter_registration" and t.moves)
    assert registration.outputs == {"berkas_lengkap": {r.label: "sesuai" for r in tanggamus.requirements_for("kk")},
                                    "nomor_wa_sesuai": True}


def test_second_definition_runs_on_the_same_engine(balangan: Definition, new_ticket) -> None:
    ticket = new_ticket(balangan)
    ticket.claim_and_advance()  # isi_formulir
    ticket.act(Action.CLAIM, {"aparat_desa"})
    ticket.act(Action.ASK_CITIZEN, {"aparat_desa"}, payload={"reason": "KK asli belum dibawa"})
    assert ticket.stage == "menunggu_pemohon"
    ticket.act(Action.CITIZEN_REPLIED, set(), actor_id=None)
    assert ticket.stage == "verifikasi_desa"
    with pytest.raises(WrongRole):
        ticket.act(Action.CLAIM, {"operator_dinas"})
    while not balangan.is_terminal(ticket.stage):
        ticket.claim_and_advance()
    assert ticket.stage == "selesai"
    siak = next(t for t in ticket.history if t.from_stage == "penerbitan_siak" and t.moves)
    assert siak.outputs == {"jenis_dokumen": "KK", "nomor_dokumen": "teks"}
    assert [t.milestone for t in ticket.history if t.milestone] == [
        Milestone.WAITING_CITIZEN, Milestone.VERIFIED, Milestone.READY, Milestone.PICKED_UP, Milestone.COMPLETED
    ]


def test_balangan_rejection_with_choice_and_reason(balangan: Definition) -> None:
    view = TicketView("verifikasi_dinas", 7, claimed_by=1, actor_id=1)
    rejected = plan_transition(balangan, view, Action.REJECT, {"verifikator"}, {"reason": "Tidak memenuhi syarat"})
    assert rejected.to_stage == "ditolak"
    siak = TicketView("penerbitan_siak", 8, claimed_by=1, actor_id=1)
    with pytest.raises(MissingOutput, match="pilih salah satu"):
        plan_transition(balangan, siak, Action.ADVANCE, {"operator_dinas"},
                        {"outputs": {"jenis_dokumen": "Paspor", "nomor_dokumen": "1"}})


def test_outputs_as_json(tanggamus: Definition) -> None:
    from dataclasses import replace
    from types import MappingProxyType

    view = TicketView("intake", 1, claimed_by=1, actor_id=1)
    transition = plan_transition(tanggamus, view, Action.ADVANCE, {"wa_receiver"},
                                 {"outputs": {"berkas_wa_diterima": "ya"}})
    dated = replace(transition, outputs=MappingProxyType({"tanggal": date(2026, 1, 5)}))
    assert dated.outputs_as_json() == {"tanggal": "2026-01-05"}
