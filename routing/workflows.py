"""Every shipped SOP definition, and which one a new ticket runs on.

A definition declares under `serves` the channels (and, optionally, services) whose new tickets it
runs; the most specific declaration wins. Nothing in code names a default workflow.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from routing.definition import (
    Definition,
    DefinitionError,
    RoleDuty,
    Role,
    Stage,
    StageKind,
    available_definitions,
    get_definition,
)


class NoWorkflow(LookupError):
    """No definition serves this channel and service."""

    def __init__(self, channel: str, service: str) -> None:
        super().__init__(f"no SOP definition serves channel {channel!r} with service {service!r}")
        self.channel, self.service = channel, service


@functools.cache
def definitions() -> tuple[Definition, ...]:
    """Every definition in routing/sop/, checked against each other once."""
    loaded = tuple(sorted((get_definition(name) for name in available_definitions()), key=lambda d: (d.order, d.key)))
    _check_serves(loaded)
    _check_work_stages_unique(loaded)
    return loaded


@dataclass(frozen=True)
class Office:
    """Every SOP of the office read as one: queues, dashboards and lists name stages and roles by key.

    A work stage key names one stage in the whole office (the loader checks it); a terminal or waiting
    key may be shared, and then means the same thing in each SOP ("done", "waiting for the citizen").
    """

    definitions: tuple[Definition, ...]

    def stage(self, key: str) -> Stage:
        """The stage with this key in the first SOP that has it."""
        for definition in self.definitions:
            if definition.has_stage(key):
                return definition.stage(key)
        raise KeyError(f"no SOP has a stage {key!r}")

    def has_stage(self, key: str) -> bool:
        """Whether some SOP has a stage with this key."""
        return any(d.has_stage(key) for d in self.definitions)

    def role(self, key: str) -> Role:
        """The role with this key."""
        return all_roles()[key]

    @property
    def roles(self) -> tuple[Role, ...]:
        """Every role, SOP by SOP."""
        return tuple(all_roles().values())

    @property
    def stage_keys(self) -> tuple[str, ...]:
        """Every stage key: each SOP's work stages in order, then the others."""
        work = [s.key for d in self.definitions for s in d.chain]
        rest = [s.key for d in self.definitions for s in d.stages if s.kind is not StageKind.WORK]
        return tuple(dict.fromkeys(work + rest))


def office() -> Office:
    """All loaded SOPs as one."""
    return Office(definitions())


def workflow(name: str) -> Definition:
    """The definition with this key (a ticket's `workflow`)."""
    return get_definition(name)


def workflow_for(channel: str, service: str) -> Definition:
    """The definition a new ticket of this channel and service runs on."""
    specific = [d for d in definitions() for s in d.serves if s.services and s.covers(channel, service)]
    general = [d for d in definitions() for s in d.serves if not s.services and s.covers(channel, service)]
    found = specific or general
    if not found:
        raise NoWorkflow(channel, service)
    return found[0]


def served_channels() -> tuple[str, ...]:
    """Every channel some definition takes new tickets from."""
    return tuple(dict.fromkeys(s.channel for d in definitions() for s in d.serves))


def all_roles() -> dict[str, Role]:
    """Every role of every definition by key; a key shared by two SOPs is the same post."""
    roles: dict[str, Role] = {}
    for definition in definitions():
        for role in definition.roles:
            roles.setdefault(role.key, role)
    return roles


def roles_with_duty(duty: RoleDuty) -> tuple[str, ...]:
    """The roles that carry out this duty in any definition, in definition order."""
    found = (r for d in definitions() if d.has_duty(duty) for r in d.roles_for(duty))
    return tuple(dict.fromkeys(found))


def definitions_with(duty: RoleDuty) -> tuple[Definition, ...]:
    """The definitions that give this duty to some role."""
    return tuple(d for d in definitions() if d.has_duty(duty))


def _check_work_stages_unique(loaded: tuple[Definition, ...]) -> None:
    """A work stage key may belong to one SOP only: queues and reports find tickets by stage key."""
    owner: dict[str, str] = {}
    problems = [f"work stage {s.key!r} is in both {owner[s.key]!r} and {d.key!r}; give one of them another key"
                for d in loaded for s in d.chain if owner.setdefault(s.key, d.key) != d.key]
    if problems:
        raise DefinitionError("routing/sop", problems)


def _check_serves(loaded: tuple[Definition, ...]) -> None:
    """Two definitions may not both claim the same channel (and service): new tickets would be ambiguous."""
    claimed: dict[tuple[str, str], str] = {}
    problems: list[str] = []
    for definition in loaded:
        for served in definition.serves:
            for service in served.services or ("*",):
                owner = claimed.setdefault((served.channel, service), definition.key)
                if owner != definition.key:
                    what = "every service" if service == "*" else f"service {service!r}"
                    problems.append(f"channel {served.channel!r}, {what}: served by both {owner!r} and "
                                    f"{definition.key!r}")
    if problems:
        raise DefinitionError("routing/sop", problems)
