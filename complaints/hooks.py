"""How the complaint desk plugs into the app, and what it needs of the complaint SOPs."""

from __future__ import annotations

from flask import Flask

from complaints.definitions import FEATURE, complaint_definitions
from routing.definition import Definition, DefinitionError, FieldType, OutputMeaning, StageDuty


def init_app(app: Flask) -> None:
    """Refuse at start a complaint SOP the desk cannot work with (see require_duties)."""
    for definition in complaint_definitions():
        require_duties(definition)


def require_duties(definition: Definition) -> None:
    """Raise DefinitionError, naming what is missing: the queue has a tab per unit, so the unit is a choice;
    canned answers go into the answer, so the SOP names its answer stage."""
    definition.require(FEATURE, [StageDuty.ANSWER])
    unit = definition.output_meaning(OutputMeaning.UNIT)
    if unit is not None and unit.type is not FieldType.CHOICE:
        raise DefinitionError(definition.source_file, [
            f"{FEATURE}: the output {unit.key!r} meaning {OutputMeaning.UNIT.value!r} must be a choice "
            "(the queue has a tab per unit)"])
