"""Broken definition files are refused with a message naming the problem."""

from pathlib import Path

import pytest
import yaml

from routing.definition import DefinitionError, load_definition

MINIMAL = {
    "key": "contoh",
    "name": "Contoh",
    "office": "Disdukcapil Contoh",
    "section_head": "kasi",
    "roles": [{"key": "loket", "name": "Petugas Loket"}, {"key": "kasi", "name": "Kasi"}],
    "stages": [
        {
            "key": "terima",
            "name": "Penerimaan",
            "citizen_label": "diterima",
            "role": "loket",
            "actions": ["advance", "reject", "ask_citizen"],
            "next": "periksa",
            "outputs": [{"key": "lengkap", "label": "Lengkap", "type": "check"}],
        },
        {
            "key": "periksa",
            "name": "Pemeriksaan",
            "citizen_label": "diperiksa",
            "role": "kasi",
            "actions": ["advance", "return"],
            "next": "selesai",
        },
        {"key": "selesai", "kind": "done", "name": "Selesai", "citizen_label": "selesai"},
        {"key": "ditolak", "kind": "rejected", "name": "Ditolak", "citizen_label": "ditolak"},
        {"key": "tunggu", "kind": "waiting", "name": "Menunggu", "citizen_label": "menunggu Anda"},
    ],
    "sla_groups": [
        {
            "key": "awal",
            "name": "Awal",
            "stages": ["terima", "periksa"],
            "duration": {"working_days": 1},
            "section_head": "kasi",
        }
    ],
}


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "contoh.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def broken(tmp_path: Path, data: object) -> DefinitionError:
    with pytest.raises(DefinitionError) as info:
        load_definition(write(tmp_path, data))
    return info.value


def mutated(**stage_changes: dict) -> dict:
    data = yaml.safe_load(yaml.safe_dump(MINIMAL))
    for stage in data["stages"]:
        stage.update(stage_changes.get(stage["key"], {}))
    return data


def test_minimal_definition_is_valid(tmp_path: Path) -> None:
    definition = load_definition(write(tmp_path, MINIMAL))
    assert definition.stage_keys == ("terima", "periksa", "selesai", "ditolak", "tunggu")


def test_unknown_next_stage(tmp_path: Path) -> None:
    error = broken(tmp_path, mutated(periksa={"next": "cetak"}))
    assert "stage 'periksa': next stage 'cetak' is not defined" in str(error)
    assert str(error).startswith("contoh.yaml:")


def test_unknown_role(tmp_path: Path) -> None:
    error = broken(tmp_path, mutated(periksa={"role": "kabid"}))
    assert "stage 'periksa': role refers to unknown role 'kabid'" in str(error)


def test_duplicate_stage_key(tmp_path: Path) -> None:
    data = mutated()
    data["stages"].insert(1, dict(data["stages"][1]))
    assert "stage 'periksa': duplicate stage key" in str(broken(tmp_path, data))


def test_duplicate_yaml_key_is_not_silently_dropped(tmp_path: Path) -> None:
    path = tmp_path / "dobel.yaml"
    path.write_text("key: contoh\nkey: lain\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match="duplicate key 'key'"):
        load_definition(path)


def test_unreachable_stage(tmp_path: Path) -> None:
    data = mutated()
    data["stages"].insert(
        2,
        {"key": "arsip", "name": "Arsip", "citizen_label": "arsip", "role": "loket",
         "actions": ["advance"], "next": "selesai"},
    )
    assert "stage 'arsip': unreachable from the first stage" in str(broken(tmp_path, data))


def test_missing_terminal(tmp_path: Path) -> None:
    data = mutated()
    data["stages"] = [s for s in data["stages"] if s["key"] != "selesai"]
    message = str(broken(tmp_path, data))
    assert "missing terminal stage" in message


def test_cycle(tmp_path: Path) -> None:
    assert "cycle" in str(broken(tmp_path, mutated(periksa={"next": "terima"})))


def test_next_into_waiting_stage(tmp_path: Path) -> None:
    message = str(broken(tmp_path, mutated(periksa={"next": "tunggu"})))
    assert "next stage 'tunggu' is a waiting stage" in message


def test_unknown_action_and_missing_advance(tmp_path: Path) -> None:
    message = str(broken(tmp_path, mutated(periksa={"actions": ["approve"]})))
    assert "unknown action 'approve'" in message
    assert "must allow 'advance'" in message


def test_return_from_first_stage(tmp_path: Path) -> None:
    message = str(broken(tmp_path, mutated(terima={"actions": ["advance", "return"]})))
    assert "the first stage has no earlier stage to return to" in message


def test_ask_citizen_without_waiting_stage(tmp_path: Path) -> None:
    data = mutated()
    data["stages"] = [s for s in data["stages"] if s["key"] != "tunggu"]
    assert "allows ask_citizen but there is no waiting stage" in str(broken(tmp_path, data))


def test_terminal_stage_with_work_fields(tmp_path: Path) -> None:
    message = str(broken(tmp_path, mutated(selesai={"role": "kasi"})))
    assert "a done stage cannot have 'role'" in message


def test_bad_output_and_duration(tmp_path: Path) -> None:
    data = mutated(periksa={"outputs": [{"key": "x", "label": "X", "type": "list"}]})
    data["sla_groups"][0]["duration"] = {"weeks": 1}
    message = str(broken(tmp_path, data))
    assert "unknown output type 'list'" in message
    assert "unknown duration unit 'weeks'" in message


def test_sla_group_must_be_consecutive_known_stages(tmp_path: Path) -> None:
    data = mutated()
    data["stages"].insert(
        1,
        {"key": "cetak", "name": "Cetak", "citizen_label": "dicetak", "role": "loket",
         "actions": ["advance"], "next": "periksa"},
    )
    data["stages"][0]["next"] = "cetak"
    data["sla_groups"][0]["stages"] = ["terima", "periksa", "hilang"]
    message = str(broken(tmp_path, data))
    assert "unknown stage 'hilang'" in message
    data["sla_groups"][0]["stages"] = ["terima", "periksa"]
    assert "stages must be consecutive and in SOP order" in str(broken(tmp_path, data))


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    error = broken(tmp_path, mutated(terima={"role": "x"}, periksa={"next": "y"}))
    assert len(error.problems) == 2


def test_not_a_mapping_and_not_yaml(tmp_path: Path) -> None:
    assert "mapping at the top level" in str(broken(tmp_path, ["a", "b"]))
    path = tmp_path / "rusak.yaml"
    path.write_text("key: [unclosed", encoding="utf-8")
    with pytest.raises(DefinitionError, match="not valid YAML"):
        load_definition(path)
    with pytest.raises(DefinitionError, match="cannot read file"):
        load_definition(tmp_path / "tidak_ada.yaml")
