"""What a village operator types for a citizen, checked field by field with the errors in Indonesian."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot import catalogue
from bot.conversation import clean_name
from bot.nik import InvalidNik, parse_nik
from layanan.phone import InvalidPhone, normalize_phone
from routing import workflow_for
from routing.definition import Action, Definition, RoleDuty, Stage
from routing.engine import MissingOutput, TicketView, TransitionError, plan_transition
from routing.workflows import NoWorkflow
from tickets.constants import DOCUMENT_SERVICES, Channel, Service
from tickets.detail import OUTPUT_PREFIX
from tickets.kecamatan import BY_CODE
from tickets.villages import exact_name

MAX_PEKON = 60
MAX_DESCRIPTION = 500


@dataclass(frozen=True)
class Draft:
    """A submission as checked input, ready to become a ticket."""

    service: Service
    nik: str
    name: str
    phone: str | None  # E.164; none for a citizen without WhatsApp
    kecamatan_code: str
    pekon: str
    description: str | None
    step_outputs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # stage key -> outputs


def submitting_definition(service: Service) -> Definition | None:
    """The SOP a village submission of this service runs on, if one serves the channel with this duty."""
    try:
        definition = workflow_for(str(Channel.PEKON), str(service))
    except NoWorkflow:
        return None
    return definition if definition.has_duty(RoleDuty.SUBMIT_FOR_CITIZEN) else None


def services_for(roles: Iterable[str]) -> tuple[Service, ...]:
    """The document services these roles may submit at the village office, in the bot's menu order."""
    held = set(roles)
    found = []
    for service in DOCUMENT_SERVICES:
        definition = submitting_definition(service)
        if definition is not None and held & set(definition.roles_for(RoleDuty.SUBMIT_FOR_CITIZEN)):
            found.append(service)
    return tuple(found)


def village_steps(definition: Definition, roles: Iterable[str]) -> tuple[Stage, ...]:
    """The stages at the start of the chain that the submitting role carries out itself and the
    submission completes: up to the first stage of someone else, or one whose outputs the system fills."""
    submitters = set(definition.roles_for(RoleDuty.SUBMIT_FOR_CITIZEN)) & set(roles)
    steps: list[Stage] = []
    for stage in definition.chain:
        if stage.role not in submitters or Action.ADVANCE not in stage.actions:
            break
        if any(out.system_assigned for out in stage.outputs):
            break
        steps.append(stage)
    return tuple(steps)


def step_field(stage: Stage, output_key: str) -> str:
    """The form field of one output of a village step (work stage keys are unique in the office)."""
    return f"{OUTPUT_PREFIX}{stage.key}-{output_key}"


def parse_submission(
    form: Mapping[str, str], roles: Iterable[str], *, has_scans: bool, today: date, actor_id: int,
    places: Mapping[str, tuple[str, ...]],
) -> tuple[Draft | None, dict[str, str]]:
    """Check the submission form against `places` (kecamatan code -> its offered pekon); errors are keyed
    by form field."""
    roles = set(roles)
    errors: dict[str, str] = {}
    text = {key: str(form.get(key) or "").strip() for key in
            ("layanan", "nik", "nama", "whatsapp", "kecamatan", "pekon", "keterangan")}

    service: Service | None = None
    try:
        service = Service(text["layanan"])
    except ValueError:
        pass
    if service is None or service not in services_for(roles):
        errors["layanan"] = "Pilih jenis layanan yang diajukan."
        service = None

    nik = ""
    if not text["nik"]:
        errors["nik"] = "NIK pemohon wajib diisi (16 angka, lihat KTP atau KK)."
    else:
        try:
            nik = parse_nik(text["nik"], today=today).value
        except InvalidNik as exc:
            errors["nik"] = str(exc)

    name = clean_name(text["nama"]) if text["nama"] else None
    if not text["nama"]:
        errors["nama"] = "Nama pemohon wajib diisi, sesuai KTP atau KK."
    elif name is None:
        errors["nama"] = "Nama harus 2-100 huruf, tanpa angka."

    phone = None
    if text["whatsapp"]:
        try:
            phone = normalize_phone(text["whatsapp"])
        except InvalidPhone as exc:
            errors["whatsapp"] = catalogue.render(exc.key) + " Kosongkan bila pemohon tidak memakai WhatsApp."

    if text["kecamatan"] not in BY_CODE:
        errors["kecamatan"] = "Pilih kecamatan tempat tinggal pemohon."
    pekon = None
    if not text["pekon"]:
        errors["pekon"] = "Pilih pekon/kelurahan tempat tinggal pemohon."
    elif len(text["pekon"]) > MAX_PEKON:
        errors["pekon"] = f"Nama pekon terlalu panjang (maksimal {MAX_PEKON} karakter)."
    elif "kecamatan" not in errors:
        # the list's own spelling is stored, so the office counts one pekon under one name
        pekon = exact_name(list(places.get(text["kecamatan"], ())), text["pekon"])
        if pekon is None:
            errors["pekon"] = f"Pilih pekon/kelurahan dari daftar Kecamatan {BY_CODE[text['kecamatan']].name}."

    if len(text["keterangan"]) > MAX_DESCRIPTION:
        errors["keterangan"] = f"Keterangan terlalu panjang (maksimal {MAX_DESCRIPTION} karakter)."

    if not has_scans:
        errors["berkas"] = "Unggah minimal satu pindaian berkas persyaratan (PDF, JPG atau PNG)."

    step_outputs: dict[str, dict[str, Any]] = {}
    definition = submitting_definition(service) if service else None
    if definition is not None:
        for stage in village_steps(definition, roles):
            outputs = {out.key: form.get(step_field(stage, out.key)) for out in stage.outputs}
            problems = check_step(definition, stage, roles, outputs, actor_id)
            errors.update({step_field(stage, key) if key else "langkah": problem for key, problem in problems.items()})
            step_outputs[stage.key] = outputs

    if errors or service is None or name is None or pekon is None:
        return None, errors
    return Draft(service=service, nik=nik, name=name, phone=phone, kecamatan_code=text["kecamatan"],
                 pekon=pekon, description=text["keterangan"] or None, step_outputs=step_outputs), {}


def check_step(definition: Definition, stage: Stage, roles: Iterable[str], outputs: Mapping[str, Any],
               actor_id: int) -> dict[str, str]:
    """What the engine would refuse in these outputs if the actor advanced the stage, keyed by output."""
    view = TicketView(stage=stage.key, version=1, claimed_by=actor_id, actor_id=actor_id)
    try:
        plan_transition(definition, view, Action.ADVANCE, set(roles), {"outputs": dict(outputs)})
    except MissingOutput as exc:
        return dict(exc.fields)
    except TransitionError as exc:
        return {"": exc.message}
    return {}
