"""Transition rules: decide what an action does to a ticket, without touching the database.

The service layer loads the ticket, calls plan_transition, and applies the returned Transition
in one transaction guarded by `expected_version`, writing the stage event and notifying the
citizen when `milestone` is set.

Claiming: a staff member must claim a ticket before acting on it in a work stage, so two
officers at the same desk never process the same berkas twice. Moving the ticket to another
stage clears the claim. The claimant can release it; so can the section head for the stage,
for a claimant who is away.

A ticket waiting for the citizen has no claim: the citizen's reply (actor_id None, sent by
the bot) or an officer of the stage it came from puts it back there; that officer may also
reject it when the citizen never answers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from routing.definition import (
    Action,
    Definition,
    FieldType,
    ItemState,
    Milestone,
    OutputField,
    Requirement,
    Stage,
    StageKind,
)

__all__ = [
    "Action",
    "ActorId",
    "ClaimedByOther",
    "InvalidTransition",
    "MissingOutput",
    "MissingReason",
    "NotClaimed",
    "OutputValue",
    "TicketView",
    "Transition",
    "TransitionError",
    "WrongRole",
    "available_actions",
    "plan_transition",
]

ActorId = int | str
OutputValue = str | int | bool | date

ACTION_LABELS: dict[Action, str] = {
    Action.CLAIM: "ambil tiket",
    Action.RELEASE: "lepas tiket",
    Action.ADVANCE: "teruskan",
    Action.RETURN_: "kembalikan",
    Action.REJECT: "tolak",
    Action.ASK_CITIZEN: "minta kelengkapan",
    Action.CITIZEN_REPLIED: "pemohon membalas",
}

REASON_ACTIONS: frozenset[Action] = frozenset({Action.RETURN_, Action.REJECT, Action.ASK_CITIZEN})
REASON_MAX_LENGTH = 1000

_TRUE = {"1", "true", "on", "ya", "y", "yes"}
_FALSE = {"", "0", "false", "off", "tidak", "n", "no"}


class TransitionError(Exception):
    """An action was refused; `message` is for staff, in Bahasa Indonesia."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class WrongRole(TransitionError):
    """The actor lacks the role that owns the stage."""


class InvalidTransition(TransitionError):
    """The action makes no sense for this ticket in its current stage."""


class NotClaimed(TransitionError):
    """The ticket must be claimed by the actor first."""


class ClaimedByOther(TransitionError):
    """Someone else holds the ticket."""


class MissingOutput(TransitionError):
    """Required outputs are missing or invalid; `fields` maps each key to what is wrong."""

    def __init__(self, fields: Mapping[str, str], labels: Mapping[str, str] | None = None) -> None:
        self.fields = dict(fields)
        labels = labels or {}
        parts = [f"{labels.get(k, k)} ({problem})" for k, problem in self.fields.items()]
        super().__init__("Isian belum lengkap atau tidak sesuai: " + "; ".join(parts) + ".")


class MissingReason(MissingOutput):
    """Return, reject and ask_citizen need a reason."""

    def __init__(self, action: Action) -> None:
        super().__init__({"reason": f"wajib diisi untuk tindakan '{ACTION_LABELS[action]}'"}, {"reason": "Alasan"})


@dataclass(frozen=True)
class TicketView:
    """What the engine needs to know about a ticket and who is acting on it."""

    stage: str
    version: int
    claimed_by: ActorId | None = None
    actor_id: ActorId | None = None
    resume_stage: str | None = None  # the stage a waiting ticket came from
    service: str | None = None  # what the citizen asked for: a checklist of its requirements depends on it


@dataclass(frozen=True)
class Transition:
    """The planned change; the service applies it if the ticket is still at expected_version."""

    action: Action
    from_stage: str
    to_stage: str
    expected_version: int
    actor_id: ActorId | None
    note: str | None = None
    outputs: Mapping[str, OutputValue] = field(default_factory=lambda: MappingProxyType({}))
    system_outputs: tuple[OutputField, ...] = ()  # for the service to assign, e.g. from the register
    milestone: Milestone | None = None
    claimed_by: ActorId | None = None  # the claim after the transition
    resume_stage: str | None = None  # store on the ticket: set by ask_citizen, cleared otherwise

    @property
    def moves(self) -> bool:
        """Whether the ticket changes stage."""
        return self.from_stage != self.to_stage

    def outputs_as_json(self) -> dict[str, str | int | bool]:
        """The outputs with dates as ISO text, ready for a JSON column."""
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in self.outputs.items()}


def plan_transition(
    definition: Definition,
    ticket: TicketView,
    action: Action | str,
    actor_roles: Set[str],
    payload: Mapping[str, Any] | None = None,
) -> Transition:
    """Check an action against the SOP and return the transition it causes, or raise why not.

    payload keys: "outputs" (mapping, for advance), "reason" (return, reject, ask_citizen),
    "to_stage" (return; defaults to the previous stage), "note" (free text otherwise).
    """
    payload = payload or {}
    action = _action(action)
    stage = _stage(definition, ticket.stage)
    _check_permitted(definition, stage, ticket, action, actor_roles)
    base = dict(
        action=action,
        from_stage=stage.key,
        expected_version=ticket.version,
        actor_id=ticket.actor_id,
    )
    if action is Action.CLAIM:
        return Transition(**base, to_stage=stage.key, note=_note(payload), claimed_by=ticket.actor_id)
    if action is Action.RELEASE:
        return Transition(**base, to_stage=stage.key, note=_note(payload), claimed_by=None)
    if action is Action.CITIZEN_REPLIED:
        return Transition(**base, to_stage=str(ticket.resume_stage), note=_note(payload))
    if action is Action.ADVANCE:
        outputs, system_outputs = _validate_outputs(stage, payload.get("outputs"), definition, ticket.service)
        target = definition.next_stage(stage.key)
        assert target is not None  # every work stage has a next stage
        return Transition(
            **base,
            to_stage=target.key,
            note=_note(payload),
            outputs=MappingProxyType(outputs),
            system_outputs=system_outputs,
            milestone=target.milestone,
        )
    reason = _reason(action, payload)
    if action is Action.RETURN_:
        target = _return_target(definition, stage, payload.get("to_stage"))
        # No milestone: the citizen was already told when the ticket first got there.
        return Transition(**base, to_stage=target.key, note=reason)
    if action is Action.REJECT:
        rejected = definition.rejected_stage
        assert rejected is not None  # validation ties reject to a rejected stage
        return Transition(**base, to_stage=rejected.key, note=reason, milestone=rejected.milestone)
    waiting = definition.waiting_stage
    assert action is Action.ASK_CITIZEN and waiting is not None
    return Transition(
        **base, to_stage=waiting.key, note=reason, milestone=waiting.milestone, resume_stage=stage.key
    )


def available_actions(
    definition: Definition, ticket: TicketView, actor_roles: Set[str]
) -> tuple[Action, ...]:
    """The actions this actor may take on the ticket now, for showing buttons."""
    stage = _stage(definition, ticket.stage)
    allowed = []
    for action in Action:
        try:
            _check_permitted(definition, stage, ticket, action, actor_roles)
        except TransitionError:
            continue
        allowed.append(action)
    return tuple(allowed)


def _action(value: Action | str) -> Action:
    try:
        return Action(value)
    except ValueError:
        raise InvalidTransition(f"Tindakan '{value}' tidak dikenal.") from None


def _stage(definition: Definition, key: str) -> Stage:
    try:
        return definition.stage(key)
    except KeyError:
        raise InvalidTransition(f"Tahap tiket '{key}' tidak dikenal dalam SOP {definition.name}.") from None


def _check_permitted(
    definition: Definition, stage: Stage, ticket: TicketView, action: Action, actor_roles: Set[str]
) -> None:
    """Raise unless the actor may take this action here; payload is checked later."""
    label = ACTION_LABELS[action]
    if stage.is_terminal:
        raise InvalidTransition(f"Tiket sudah berstatus '{stage.name}'; tidak ada tindakan lagi.")
    if stage.kind is StageKind.WAITING:
        _check_waiting(definition, stage, ticket, action, actor_roles)
        return
    if action is Action.CITIZEN_REPLIED:
        raise InvalidTransition("Tiket tidak sedang menunggu kelengkapan dari pemohon.")
    if ticket.actor_id is None and definition.decided_by_citizen(stage.key) and action in (
            Action.ADVANCE, Action.RETURN_):
        return  # the bot passing on the citizen's verdict on a complaint's answer
    owner = definition.role(str(stage.role))
    is_owner = owner.key in actor_roles
    if ticket.actor_id is None:
        raise InvalidTransition(f"Tindakan '{label}' harus dilakukan oleh petugas yang masuk.")
    if action is Action.RELEASE:
        if ticket.claimed_by is None:
            raise NotClaimed("Tiket ini belum diambil siapa pun.")
        head = definition.section_head_for(stage.key)
        if ticket.claimed_by != ticket.actor_id and head not in actor_roles:
            raise ClaimedByOther(
                f"Tiket ini sedang dikerjakan petugas lain; hanya petugas tersebut atau "
                f"{definition.role(head).name} yang dapat melepasnya."
            )
        if not is_owner and head not in actor_roles:
            raise WrongRole(_wrong_role(stage, owner.name))
        return
    if not is_owner:
        raise WrongRole(_wrong_role(stage, owner.name))
    if action is Action.CLAIM:
        if ticket.claimed_by == ticket.actor_id:
            raise InvalidTransition("Tiket ini sudah Anda ambil.")
        if ticket.claimed_by is not None:
            raise ClaimedByOther("Tiket ini sudah diambil petugas lain.")
        return
    if action not in stage.actions:
        raise InvalidTransition(f"Tindakan '{label}' tidak tersedia pada tahap '{stage.name}'.")
    if ticket.claimed_by is None:
        raise NotClaimed(f"Ambil tiket ini terlebih dahulu sebelum '{label}'.")
    if ticket.claimed_by != ticket.actor_id:
        raise ClaimedByOther("Tiket ini sedang dikerjakan petugas lain.")


def _check_waiting(
    definition: Definition, stage: Stage, ticket: TicketView, action: Action, actor_roles: Set[str]
) -> None:
    if action not in (Action.CITIZEN_REPLIED, Action.REJECT):
        raise InvalidTransition(
            f"Tiket sedang '{stage.name}'; tindakan '{ACTION_LABELS[action]}' belum dapat dilakukan."
        )
    resume = ticket.resume_stage
    if resume is None or not definition.has_stage(resume) or definition.stage(resume).kind is not StageKind.WORK:
        raise InvalidTransition("Tahap asal tiket yang menunggu pemohon tidak diketahui.")
    origin = definition.stage(resume)
    owner = definition.role(str(origin.role))
    if action is Action.CITIZEN_REPLIED and ticket.actor_id is None:
        return  # the bot reporting the citizen's reply
    if action is Action.REJECT and definition.rejected_stage is None:
        raise InvalidTransition(f"SOP {definition.name} tidak mengenal penolakan.")
    if ticket.actor_id is None:
        raise InvalidTransition(f"Tindakan '{ACTION_LABELS[action]}' harus dilakukan oleh petugas yang masuk.")
    if owner.key not in actor_roles:
        raise WrongRole(_wrong_role(origin, owner.name))


def _wrong_role(stage: Stage, role_name: str) -> str:
    return f"Tahap '{stage.name}' dikerjakan oleh {role_name}; Anda tidak memiliki peran tersebut."


def _note(payload: Mapping[str, Any]) -> str | None:
    note = payload.get("note")
    if note is None:
        return None
    if not isinstance(note, str):
        raise InvalidTransition("Catatan harus berupa teks.")
    return note.strip()[:REASON_MAX_LENGTH] or None


def _reason(action: Action, payload: Mapping[str, Any]) -> str:
    reason = payload.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise InvalidTransition("Alasan harus berupa teks.")
    reason = (reason or "").strip()
    if not reason:
        raise MissingReason(action)
    if len(reason) > REASON_MAX_LENGTH:
        raise MissingOutput({"reason": f"maksimal {REASON_MAX_LENGTH} karakter"}, {"reason": "Alasan"})
    return reason


def _return_target(definition: Definition, stage: Stage, to_stage: Any) -> Stage:
    earlier = definition.earlier_stages(stage.key)
    if to_stage is None:
        return earlier[-1]
    if not isinstance(to_stage, str) or not definition.has_stage(to_stage):
        raise InvalidTransition(f"Tahap tujuan '{to_stage}' tidak dikenal.")
    target = definition.stage(to_stage)
    if target not in earlier:
        raise InvalidTransition(
            f"Tiket hanya dapat dikembalikan ke tahap sebelum '{stage.name}'; "
            f"'{target.name}' bukan tahap sebelumnya."
        )
    return target


def _validate_outputs(
    stage: Stage, raw: Any, definition: Definition, service: str | None
) -> tuple[dict[str, OutputValue], tuple[OutputField, ...]]:
    """Coerce the staff's outputs (form values arrive as text) and list the system's."""
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise InvalidTransition("Isian tahap harus berupa pasangan nama dan nilai.")
    known = {f.key: f for f in stage.outputs}
    unknown = sorted(str(k) for k in raw if k not in known)
    if unknown:
        raise InvalidTransition(f"Isian tidak dikenal pada tahap '{stage.name}': {', '.join(unknown)}.")
    system = tuple(f for f in stage.outputs if f.system_assigned)
    forged = [f.label for f in system if f.key in raw]
    if forged:
        raise InvalidTransition(f"Isian berikut diisi otomatis oleh sistem: {', '.join(forged)}.")
    values: dict[str, OutputValue] = {}
    problems: dict[str, str] = {}
    labels = {f.key: f.label for f in stage.outputs}
    for spec in stage.outputs:
        if spec.system_assigned:
            continue
        if spec.type is FieldType.CHECKLIST:
            items = definition.checklist_items(spec, service)
            if not items:
                continue  # the service lists no documents: nothing to check
            checked, item_problems = _checklist(items, raw.get(spec.key))
            if item_problems:
                problems[spec.key] = f"{len(item_problems)} dari {len(items)} dokumen belum sesuai"
                for item in items:
                    if item.key in item_problems:
                        problems[f"{spec.key}.{item.key}"] = item_problems[item.key]
                        labels[f"{spec.key}.{item.key}"] = item.label
            else:
                values[spec.key] = checked
            continue
        try:
            value = _coerce(spec, raw.get(spec.key))
        except ValueError as exc:
            problems[spec.key] = str(exc)
            continue
        if value is not None:
            values[spec.key] = value
    if problems:
        raise MissingOutput(problems, labels)
    return values, system


def _checklist(items: tuple[Requirement, ...], raw: Any) -> tuple[dict[str, str], dict[str, str]]:
    """What was found for each required document, by its label, or what stops the stage from being left.

    `raw` is the ticked item keys, or a mapping of item key to a state (or to {"state", "reason"}). Every
    document must be ticked as checked; a conditional one may be marked not needed for this request.
    Missing or mismatching documents are asked of the citizen ("minta kelengkapan"), not passed on.
    """
    if raw is None:
        raw = {}
    if isinstance(raw, (list, tuple, set, frozenset)):
        raw = {str(key): ItemState.CHECKED.value for key in raw}
    if not isinstance(raw, Mapping):
        raise InvalidTransition("Daftar periksa dokumen harus berupa dokumen dan hasil pemeriksaannya.")
    found: dict[str, str] = {}
    problems: dict[str, str] = {}
    for item in items:
        given = raw.get(item.key)
        state_text, reason = (given.get("state"), given.get("reason")) if isinstance(given, Mapping) else (given, None)
        try:
            state = ItemState(str(state_text or "").strip()) if state_text else None
        except ValueError:
            state = None
        if state is ItemState.CHECKED or (state is ItemState.NOT_NEEDED and item.conditional):
            found[item.label] = state.label
        elif state is ItemState.NOT_NEEDED:
            problems[item.key] = "wajib untuk layanan ini; tidak dapat ditandai tidak diperlukan"
        elif state in (ItemState.MISSING, ItemState.MISMATCH):
            why = f" ({str(reason).strip()})" if reason and str(reason).strip() else ""
            problems[item.key] = (f"{state.label}{why}: minta dokumen ini ke pemohon lewat "
                                  "\"Minta kelengkapan\"")
        elif item.conditional:
            problems[item.key] = 'belum dicentang; bila tidak berlaku untuk permohonan ini, pilih "Tidak diperlukan"'
        else:
            problems[item.key] = "belum dicentang"
    return found, problems


def _coerce(spec: OutputField, value: Any) -> OutputValue | None:
    """The typed value of one field; ValueError says, in Indonesian, what is wrong."""
    if spec.type is FieldType.CHECK:
        ticked = _as_bool(value)
        if spec.required and not ticked:
            raise ValueError("harus dicentang")
        return ticked
    if value is None or (isinstance(value, str) and not value.strip()):
        if spec.required:
            raise ValueError("wajib diisi")
        return None
    if spec.type is FieldType.TEXT:
        return _as_text(spec, value)
    if spec.type is FieldType.NUMBER:
        return _as_number(spec, value)
    if spec.type is FieldType.DATE:
        return _as_date(value)
    text = str(value).strip()
    if text not in spec.options:
        raise ValueError(f"pilih salah satu: {', '.join(spec.options)}")
    return text


def _as_bool(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError("nilai centang tidak dikenal")


def _as_text(spec: OutputField, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("harus berupa teks")
    text = value.strip()
    if spec.max_length is not None and len(text) > spec.max_length:
        raise ValueError(f"maksimal {spec.max_length} karakter")
    if spec.pattern is not None and not re.fullmatch(spec.pattern, text):
        raise ValueError("format tidak sesuai")
    return text


def _as_number(spec: OutputField, value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("harus berupa angka")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdecimal():
        number = int(value.strip())
    else:
        raise ValueError("harus berupa angka bulat")
    if spec.min_value is not None and number < spec.min_value:
        raise ValueError(f"minimal {spec.min_value}")
    if spec.max_value is not None and number > spec.max_value:
        raise ValueError(f"maksimal {spec.max_value}")
    return number


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        raise ValueError("harus berupa tanggal tanpa jam")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError("harus berupa tanggal (TTTT-BB-HH)")
