"""What the complaint desk asks of the SOPs: which ones are complaint workflows, their roles, and the outputs
that carry a complaint's category, class, priority, unit and referral (found by their `means:`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from routing import definitions
from routing.definition import Definition, FieldType, OutputField, OutputMeaning, RoleDuty, Stage, StageDuty
from tickets.accounts import ADMIN_ROLE

FEATURE = "meja pengaduan"
# The order the complaint panel lists what was chosen so far.
SHOWN_MEANINGS = (OutputMeaning.CATEGORY, OutputMeaning.COMPLAINT_CLASS, OutputMeaning.PRIORITY, OutputMeaning.UNIT,
                  OutputMeaning.REFERRAL)


def is_complaint_workflow(definition: Definition) -> bool:
    """Whether complaints run on this SOP: one of its outputs says which unit a complaint went to."""
    return definition.output_meaning(OutputMeaning.UNIT) is not None


def complaint_definitions() -> tuple[Definition, ...]:
    """Every SOP that complaints run on, in SOP order."""
    return tuple(d for d in definitions() if is_complaint_workflow(d))


def complaint_roles() -> tuple[str, ...]:
    """Every role of the complaint SOPs, in SOP order."""
    return tuple(dict.fromkeys(r.key for d in complaint_definitions() for r in d.roles))


def desk_roles() -> tuple[str, ...]:
    """Who may open the complaint queue: the complaint SOPs' roles and the administrator."""
    return complaint_roles() + (ADMIN_ROLE,)


def editor_roles() -> tuple[str, ...]:
    """Who keeps the canned answers: the administrator and the complaint SOPs' supervising roles."""
    supervisors = (r for d in complaint_definitions() if d.has_duty(RoleDuty.SUPERVISE)
                   for r in d.roles_for(RoleDuty.SUPERVISE))
    return (ADMIN_ROLE, *dict.fromkeys(supervisors))


def options_of(meaning: OutputMeaning) -> tuple[str, ...]:
    """The options of the choice output with this meaning, over every complaint SOP, in SOP order."""
    found = (o for d in complaint_definitions() for o in _options(d.output_meaning(meaning)))
    return tuple(dict.fromkeys(found))


def _options(spec: OutputField | None) -> Iterable[str]:
    return spec.options if spec is not None and spec.type is FieldType.CHOICE else ()


def answer_output(definition: Definition) -> OutputField:
    """The answer to the citizen: the first text output of the SOP's answer stage."""
    stage = definition.stage_for(StageDuty.ANSWER, FEATURE)
    return next(o for o in stage.outputs if o.type is FieldType.TEXT and not o.system_assigned)


def answer_max_length(limit: int) -> int:
    """The longest canned answer every complaint SOP's answer field takes, at most `limit` (the column)."""
    lengths = [answer_output(d).max_length for d in complaint_definitions() if d.has_duty(StageDuty.ANSWER)]
    return min([limit, *(n for n in lengths if n)])


def stages_before_unit(definition: Definition) -> tuple[Stage, ...]:
    """The work stages up to the one where the unit is chosen: a complaint there is not yet disposed."""
    chain = definition.chain
    for index, stage in enumerate(chain):
        if any(o.means is OutputMeaning.UNIT for o in stage.outputs):
            return chain[: index + 1]
    return ()


@dataclass(frozen=True)
class Chosen:
    """One complaint field as chosen so far: its label and value (None while not chosen)."""

    meaning: OutputMeaning
    label: str
    value: Any


def chosen(definition: Definition, outputs: dict[str, Any]) -> list[Chosen]:
    """The complaint's category, class, priority, unit and referral as its SOP labels them."""
    found = []
    for meaning in SHOWN_MEANINGS:
        spec = definition.output_meaning(meaning)
        if spec is not None:
            found.append(Chosen(meaning, spec.label, outputs.get(spec.key) or None))
    return found


def value_of(definition: Definition, outputs: dict[str, Any], meaning: OutputMeaning) -> str | None:
    """The complaint's value for this meaning, if its SOP has the output and it was filled."""
    spec = definition.output_meaning(meaning)
    value = outputs.get(spec.key) if spec is not None else None
    return str(value) if value not in (None, "") else None
