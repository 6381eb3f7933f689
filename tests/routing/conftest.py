"""Fixtures for the routing tests: the shipped definitions and a ticket driver."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from routing.definition import Definition, FieldType, Stage, get_definition
from routing.engine import Action, TicketView, Transition, plan_transition
from tests.support.checklists import every_document
from tests.support.workflows import TANGGAMUS


@pytest.fixture
def tanggamus() -> Definition:
    return get_definition(TANGGAMUS)


@pytest.fixture
def balangan() -> Definition:
    return get_definition("digitalisasi_desa_balangan")


def valid_outputs(stage: Stage) -> dict[str, Any]:
    """Form values that satisfy every staff-filled output of the stage."""
    values: dict[str, Any] = {}
    for out in stage.outputs:
        if out.system_assigned:
            continue
        if out.type is FieldType.CHECK:
            values[out.key] = "on"
        elif out.type is FieldType.CHECKLIST:
            values[out.key] = every_document()
        elif out.type is FieldType.NUMBER:
            values[out.key] = str(out.min_value or 1)
        elif out.type is FieldType.CHOICE:
            values[out.key] = out.options[0]
        elif out.type is FieldType.DATE:
            values[out.key] = "2026-01-05"
        elif out.pattern:
            values[out.key] = "180620"
        else:
            values[out.key] = "teks"
    return values


@dataclass
class Ticket:
    """An in-memory ticket that applies transitions the way the service will."""

    definition: Definition
    stage: str
    version: int = 1
    claimed_by: int | None = None
    resume_stage: str | None = None
    history: list[Transition] = field(default_factory=list)
    service: str = "kk"

    def view(self, actor_id: int | None) -> TicketView:
        return TicketView(self.stage, self.version, self.claimed_by, actor_id, self.resume_stage, self.service)

    def act(
        self,
        action: Action,
        roles: set[str],
        actor_id: int | None = 1,
        payload: Mapping[str, Any] | None = None,
    ) -> Transition:
        transition = plan_transition(self.definition, self.view(actor_id), action, roles, payload)
        assert transition.expected_version == self.version
        self.stage = transition.to_stage
        self.claimed_by = transition.claimed_by
        self.resume_stage = transition.resume_stage
        self.version += 1
        self.history.append(transition)
        return transition

    def claim_and_advance(self, actor_id: int = 1) -> Transition:
        stage = self.definition.stage(self.stage)
        roles = {str(stage.role)}
        self.act(Action.CLAIM, roles, actor_id)
        return self.act(Action.ADVANCE, roles, actor_id, {"outputs": valid_outputs(stage)})


@pytest.fixture
def new_ticket():
    def make(definition: Definition, **overrides: Any) -> Ticket:
        ticket = Ticket(definition, definition.first_stage.key)
        return replace(ticket, **overrides) if overrides else ticket

    return make
