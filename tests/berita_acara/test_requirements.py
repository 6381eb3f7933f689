"""An SOP that uses the berita acara must give it every duty it looks up; the app refuses it at start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask

from berita_acara import hooks
from routing import definitions
from routing.definition import DefinitionError, parse_definition
from tests.support.workflows import TANGGAMUS
from tickets import events

SOP_DIR = Path(__file__).resolve().parents[2] / "routing" / "sop"


def tanggamus_data() -> dict[str, Any]:
    return yaml.safe_load((SOP_DIR / f"{TANGGAMUS}.yaml").read_text(encoding="utf-8"))


def test_every_shipped_sop_gives_the_berita_acara_what_it_needs() -> None:
    for definition in definitions():
        hooks.require_duties(definition)


def test_an_sop_without_a_sorting_stage_is_refused_at_start_naming_the_duty(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    data = tanggamus_data()
    del data["stage_duties"]["sort"]
    broken = parse_definition(data, source="contoh.yaml")  # the loader alone lets it through
    app = Flask(__name__)
    events.init_app(app)
    monkeypatch.setattr(hooks, "definitions", lambda: (broken,))
    with pytest.raises(DefinitionError, match="duty 'sort' needed by berita acara is not given to any stage"):
        hooks.init_app(app)


def test_handover_stages_out_of_order_are_refused() -> None:
    data = tanggamus_data()
    duties = data["stage_duties"]
    duties["courier"], duties["upt_receipt"] = duties["upt_receipt"], duties["courier"]
    with pytest.raises(DefinitionError, match="in this order along the chain"):
        hooks.require_duties(parse_definition(data, source="contoh.yaml"))


def test_a_berita_acara_needs_the_kecamatan_recorded_by_sorting() -> None:
    data = tanggamus_data()
    for stage in data["stages"]:
        for output in stage.get("outputs", []):
            if output.get("fills") == "kecamatan_code":
                del output["fills"]
    with pytest.raises(DefinitionError, match="must fill 'kecamatan_code'"):
        hooks.require_duties(parse_definition(data, source="contoh.yaml"))
