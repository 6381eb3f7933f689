"""Builders for the village submission tests: the form as a browser sends it, and the SOP's village steps."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from pekon.submission import step_field, submitting_definition, village_steps
from routing.definition import Definition, FieldType, RoleDuty
from tests.tickets.conftest import csrf_token
from tickets.constants import Service

OPERATOR = "aparat-desa"
CITIZEN_NIK = "1806015708900003"
CITIZEN_WA = "0812 7777 1234"
CITIZEN_E164 = "+6281277771234"
SCAN_LIMIT = 40_000  # MEDIA_MAX_BYTES in these tests: a too-big scan needs no 10 MB file


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "MEDIA_MAX_BYTES": SCAN_LIMIT}


def village_definition(service: Service = Service.KK) -> Definition:
    """The SOP a village submission of this service runs on."""
    definition = submitting_definition(service)
    assert definition is not None
    return definition


def submitter_roles(definition: Definition) -> tuple[str, ...]:
    return definition.roles_for(RoleDuty.SUBMIT_FOR_CITIZEN)


def step_values(definition: Definition, roles: tuple[str, ...]) -> dict[str, str]:
    """Form values that complete every village step the submission carries."""
    values: dict[str, str] = {}
    for stage in village_steps(definition, roles):
        for out in stage.outputs:
            name = step_field(stage, out.key)
            if out.type is FieldType.CHECK:
                values[name] = "on"
            elif out.type is FieldType.CHOICE:
                values[name] = out.options[0]
            elif out.type is FieldType.NUMBER:
                values[name] = str(out.min_value or 1)
            elif out.type is FieldType.DATE:
                values[name] = "2026-01-05"
            else:
                values[name] = "GS-2026-0042"
    return values


def citizen_fields(**overrides: str) -> dict[str, str]:
    """The citizen's data as the operator types it."""
    fields = {"layanan": Service.KK.value, "nik": CITIZEN_NIK, "nama": "Rina Marlina", "whatsapp": CITIZEN_WA,
              "kecamatan": "180620", "pekon": "Gisting Atas", "keterangan": "KK baru karena menikah"}
    fields.update(overrides)
    return fields


def draft_of(html: str) -> str:
    match = re.search(r'name="draf" value="([^"]+)"', html)
    assert match, "no draft key on the form"
    return match.group(1)


def post_form(http: requests.Session, page_html: str, fields: dict[str, str],
              files: list[tuple[str, bytes, str]] = ()) -> requests.Response:  # type: ignore[assignment]
    """Send the submission form as the browser does, with the page's token and draft key."""
    data = {"csrf_token": csrf_token(page_html), "draf": draft_of(page_html), **fields}
    parts = [("berkas", (name, content, mimetype)) for name, content, mimetype in files] or None
    return http.post("/pekon/baru", data=data, files=parts)
