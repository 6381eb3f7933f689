"""How the school campaigns plug into the app, and what they need of their SOP."""

from __future__ import annotations

from flask import Flask

from campaigns.services import FEATURE
from routing import definitions_with
from routing.definition import RoleDuty


def init_app(app: Flask) -> None:
    """Refuse at start a campaign SOP that names nobody to go out to the schools or to sign the handover."""
    for definition in definitions_with(RoleDuty.PLAN_SCHOOL_VISITS):
        definition.require(FEATURE, [RoleDuty.FIELD_WORK, RoleDuty.SIGN])
