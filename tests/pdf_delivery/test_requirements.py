"""An SOP that signs or sends documents must name who does it; the app refuses it at start otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask

from pdf_delivery import hooks
from routing import definitions
from routing.definition import DefinitionError, parse_definition
from tests.support.workflows import BALANGAN, TANGGAMUS
from tickets import events

SOP_DIR = Path(__file__).resolve().parents[2] / "routing" / "sop"


def sop_data(name: str) -> dict[str, Any]:
    return yaml.safe_load((SOP_DIR / f"{name}.yaml").read_text(encoding="utf-8"))


def test_every_shipped_sop_gives_signing_and_sending_what_they_need() -> None:
    for definition in definitions():
        hooks.require_duties(definition)


def test_sending_pdfs_without_a_signer_is_refused_at_start_naming_the_duty(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    data = sop_data(BALANGAN)  # uploads a document, signs none
    data["duties"]["send_pdf"] = "operator_dinas"
    broken = parse_definition(data, source="contoh.yaml")  # the loader alone lets it through
    app = Flask(__name__)
    events.init_app(app)
    monkeypatch.setattr(hooks, "definitions", lambda: (broken,))
    with pytest.raises(DefinitionError, match="duty 'sign' needed by pengiriman PDF is not given to any role"):
        hooks.init_app(app)


def test_a_pdf_sender_without_a_stage_is_refused() -> None:
    data = sop_data(TANGGAMUS)
    data["duties"]["send_pdf"] = "archivist"
    data["stages"] = [s if s.get("role") != "archivist" else {**s, "role": "pickup_counter"} for s in data["stages"]]
    with pytest.raises(DefinitionError, match="'archivist' with the duty 'send_pdf' owns no stage"):
        hooks.require_duties(parse_definition(data, source="contoh.yaml"))
