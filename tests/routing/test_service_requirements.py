"""The services' required documents as SOP data: read by the loader with every problem named, and the one
list both the bot and the registration counter use."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from bot.services_catalog import required_documents
from routing.definition import SOP_DIR, ChecklistItems, DefinitionError, FieldType, parse_definition
from tests.support.workflows import TANGGAMUS
from routing import workflow
from tickets.constants import DOCUMENT_SERVICES, Service

DEFINITION = workflow(TANGGAMUS)


def raw() -> dict[str, Any]:
    return yaml.safe_load((SOP_DIR / f"{TANGGAMUS}.yaml").read_text(encoding="utf-8"))


def checklist_output(definition: Any) -> Any:
    return next(o for s in definition.chain for o in s.outputs if o.type is FieldType.CHECKLIST)


def test_every_document_service_lists_its_documents_and_the_counter_checks_them() -> None:
    spec = checklist_output(DEFINITION)
    assert spec.items is ChecklistItems.SERVICE_REQUIREMENTS
    assert DEFINITION.stage(DEFINITION.first_stage.key)  # the SOP loads with its services
    for service in DOCUMENT_SERVICES:
        items = DEFINITION.checklist_items(spec, service)
        assert items, service
        assert len({i.key for i in items}) == len(items), service
    # KK and akta kelahiran ask for different documents.
    kk = [i.label for i in DEFINITION.checklist_items(spec, Service.KK)]
    akta = [i.label for i in DEFINITION.checklist_items(spec, Service.AKTA_KELAHIRAN)]
    assert not set(kk) & set(akta)


@pytest.mark.parametrize("service", DOCUMENT_SERVICES)
def test_the_bot_lists_the_same_documents_as_the_counter(service: Service) -> None:
    counter = [i.label for i in DEFINITION.checklist_items(checklist_output(DEFINITION), service)]
    told = required_documents(service)
    assert list(told[:len(counter)]) == counter  # every document, in the same words and order
    assert list(told[len(counter):]) == list(DEFINITION.notes_for(service))  # then what is not a document
    assert "Perekaman foto & sidik jari tetap datang langsung" not in counter  # a note, not a document to tick


def test_a_complaint_has_no_documents_to_send() -> None:
    assert required_documents(Service.PENGADUAN) == ()


def test_the_loader_names_every_problem_of_the_services_section() -> None:
    data = raw()
    data["services"]["KK baru"] = {"requirements": []}
    data["services"]["kk"]["requirements"].append({"key": "kk_lama", "label": "", "wajib": True})
    data["services"]["kia"]["notes"] = "bukan daftar"
    data["services"]["pindah"]["requirements"][0]["conditional"] = "ya"
    with pytest.raises(DefinitionError) as info:
        parse_definition(data, source="uji.yaml")
    problems = "\n".join(info.value.problems)
    assert "service 'KK baru': a service key must be lower case" in problems
    assert "duplicate requirement key 'kk_lama'" in problems
    assert "label must be a non-empty text" in problems
    assert "unknown field 'wajib'" in problems
    assert "service 'kia': notes must be a list of texts" in problems
    assert "conditional must be true or false" in problems


def test_a_checklist_needs_its_items_and_the_services_to_take_them_from() -> None:
    data = raw()
    del data["services"]
    with pytest.raises(DefinitionError, match="has no services section"):
        parse_definition(copy.deepcopy(data), source="uji.yaml")
    counter = next(s for s in data["stages"] if any(o.get("type") == "checklist" for o in s.get("outputs", [])))
    spec = next(o for o in counter["outputs"] if o["type"] == "checklist")
    spec["items"] = "semua_dokumen"
    with pytest.raises(DefinitionError, match="unknown checklist items 'semua_dokumen'"):
        parse_definition(copy.deepcopy(data), source="uji.yaml")
    spec["type"] = "check"
    spec["items"] = "service_requirements"
    with pytest.raises(DefinitionError, match="only checklist outputs take items"):
        parse_definition(data, source="uji.yaml")


def test_the_engine_leaves_the_counter_only_with_every_document_accounted_for() -> None:
    from routing.definition import Action
    from routing.engine import MissingOutput, TicketView, plan_transition

    spec = checklist_output(DEFINITION)
    counter = next(s for s in DEFINITION.chain if spec in s.outputs)
    kia = DEFINITION.checklist_items(spec, Service.KIA)
    view = TicketView(counter.key, 4, claimed_by=1, actor_id=1, service=Service.KIA)
    others = {o.key: "on" for o in counter.outputs if o.type is FieldType.CHECK}
    roles = {str(counter.role)}

    with pytest.raises(MissingOutput) as info:
        plan_transition(DEFINITION, view, Action.ADVANCE, roles,
                        {"outputs": {**others, spec.key: [i.key for i in kia[:-2]] + ["dokumen_lain"]}})
    assert set(info.value.fields) == {spec.key, *(f"{spec.key}.{i.key}" for i in kia[-2:])}
    assert info.value.fields[spec.key] == f"2 dari {len(kia)} dokumen belum sesuai"

    marks = {i.key: {"state": "sesuai"} for i in kia if not i.conditional}
    marks |= {i.key: {"state": "tidak_perlu"} for i in kia if i.conditional}
    done = plan_transition(DEFINITION, view, Action.ADVANCE, roles, {"outputs": {**others, spec.key: marks}})
    assert done.outputs[spec.key] == {i.label: "tidak diperlukan" if i.conditional else "sesuai" for i in kia}
