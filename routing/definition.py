"""SOP definitions: load a chain declared in YAML, validate it, and answer questions about it."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

SOP_DIR = Path(__file__).parent / "sop"
DEFAULT_DEFINITION = "pengaduan_online_tanggamus"

# One working day of mutu baku is one 08:00-16:00 office day.
WORKING_DAY = timedelta(hours=8)

_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_SERVICE_RE = re.compile(r"^[a-z][a-z0-9_-]*$")  # service keys are part of the public API (e.g. ktp-el)


class Action(StrEnum):
    """What someone can do to a ticket."""

    CLAIM = "claim"
    RELEASE = "release"
    ADVANCE = "advance"
    RETURN_ = "return"
    REJECT = "reject"
    ASK_CITIZEN = "ask_citizen"
    CITIZEN_REPLIED = "citizen_replied"


# Actions a definition file may list per stage; the others are implied by the stage kind.
STAGE_ACTIONS: frozenset[Action] = frozenset(
    {Action.ADVANCE, Action.RETURN_, Action.REJECT, Action.ASK_CITIZEN}
)


class StageKind(StrEnum):
    WORK = "work"
    WAITING = "waiting"
    DONE = "done"
    REJECTED = "rejected"


class Milestone(StrEnum):
    """Moments the citizen is told about; the bot's catalogue has one message per value."""

    RECEIVED = "received"
    VERIFIED = "verified"
    SIGNED = "signed"
    SENT = "sent"
    READY = "ready"  # the document waits for the citizen at a pick-up place
    ARRIVED = "arrived"  # the printed document reached the UPT of the ticket's kecamatan and waits there
    PICKED_UP = "picked_up"  # the pick-up counter handed the document over
    COMPLETED = "completed"  # the case is complete: the closing message
    DISPOSED = "disposed"  # a complaint went to a unit or another agency; the citizen is told which
    ANSWERED = "answered"  # a complaint's approved answer goes to the citizen, who is asked for a verdict
    REJECTED = "rejected"
    DISMISSED = "dismissed"  # a complaint closed without follow-up (spam, not ours), with the reason
    WAITING_CITIZEN = "waiting_citizen"


class FieldType(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"
    CHECK = "check"
    CHECKLIST = "checklist"  # one box per item of a list the definition gives (`items:`)


class ChecklistItems(StrEnum):
    """Where a checklist output takes its items from."""

    SERVICE_REQUIREMENTS = "service_requirements"  # the documents the ticket's service requires (`services:`)


class ItemState(StrEnum):
    """What the officer found for one item of a checklist."""

    CHECKED = "sesuai"  # ticked: the document is there and matches
    NOT_NEEDED = "tidak_perlu"  # a conditional document that does not apply to this request
    MISSING = "tidak_ada"
    MISMATCH = "tidak_sesuai"

    @property
    def label(self) -> str:
        """How staff read the state."""
        return ITEM_STATE_LABELS[self]


ITEM_STATE_LABELS: dict[ItemState, str] = {
    ItemState.CHECKED: "sesuai",
    ItemState.NOT_NEEDED: "tidak diperlukan",
    ItemState.MISSING: "tidak ada",
    ItemState.MISMATCH: "tidak sesuai",
}


class OutputSource(StrEnum):
    """Who fills an output field: the acting staff member or the service layer."""

    STAFF = "staff"
    REGISTER = "register"
    BERITA_ACARA = "berita_acara"
    DOCUMENT = "document"  # the document PDF uploaded for the ticket
    SIGNED_DOCUMENT = "signed_document"  # that PDF, electronically signed


class RoleDuty(StrEnum):
    """Work that features look up a role for, instead of spelling its key."""

    SIGN = "sign"  # the electronic signature (TTE) of documents and berita acara
    SEND_PDF = "send_pdf"  # sends the signed PDF to the citizen's WhatsApp
    TAKE_CALLS = "take_calls"  # logs call-center calls and creates tickets for callers
    KECAMATAN_BOUND = "kecamatan_bound"  # works for one kecamatan only
    ANSWER_CITIZENS = "answer_citizens"  # answers citizens who ask for a person
    SUPERVISE = "supervise"  # reads the dashboard and the statistics
    SUBMIT_FOR_CITIZEN = "submit_for_citizen"  # submits requests on a citizen's behalf (village office)
    HEAR_ESCALATIONS = "hear_escalations"  # told when a citizen says again that a complaint is not solved
    # Reads who filed a confidential complaint (UU 27/2022; the handlers see a pseudonym); each view is recorded.
    SEE_PROTECTED_IDENTITY = "see_protected_identity"
    PLAN_SCHOOL_VISITS = "plan_school_visits"  # keeps the school list, plans visits, imports students, hands over
    FIELD_WORK = "field_work"  # the field team of a school visit: records each student's status on the day
    PLAN_FIELD_VISITS = "plan_field_visits"  # schedules visits out of the office (date, team) and records results
    REQUEST_OUTREACH = "request_outreach"  # asks for an outreach visit (a pekon head, or staff for a letter)


class StageDuty(StrEnum):
    """Stages that features look up by what happens there, instead of spelling their key."""

    SORT = "sort"  # the kecamatan is recorded; the sorting report counts what waits here
    HANDOVER = "handover"  # the berita acara to the UPT is drawn up
    COURIER = "courier"  # the courier carries the berkas to the UPT
    UPT_RECEIPT = "upt_receipt"  # the UPT checks what arrived against the berita acara
    PICKUP = "pickup"  # the citizen collects the document
    ANSWER = "answer"  # a complaint is investigated and its answer written (its first text output)
    CITIZEN_VERDICT = "citizen_verdict"  # the answer went out; the citizen's reply closes or reopens it
    FIELD_VISIT = "field_visit"  # the visit out of the office: its result is recorded before the ticket moves on
    SCHOOL_HANDOVER = "school_handover"  # cards handed to a school with a signed berita acara; the signing moves on


class OutputMeaning(StrEnum):
    """What an output means to features that report on it or ask the citizen for it, instead of its key."""

    CATEGORY = "category"  # the complaint's category (the bot offers its options; the recap counts them)
    COMPLAINT_CLASS = "complaint_class"  # the complaint's class, which sets its answer deadline
    PRIORITY = "priority"
    UNIT = "unit"  # the unit of the Dinas the complaint went to
    REFERRAL = "referral"  # the other agency a complaint was referred to, by name
    DOCUMENT_NUMBER = "document_number"  # the number of the document issued (printed on the berita acara)
    INITIALS = "initials"  # the paraf on the printed document: who ticked it and when is kept and printed


class TicketColumn(StrEnum):
    """Ticket columns an output may fill besides the ticket's outputs."""

    REGISTRATION_NUMBER = "registration_number"
    KECAMATAN_CODE = "kecamatan_code"


# Duties an output source cannot work without: its feature looks them up for every ticket.
DUTIES_OF_SOURCE: dict[OutputSource, tuple[RoleDuty | StageDuty, ...]] = {
    OutputSource.SIGNED_DOCUMENT: (RoleDuty.SIGN,),
    OutputSource.BERITA_ACARA: (RoleDuty.SIGN, StageDuty.HANDOVER, StageDuty.COURIER, StageDuty.UPT_RECEIPT),
}


class DefinitionError(ValueError):
    """A definition file is malformed; the message lists every problem found."""

    def __init__(self, source: str, problems: Iterable[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{source}: invalid SOP definition:\n{lines}")


class MissingDuty(LookupError):
    """A feature asked a definition for a duty it does not declare."""

    def __init__(self, definition: str, duty: str, feature: str | None = None) -> None:
        needed = f" (needed by {feature})" if feature else ""
        super().__init__(f"{definition}: no role or stage has the duty {duty!r}{needed}")
        self.definition, self.duty = definition, duty


@dataclass(frozen=True)
class Served:
    """A channel (and optionally only some services) whose new tickets run on a definition."""

    channel: str
    services: tuple[str, ...] = ()  # empty: every service of the channel

    def covers(self, channel: str, service: str) -> bool:
        """Whether a new ticket of this channel and service belongs here."""
        return self.channel == channel and (not self.services or service in self.services)


@dataclass(frozen=True)
class Role:
    key: str
    name: str
    sees_full_nik: bool = False


@dataclass(frozen=True)
class OutputField:
    key: str
    label: str
    type: FieldType
    required: bool = True
    source: OutputSource = OutputSource.STAFF
    options: tuple[str, ...] = ()
    pattern: str | None = None
    min_value: int | None = None
    max_value: int | None = None
    max_length: int | None = None
    fills: TicketColumn | None = None  # the ticket column the value is copied to
    means: OutputMeaning | None = None
    items: ChecklistItems | None = None  # a checklist's items

    @property
    def system_assigned(self) -> bool:
        """Whether the service layer, not the staff member, supplies the value."""
        return self.source is not OutputSource.STAFF


@dataclass(frozen=True)
class Requirement:
    """A document a service requires: one line the citizen reads and the counter ticks."""

    key: str
    label: str
    conditional: bool = False  # needed only for some requests (the label says which)


@dataclass(frozen=True)
class ServiceRequirements:
    """What one service asks of the citizen: its documents, then notes that are not documents."""

    service: str
    requirements: tuple[Requirement, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Stage:
    key: str
    name: str
    citizen_label: str
    kind: StageKind = StageKind.WORK
    role: str | None = None
    actions: frozenset[Action] = frozenset()
    next: str | None = None
    outputs: tuple[OutputField, ...] = ()
    milestone: Milestone | None = None
    sla: timedelta | None = None

    @property
    def is_terminal(self) -> bool:
        """Whether nothing more can happen to a ticket in this stage."""
        return self.kind in (StageKind.DONE, StageKind.REJECTED)

    def output(self, key: str) -> OutputField:
        """The output field with this key."""
        for out in self.outputs:
            if out.key == key:
                return out
        raise KeyError(f"stage {self.key!r} has no output {key!r}")


@dataclass(frozen=True)
class SlaGroup:
    """Consecutive stages sharing one deadline, measured from entering the first of them."""

    key: str
    name: str
    stages: tuple[str, ...]
    duration: timedelta
    section_head: str
    by_output: str | None = None  # a choice output whose value picks the duration (e.g. a complaint's class)
    durations: tuple[tuple[str, timedelta], ...] = ()  # (option, duration) for by_output

    def duration_for(self, outputs: Mapping[str, Any] | None) -> timedelta:
        """The group's duration for a ticket with these outputs: by_output's option, else the default."""
        if self.by_output is not None and outputs:
            chosen = outputs.get(self.by_output)
            for option, duration in self.durations:
                if option == chosen:
                    return duration
        return self.duration


@dataclass(frozen=True, eq=False)
class Definition:
    key: str
    name: str
    office: str
    source: str
    stages: tuple[Stage, ...]
    roles: tuple[Role, ...]
    sla_groups: tuple[SlaGroup, ...]
    section_head: str
    role_duties: Mapping[RoleDuty, tuple[str, ...]] = field(default_factory=dict)
    stage_duties: Mapping[StageDuty, str] = field(default_factory=dict)
    serves: tuple[Served, ...] = ()
    order: int = 100  # where the SOP comes in lists of SOPs (lowest first), e.g. the office's main chain
    services: Mapping[str, ServiceRequirements] = field(default_factory=dict)
    _by_key: dict[str, Stage] = field(init=False, repr=False)
    _roles_by_key: dict[str, Role] = field(init=False, repr=False)
    _chain: tuple[Stage, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_key = {s.key: s for s in self.stages}
        chain: list[Stage] = []
        current: Stage | None = self.stages[0]
        while current is not None and current.kind is StageKind.WORK:
            chain.append(current)
            current = by_key[current.next] if current.next else None
        object.__setattr__(self, "_by_key", by_key)
        object.__setattr__(self, "_roles_by_key", {r.key: r for r in self.roles})
        object.__setattr__(self, "_chain", tuple(chain))

    @property
    def first_stage(self) -> Stage:
        """The stage a new ticket starts in."""
        return self._chain[0]

    @property
    def chain(self) -> tuple[Stage, ...]:
        """The work stages in SOP order."""
        return self._chain

    @property
    def stage_keys(self) -> tuple[str, ...]:
        """Every stage key, work stages first in SOP order."""
        return tuple(s.key for s in self.stages)

    @property
    def waiting_stage(self) -> Stage | None:
        """The stage where a ticket waits for the citizen, if the SOP has one."""
        return self._first_of_kind(StageKind.WAITING)

    @property
    def done_stage(self) -> Stage:
        """The terminal stage of a completed ticket."""
        stage = self._first_of_kind(StageKind.DONE)
        assert stage is not None  # validation guarantees it
        return stage

    @property
    def rejected_stage(self) -> Stage | None:
        """The terminal stage of a rejected ticket, if the SOP can reject."""
        return self._first_of_kind(StageKind.REJECTED)

    @property
    def roles_seeing_full_nik(self) -> frozenset[str]:
        """Role keys allowed to see an unmasked NIK."""
        return frozenset(r.key for r in self.roles if r.sees_full_nik)

    def role_for(self, duty: RoleDuty, feature: str | None = None) -> str:
        """The role that carries out this duty (the first, where several share it)."""
        return self.roles_for(duty, feature)[0]

    def roles_for(self, duty: RoleDuty, feature: str | None = None) -> tuple[str, ...]:
        """Every role that carries out this duty; MissingDuty when the SOP names none."""
        roles = self.role_duties.get(duty)
        if not roles:
            raise MissingDuty(self.key, duty, feature)
        return roles

    def decided_by_citizen(self, key: str) -> bool:
        """Whether the citizen's reply (the bot, acting for no staff member) may advance or return this stage."""
        return self.stage_duties.get(StageDuty.CITIZEN_VERDICT) == key

    def has_duty(self, duty: RoleDuty | StageDuty) -> bool:
        """Whether the SOP names a role or stage for this duty."""
        return duty in (self.role_duties if isinstance(duty, RoleDuty) else self.stage_duties)

    def stage_for(self, duty: StageDuty, feature: str | None = None) -> Stage:
        """The stage where this duty is done; MissingDuty when the SOP names none."""
        key = self.stage_duties.get(duty)
        if key is None:
            raise MissingDuty(self.key, duty, feature)
        return self._by_key[key]

    def require(self, feature: str, duties: Iterable[RoleDuty | StageDuty]) -> None:
        """Refuse, naming every missing duty, a definition that lacks what a feature needs."""
        missing = [d for d in duties if not self.has_duty(d)]
        if missing:
            raise DefinitionError(self.source_file, [
                f"duty {d.value!r} needed by {feature} is not given to any "
                f"{'role' if isinstance(d, RoleDuty) else 'stage'}" for d in missing])

    @property
    def source_file(self) -> str:
        """The file the definition was read from, for error messages."""
        return f"{self.key}.yaml"

    def output_meaning(self, meaning: OutputMeaning) -> OutputField | None:
        """The output that carries this meaning, if the SOP has one (validation keeps it to one)."""
        for stage in self.stages:
            for out in stage.outputs:
                if out.means is meaning:
                    return out
        return None

    def lists_service(self, service: str) -> bool:
        """Whether the SOP lists what this service requires (its `services:` section)."""
        return service in self.services

    def requirements_for(self, service: str) -> tuple[Requirement, ...]:
        """The documents this service requires, in the order the citizen is told; none if it is not listed."""
        found = self.services.get(service)
        return found.requirements if found else ()

    def notes_for(self, service: str) -> tuple[str, ...]:
        """What the citizen is told about this service after its documents (not documents themselves)."""
        found = self.services.get(service)
        return found.notes if found else ()

    def checklist_items(self, spec: OutputField, service: str | None) -> tuple[Requirement, ...]:
        """The items of a checklist output for a ticket of this service."""
        if spec.items is ChecklistItems.SERVICE_REQUIREMENTS and service is not None:
            return self.requirements_for(service)
        return ()

    def column_outputs(self) -> tuple[tuple[str, OutputField], ...]:
        """Every (stage key, output) that fills a ticket column."""
        return tuple((s.key, o) for s in self.stages for o in s.outputs if o.fills is not None)

    def stage(self, key: str) -> Stage:
        """The stage with this key; KeyError if the SOP has none."""
        try:
            return self._by_key[key]
        except KeyError:
            raise KeyError(f"definition {self.key!r} has no stage {key!r}") from None

    def has_stage(self, key: str) -> bool:
        """Whether the SOP has a stage with this key."""
        return key in self._by_key

    def role(self, key: str) -> Role:
        """The role with this key; KeyError if the SOP has none."""
        try:
            return self._roles_by_key[key]
        except KeyError:
            raise KeyError(f"definition {self.key!r} has no role {key!r}") from None

    def stages_for_role(self, role: str) -> tuple[Stage, ...]:
        """The work stages this role carries out, in SOP order."""
        return tuple(s for s in self._chain if s.role == role)

    def next_stage(self, key: str) -> Stage | None:
        """The stage an advance from this stage leads to, or None if it cannot advance."""
        stage = self.stage(key)
        return self._by_key[stage.next] if stage.next else None

    def earlier_stages(self, key: str) -> tuple[Stage, ...]:
        """The work stages before this one, nearest last: the valid return targets."""
        stage = self.stage(key)
        if stage.kind is not StageKind.WORK:
            return ()
        return self._chain[: self._chain.index(stage)]

    def is_terminal(self, key: str) -> bool:
        """Whether a ticket in this stage is finished (done or rejected)."""
        return self.stage(key).is_terminal

    def sla_group_for(self, key: str) -> SlaGroup | None:
        """The SLA group this stage belongs to, if any."""
        for group in self.sla_groups:
            if key in group.stages:
                return group
        return None

    def section_head_for(self, key: str) -> str:
        """The role to notify when a ticket in this stage is overdue."""
        group = self.sla_group_for(key)
        return group.section_head if group else self.section_head

    def _first_of_kind(self, kind: StageKind) -> Stage | None:
        return next((s for s in self.stages if s.kind is kind), None)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys instead of keeping the last one."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_definition(path: str | Path) -> Definition:
    """Read and validate the definition file at path."""
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)
    except OSError as exc:
        raise DefinitionError(str(path), [f"cannot read file: {exc}"]) from exc
    except yaml.YAMLError as exc:
        raise DefinitionError(str(path), [f"not valid YAML: {exc}"]) from exc
    return parse_definition(data, source=path.name)


def parse_definition(data: Any, source: str = "<data>") -> Definition:
    """Validate already-parsed definition data (a mapping) into a Definition."""
    return _Parser(source).parse(data)


def available_definitions() -> tuple[str, ...]:
    """Names of the definition files shipped in routing/sop/."""
    return tuple(sorted(p.stem for p in SOP_DIR.glob("*.yaml")))


@functools.cache
def get_definition(name: str) -> Definition:
    """The shipped definition with this name (its file stem), loaded once."""
    path = SOP_DIR / f"{name}.yaml"
    if not _KEY_RE.match(name) or not path.is_file():
        known = ", ".join(available_definitions()) or "none"
        raise DefinitionError(name, [f"no SOP definition named {name!r} (available: {known})"])
    definition = load_definition(path)
    if definition.key != name:
        raise DefinitionError(path.name, [f"key {definition.key!r} must equal the file name {name!r}"])
    return definition


def default_definition() -> Definition:
    """The Tanggamus Pengaduan Online chain."""
    return get_definition(DEFAULT_DEFINITION)


class _Parser:
    """Turns raw YAML data into a Definition, collecting every problem before failing."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []
        self._meanings_seen: set[OutputMeaning] = set()

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}" if where else message)

    def parse(self, data: Any) -> Definition:
        if not isinstance(data, Mapping):
            raise DefinitionError(self.source, ["the file must contain a mapping at the top level"])
        self._unknown_keys(
            "", data, {"key", "name", "office", "source", "section_head", "roles", "stages", "sla_groups",
                       "duties", "stage_duties", "serves", "order", "services"}
        )
        key = self._key("", data.get("key"), "key")
        name = self._text("", data, "name")
        office = self._text("", data, "office")
        source = self._text("", data, "source", required=False) or ""
        roles = self._roles(data.get("roles"))
        role_keys = {r.key for r in roles}
        stages = self._stages(data.get("stages"), role_keys)
        section_head = self._role_ref("", data.get("section_head"), role_keys, "section_head")
        groups = self._sla_groups(data.get("sla_groups", []), stages, role_keys)
        role_duties = self._role_duties(data.get("duties", {}), role_keys)
        stage_duties = self._stage_duties(data.get("stage_duties", {}), stages)
        self._check_source_duties(stages, role_duties, stage_duties)
        self._check_complaint_duties(stages, stage_duties)
        serves = self._serves(data.get("serves", []))
        services = self._services(data.get("services", {}))
        self._check_checklists(stages, services)
        order = data.get("order", 100)
        if isinstance(order, bool) or not isinstance(order, int):
            self.fail("order", "order must be a whole number")
            order = 100
        self._check_graph(stages)
        if self.problems:
            raise DefinitionError(self.source, self.problems)
        return Definition(
            key=key,
            name=name,
            office=office,
            source=source,
            stages=tuple(self._in_chain_order(stages)),
            roles=tuple(roles),
            sla_groups=tuple(groups),
            section_head=section_head,
            role_duties=role_duties,
            stage_duties=stage_duties,
            serves=serves,
            order=order,
            services=services,
        )

    # --- scalars -------------------------------------------------------------------------

    def _unknown_keys(self, where: str, data: Mapping, allowed: set[str]) -> None:
        for k in data:
            if k not in allowed:
                self.fail(where, f"unknown field {k!r} (allowed: {', '.join(sorted(allowed))})")

    def _key(self, where: str, value: Any, what: str) -> str:
        if not isinstance(value, str) or not _KEY_RE.match(value):
            self.fail(where, f"{what} must be a snake_case identifier, got {value!r}")
            return str(value)
        return value

    def _text(self, where: str, data: Mapping, name: str, *, required: bool = True) -> str:
        value = data.get(name)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(where, f"{name} must be a non-empty text")
            return ""
        return value.strip()

    def _enum(self, where: str, enum: type[StrEnum], value: Any, what: str) -> Any:
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(m.value for m in enum)
            self.fail(where, f"unknown {what} {value!r} (allowed: {allowed})")
            return None

    def _role_ref(self, where: str, value: Any, role_keys: set[str], what: str) -> str:
        if value is None:
            self.fail(where, f"{what} is required")
        elif value not in role_keys:
            self.fail(where, f"{what} refers to unknown role {value!r}")
        return str(value)

    def _duration(self, where: str, value: Any) -> timedelta | None:
        units = {"working_days": WORKING_DAY, "hours": timedelta(hours=1), "minutes": timedelta(minutes=1)}
        if not isinstance(value, Mapping) or not value:
            self.fail(where, f"duration must be a mapping of {', '.join(units)}")
            return None
        total = timedelta(0)
        for unit, amount in value.items():
            if unit not in units:
                self.fail(where, f"unknown duration unit {unit!r} (allowed: {', '.join(units)})")
            elif isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount < 0:
                self.fail(where, f"duration {unit} must be a non-negative number")
            else:
                total += units[unit] * amount
        if total <= timedelta(0):
            self.fail(where, "duration must be longer than zero")
            return None
        return total

    def _list(self, where: str, value: Any, what: str) -> list[Any]:
        if not isinstance(value, list):
            self.fail(where, f"{what} must be a list")
            return []
        return value

    # --- sections ------------------------------------------------------------------------

    def _roles(self, raw: Any) -> list[Role]:
        roles: list[Role] = []
        seen: set[str] = set()
        items = self._list("roles", raw, "roles")
        if not items and isinstance(raw, list):
            self.fail("roles", "at least one role is required")
        for i, item in enumerate(items):
            where = f"roles[{i}]"
            if not isinstance(item, Mapping):
                self.fail(where, "each role must be a mapping")
                continue
            self._unknown_keys(where, item, {"key", "name", "sees_full_nik"})
            key = self._key(where, item.get("key"), "key")
            where = f"role {key!r}"
            if key in seen:
                self.fail(where, "duplicate role key")
            seen.add(key)
            full_nik = item.get("sees_full_nik", False)
            if not isinstance(full_nik, bool):
                self.fail(where, "sees_full_nik must be true or false")
            roles.append(Role(key=key, name=self._text(where, item, "name"), sees_full_nik=bool(full_nik)))
        return roles

    def _stages(self, raw: Any, role_keys: set[str]) -> list[Stage]:
        stages: list[Stage] = []
        seen: set[str] = set()
        items = self._list("stages", raw, "stages")
        if not items and isinstance(raw, list):
            self.fail("stages", "at least one stage is required")
        for i, item in enumerate(items):
            if not isinstance(item, Mapping):
                self.fail(f"stages[{i}]", "each stage must be a mapping")
                continue
            stage = self._stage(i, item, role_keys)
            if stage.key in seen:
                self.fail(f"stage {stage.key!r}", "duplicate stage key")
            seen.add(stage.key)
            stages.append(stage)
        return stages

    def _stage(self, index: int, item: Mapping, role_keys: set[str]) -> Stage:
        key = self._key(f"stages[{index}]", item.get("key"), "key")
        where = f"stage {key!r}"
        kind = self._enum(where, StageKind, item.get("kind", "work"), "stage kind") or StageKind.WORK
        work_fields = {"role", "actions", "next", "outputs", "sla"}
        self._unknown_keys(
            where, item, {"key", "name", "citizen_label", "kind", "milestone"} | work_fields
        )
        milestone = None
        if item.get("milestone") is not None:
            milestone = self._enum(where, Milestone, item["milestone"], "milestone")
        common = dict(
            key=key,
            name=self._text(where, item, "name"),
            citizen_label=self._text(where, item, "citizen_label"),
            kind=kind,
            milestone=milestone,
        )
        if kind is not StageKind.WORK:
            for k in sorted(work_fields & set(item)):
                self.fail(where, f"a {kind.value} stage cannot have {k!r}")
            return Stage(**common)
        role = self._role_ref(where, item.get("role"), role_keys, "role")
        actions = self._actions(where, item.get("actions"))
        nxt = item.get("next")
        if not isinstance(nxt, str):
            self.fail(where, "a work stage needs a next stage")
            nxt = None
        sla = self._duration(f"{where} sla", item["sla"]) if "sla" in item else None
        outputs = self._outputs(where, item.get("outputs", []))
        return Stage(**common, role=role, actions=actions, next=nxt, outputs=outputs, sla=sla)

    def _actions(self, where: str, raw: Any) -> frozenset[Action]:
        actions: set[Action] = set()
        for value in self._list(where, raw, "actions"):
            action = self._enum(where, Action, value, "action")
            if action is None:
                continue
            if action not in STAGE_ACTIONS:
                self.fail(where, f"action {value!r} cannot be listed; it is implied")
            elif action in actions:
                self.fail(where, f"action {value!r} listed twice")
            actions.add(action)
        if Action.ADVANCE not in actions:
            self.fail(where, "a work stage must allow 'advance', or tickets would stay there forever")
        return frozenset(actions)

    def _outputs(self, where: str, raw: Any) -> tuple[OutputField, ...]:
        fields: list[OutputField] = []
        seen: set[str] = set()
        allowed = {
            "key", "label", "type", "required", "source", "options",
            "pattern", "min_value", "max_value", "max_length", "fills", "means", "items",
        }
        for i, item in enumerate(self._list(where, raw, "outputs")):
            if not isinstance(item, Mapping):
                self.fail(f"{where} outputs[{i}]", "each output must be a mapping")
                continue
            key = self._key(f"{where} outputs[{i}]", item.get("key"), "key")
            fwhere = f"{where} output {key!r}"
            self._unknown_keys(fwhere, item, allowed)
            if key in seen:
                self.fail(fwhere, "duplicate output key")
            seen.add(key)
            ftype = self._enum(fwhere, FieldType, item.get("type"), "output type") or FieldType.TEXT
            source = self._enum(fwhere, OutputSource, item.get("source", "staff"), "source")
            required = item.get("required", True)
            if not isinstance(required, bool):
                self.fail(fwhere, "required must be true or false")
            options = item.get("options", [])
            if ftype is FieldType.CHOICE:
                if not options or not all(isinstance(o, str) and o for o in options):
                    self.fail(fwhere, "a choice output needs a list of text options")
            elif options:
                self.fail(fwhere, "only choice outputs take options")
            pattern = item.get("pattern")
            if pattern is not None:
                try:
                    re.compile(pattern)
                except (re.error, TypeError) as exc:
                    self.fail(fwhere, f"invalid pattern: {exc}")
            for bound in ("min_value", "max_value", "max_length"):
                value = item.get(bound)
                if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                    self.fail(fwhere, f"{bound} must be a whole number")
            fills = None
            if item.get("fills") is not None:
                fills = self._enum(fwhere, TicketColumn, item["fills"], "ticket column")
            means = None
            if item.get("means") is not None:
                means = self._enum(fwhere, OutputMeaning, item["means"], "output meaning")
                if means is not None and means in self._meanings_seen:
                    self.fail(fwhere, f"meaning {means.value!r} is already carried by another output")
                if means is not None:
                    self._meanings_seen.add(means)
            if source not in (None, OutputSource.STAFF) and ftype in (FieldType.CHECK, FieldType.CHECKLIST):
                self.fail(fwhere, f"a {ftype.value} is ticked by staff; it cannot be system-assigned")
            items = None
            if ftype is FieldType.CHECKLIST:
                items = self._enum(fwhere, ChecklistItems, item.get("items"), "checklist items")
            elif "items" in item:
                self.fail(fwhere, "only checklist outputs take items")
            fields.append(
                OutputField(
                    key=key,
                    label=self._text(fwhere, item, "label"),
                    type=ftype,
                    required=bool(required),
                    source=source or OutputSource.STAFF,
                    options=tuple(str(o) for o in options or ()),
                    pattern=pattern,
                    min_value=item.get("min_value"),
                    max_value=item.get("max_value"),
                    max_length=item.get("max_length"),
                    fills=fills,
                    means=means,
                    items=items,
                )
            )
        return tuple(fields)

    def _sla_groups(self, raw: Any, stages: list[Stage], role_keys: set[str]) -> list[SlaGroup]:
        groups: list[SlaGroup] = []
        by_key = {s.key: s for s in stages}
        order = [s.key for s in self._in_chain_order(stages)]
        owner: dict[str, str] = {}
        for i, item in enumerate(self._list("sla_groups", raw, "sla_groups")):
            if not isinstance(item, Mapping):
                self.fail(f"sla_groups[{i}]", "each SLA group must be a mapping")
                continue
            key = self._key(f"sla_groups[{i}]", item.get("key"), "key")
            where = f"sla group {key!r}"
            self._unknown_keys(where, item, {"key", "name", "stages", "duration", "section_head", "by_output"})
            if any(g.key == key for g in groups):
                self.fail(where, "duplicate SLA group key")
            members = [str(k) for k in self._list(where, item.get("stages"), "stages")]
            if not members:
                self.fail(where, "an SLA group needs at least one stage")
            for member in members:
                stage = by_key.get(member)
                if stage is None:
                    self.fail(where, f"unknown stage {member!r}")
                elif stage.kind is not StageKind.WORK:
                    self.fail(where, f"stage {member!r} is not a work stage")
                elif stage.sla is not None:
                    self.fail(where, f"stage {member!r} has its own sla; a stage takes one or the other")
                if member in owner:
                    self.fail(where, f"stage {member!r} is already in SLA group {owner[member]!r}")
                owner.setdefault(member, key)
            if members and all(m in order for m in members):
                positions = [order.index(m) for m in members]
                if positions != list(range(positions[0], positions[0] + len(positions))):
                    self.fail(where, "stages must be consecutive and in SOP order")
            duration = self._duration(f"{where} duration", item.get("duration"))
            section_head = self._role_ref(where, item.get("section_head"), role_keys, "section_head")
            by_output, durations = None, ()
            if "by_output" in item:
                by_output, durations = self._by_output(where, item["by_output"], stages, order, members)
            groups.append(
                SlaGroup(
                    key=key,
                    name=self._text(where, item, "name"),
                    stages=tuple(members),
                    duration=duration or timedelta(0),
                    section_head=section_head,
                    by_output=by_output,
                    durations=durations,
                )
            )
        return groups

    def _by_output(self, where: str, raw: Any, stages: list[Stage], order: list[str],
                   members: list[str]) -> tuple[str | None, tuple[tuple[str, timedelta], ...]]:
        """`by_output: {output: key, durations: {option: duration}}`: a choice output filled before the group
        is entered picks its duration; every option needs one."""
        where = f"{where} by_output"
        if not isinstance(raw, Mapping):
            self.fail(where, "must be a mapping with output and durations")
            return None, ()
        self._unknown_keys(where, raw, {"output", "durations"})
        key = raw.get("output")
        first = order.index(members[0]) if members and members[0] in order else len(order)
        before = {k for k in order[:first]}
        spec = next((o for s in stages if s.key in before for o in s.outputs if o.key == key), None)
        if spec is None:
            self.fail(where, f"output {key!r} is not filled by a stage before the group")
            return None, ()
        if spec.type is not FieldType.CHOICE:
            self.fail(where, f"output {key!r} must be a choice output")
            return None, ()
        raw_durations = raw.get("durations")
        if not isinstance(raw_durations, Mapping):
            self.fail(where, "durations must be a mapping of option to duration")
            return None, ()
        durations: list[tuple[str, timedelta]] = []
        for option, value in raw_durations.items():
            if option not in spec.options:
                self.fail(where, f"{option!r} is not an option of {key!r}")
                continue
            duration = self._duration(f"{where} {option!r}", value)
            if duration is not None:
                durations.append((str(option), duration))
        missing = [o for o in spec.options if o not in raw_durations]
        if missing:
            self.fail(where, f"no duration for {', '.join(repr(o) for o in missing)}")
        return str(key), tuple(durations)

    # --- duties and channels ---------------------------------------------------------------

    def _role_duties(self, raw: Any, role_keys: set[str]) -> dict[RoleDuty, tuple[str, ...]]:
        duties: dict[RoleDuty, tuple[str, ...]] = {}
        if not isinstance(raw, Mapping):
            self.fail("duties", "duties must be a mapping of duty to role (or list of roles)")
            return duties
        for name, value in raw.items():
            duty = self._enum("duties", RoleDuty, name, "role duty")
            roles = value if isinstance(value, list) else [value]
            if not roles:
                self.fail(f"duty {name!r}", "needs at least one role")
            refs = tuple(self._role_ref(f"duty {name!r}", r, role_keys, "role") for r in roles)
            if duty is not None:
                duties[duty] = refs
        return duties

    def _stage_duties(self, raw: Any, stages: list[Stage]) -> dict[StageDuty, str]:
        duties: dict[StageDuty, str] = {}
        if not isinstance(raw, Mapping):
            self.fail("stage_duties", "stage_duties must be a mapping of duty to stage")
            return duties
        work = {s.key for s in stages if s.kind is StageKind.WORK}
        for name, value in raw.items():
            duty = self._enum("stage_duties", StageDuty, name, "stage duty")
            if value not in work:
                self.fail(f"stage duty {name!r}", f"refers to {value!r}, which is not a work stage")
            elif duty is not None:
                duties[duty] = str(value)
        return duties

    def _check_source_duties(self, stages: list[Stage], role_duties: Mapping, stage_duties: Mapping) -> None:
        for stage in stages:
            for out in stage.outputs:
                for duty in DUTIES_OF_SOURCE.get(out.source, ()):
                    declared = role_duties if isinstance(duty, RoleDuty) else stage_duties
                    if duty not in declared:
                        self.fail(f"stage {stage.key!r} output {out.key!r}",
                                  f"source {out.source.value!r} needs the duty {duty.value!r}; declare it")

    def _check_complaint_duties(self, stages: list[Stage], stage_duties: Mapping[StageDuty, str]) -> None:
        """The answer stage writes a text answer; the verdict stage comes after it and the bot can act there."""
        by_key = {s.key: s for s in stages}
        answer = by_key.get(stage_duties.get(StageDuty.ANSWER, ""))
        verdict = by_key.get(stage_duties.get(StageDuty.CITIZEN_VERDICT, ""))
        if answer is not None and not any(o.type is FieldType.TEXT and not o.system_assigned for o in answer.outputs):
            self.fail(f"stage duty {StageDuty.ANSWER.value!r}", f"stage {answer.key!r} needs a text output: the answer")
        if verdict is None:
            return
        where = f"stage duty {StageDuty.CITIZEN_VERDICT.value!r}"
        if answer is None:
            self.fail(where, f"needs the stage duty {StageDuty.ANSWER.value!r}: a complaint not solved goes back there")
        elif answer.key not in [s.key for s in self._in_chain_order(stages)][
                :[s.key for s in self._in_chain_order(stages)].index(verdict.key)]:
            self.fail(where, f"stage {answer.key!r} must come before {verdict.key!r}")
        if Action.RETURN_ not in verdict.actions:
            self.fail(where, f"stage {verdict.key!r} must allow 'return'")
        if any(o.required or o.type is FieldType.CHECK for o in verdict.outputs):
            self.fail(where, f"stage {verdict.key!r} cannot have required outputs: the citizen's reply advances it")

    def _services(self, raw: Any) -> dict[str, ServiceRequirements]:
        """`services: {service: {requirements: [{key, label, conditional}], notes: [text]}}`."""
        services: dict[str, ServiceRequirements] = {}
        if not isinstance(raw, Mapping):
            self.fail("services", "services must be a mapping of service to its requirements")
            return services
        for service, entry in raw.items():
            where = f"service {service!r}"
            if not isinstance(service, str) or not _SERVICE_RE.match(service):
                self.fail(where, "a service key must be lower case letters, digits, '-' or '_'")
                continue
            if not isinstance(entry, Mapping):
                self.fail(where, "must be a mapping with requirements (and optionally notes)")
                continue
            self._unknown_keys(where, entry, {"requirements", "notes"})
            requirements: list[Requirement] = []
            for i, item in enumerate(self._list(where, entry.get("requirements"), "requirements")):
                iwhere = f"{where} requirements[{i}]"
                if not isinstance(item, Mapping):
                    self.fail(iwhere, "each requirement must be a mapping with key and label")
                    continue
                self._unknown_keys(iwhere, item, {"key", "label", "conditional"})
                key = self._key(iwhere, item.get("key"), "key")
                if any(r.key == key for r in requirements):
                    self.fail(iwhere, f"duplicate requirement key {key!r}")
                conditional = item.get("conditional", False)
                if not isinstance(conditional, bool):
                    self.fail(iwhere, "conditional must be true or false")
                requirements.append(Requirement(key, self._text(iwhere, item, "label"), bool(conditional)))
            notes = entry.get("notes", [])
            if not isinstance(notes, list) or not all(isinstance(n, str) and n.strip() for n in notes):
                self.fail(where, "notes must be a list of texts")
                notes = []
            services[service] = ServiceRequirements(service, tuple(requirements), tuple(n.strip() for n in notes))
        return services

    def _check_checklists(self, stages: list[Stage], services: Mapping[str, ServiceRequirements]) -> None:
        """A checklist of the service's requirements needs the services to list them."""
        for stage in stages:
            for out in stage.outputs:
                if out.items is ChecklistItems.SERVICE_REQUIREMENTS and not services:
                    self.fail(f"stage {stage.key!r} output {out.key!r}",
                              "lists the service's requirements, but the definition has no services section")

    def _serves(self, raw: Any) -> tuple[Served, ...]:
        served: list[Served] = []
        for i, item in enumerate(self._list("serves", raw, "serves")):
            where = f"serves[{i}]"
            if not isinstance(item, Mapping):
                self.fail(where, "each entry must be a mapping with a channel")
                continue
            self._unknown_keys(where, item, {"channel", "services"})
            channel = item.get("channel")
            services = item.get("services", [])
            if not isinstance(channel, str) or not channel:
                self.fail(where, "channel must be a non-empty text")
            if not isinstance(services, list) or not all(isinstance(x, str) and x for x in services):
                self.fail(where, "services must be a list of service keys")
                services = []
            served.append(Served(channel=str(channel), services=tuple(services)))
        return tuple(served)

    # --- graph ---------------------------------------------------------------------------

    def _in_chain_order(self, stages: list[Stage]) -> list[Stage]:
        """Work stages along the next links from the first, then the rest in file order."""
        by_key = {s.key: s for s in stages}
        ordered: list[Stage] = []
        current = stages[0] if stages else None
        while current is not None and current.kind is StageKind.WORK and current not in ordered:
            ordered.append(current)
            current = by_key.get(current.next or "")
        return ordered + [s for s in stages if s not in ordered]

    def _check_graph(self, stages: list[Stage]) -> None:
        if not stages:
            return
        by_key = {s.key: s for s in stages}
        first = stages[0]
        if first.kind is not StageKind.WORK:
            self.fail(f"stage {first.key!r}", "the first stage listed must be a work stage")
        for kind in (StageKind.WAITING, StageKind.DONE, StageKind.REJECTED):
            of_kind = [s.key for s in stages if s.kind is kind]
            if len(of_kind) > 1:
                self.fail("stages", f"only one {kind.value} stage is allowed, found {', '.join(of_kind)}")
        if not any(s.kind is StageKind.DONE for s in stages):
            self.fail("stages", "missing terminal stage: add a stage with kind: done")
        links_ok = True
        for stage in stages:
            where = f"stage {stage.key!r}"
            if stage.next is None:
                continue
            target = by_key.get(stage.next)
            if target is None:
                self.fail(where, f"next stage {stage.next!r} is not defined")
                links_ok = False
            elif target.kind not in (StageKind.WORK, StageKind.DONE):
                self.fail(where, f"next stage {stage.next!r} is a {target.kind.value} stage")
                links_ok = False
            if Action.RETURN_ in stage.actions and stage is first:
                self.fail(where, "the first stage has no earlier stage to return to")
            if Action.ASK_CITIZEN in stage.actions and not any(s.kind is StageKind.WAITING for s in stages):
                self.fail(where, "allows ask_citizen but there is no waiting stage")
            if Action.REJECT in stage.actions and not any(s.kind is StageKind.REJECTED for s in stages):
                self.fail(where, "allows reject but there is no rejected stage")
        if links_ok:  # with a broken link, everything after it would be reported unreachable too
            self._check_reachable(stages, by_key)

    def _check_reachable(self, stages: list[Stage], by_key: dict[str, Stage]) -> None:
        reached: list[str] = []
        current: Stage | None = stages[0]
        while current is not None and current.key not in reached:
            reached.append(current.key)
            current = by_key.get(current.next or "")
        if current is not None:
            self.fail(f"stage {current.key!r}", "the next links form a cycle")
        chain = [by_key[k] for k in reached]
        actions = set().union(*(s.actions for s in chain))
        waiting = any(s.kind is StageKind.WAITING for s in stages)
        if Action.ASK_CITIZEN in actions and waiting:
            reached += [s.key for s in stages if s.kind is StageKind.WAITING]
        # A ticket waiting for the citizen can be rejected from there, so waiting leads to rejected.
        if Action.REJECT in actions or (Action.ASK_CITIZEN in actions and waiting):
            reached += [s.key for s in stages if s.kind is StageKind.REJECTED]
        for stage in stages:
            if stage.key not in reached:
                self.fail(f"stage {stage.key!r}", "unreachable from the first stage")
