"""The SOP chains as data: stages, transitions, SLAs, duties and assignment."""

from routing.workflows import (
    all_roles,
    definitions,
    definitions_with,
    office,
    roles_with_duty,
    served_channels,
    workflow,
    workflow_for,
)

__all__ = ["all_roles", "definitions", "definitions_with", "office", "roles_with_duty", "served_channels", "workflow",
           "workflow_for"]
