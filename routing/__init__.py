"""The SOP chain as data: stages, transitions, SLAs and assignment."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from routing.definition import Definition


def workflow(name: str | None = None) -> "Definition":
    """The workflow definition tickets run on: the named one, or the Tanggamus default."""
    from routing.definition import default_definition, get_definition

    return get_definition(name) if name else default_definition()
