"""What the ticket page shows: the conversation, the files, the timeline, the related tickets and the
action forms."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from tickets.messages import Attachment, Message
from routing import workflow
from routing.definition import Action, Definition, FieldType, ItemState, OutputField, Requirement, Stage
from routing.engine import TicketView, available_actions
from routing.sla import working_time_between
from tickets.constants import Direction
from tickets.models import Applicant, StageEvent, Ticket
from tickets.privacy import contains_nik, mask_niks_in_text
from tickets.staff import StaffUser

# The bot forgets a draft after a day of silence, so older chatter never led to this ticket.
CONVERSATION_LOOKBACK = timedelta(hours=24)
# Shown in the page; anything else (a PDF above all: a browser's viewer runs what it carries) is a download.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
OUTPUT_PREFIX = "isian-"  # form field names of stage outputs, apart from the form's own fields


@dataclass(frozen=True)
class ChatItem:
    side: str  # "citizen", "bot" (the automatic reply) or "office" (a message the office sent)
    body: str
    at: datetime
    media: int = 0
    status: str | None = None
    error_code: str | None = None  # why an office message was not sent (Twilio's code, or our own)


@dataclass(frozen=True)
class TimelineItem:
    event: StageEvent
    actor_name: str | None
    note: str | None = None  # the event's note as this reader may see it


@dataclass(frozen=True)
class SlaClock:
    due_at: datetime | None
    overdue: bool
    working_left: timedelta | None  # before the deadline
    working_late: timedelta | None  # past the deadline


@dataclass(frozen=True)
class ChecklistRow:
    """One document of a checklist as the form shows it: ticked, or what was found instead, and why."""

    item: Requirement
    ticked: bool
    state: str  # an ItemState value other than checked, or "" when nothing was chosen
    reason: str
    error: str | None


@dataclass(frozen=True)
class ActionForms:
    """The forms to show: exactly the actions the engine allows this user now."""

    actions: tuple[Action, ...]
    stage: Stage
    staff_outputs: tuple[OutputField, ...] = ()
    system_outputs: tuple[OutputField, ...] = ()
    return_targets: tuple[Stage, ...] = ()  # nearest first
    submitted: Mapping[str, Any] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)
    checklists: Mapping[str, tuple[ChecklistRow, ...]] = field(default_factory=dict)  # by output key
    failed_action: str | None = None  # the refused form whose typed values and errors come back
    typed: Mapping[str, Any] = field(default_factory=dict)  # what was typed in it

    def allows(self, action: str) -> bool:
        """Whether the form of this action is shown."""
        return action in self.actions

    def kept(self, action: str, name: str) -> str:
        """What was typed into this field of this action's form before it was refused; empty otherwise."""
        return str(self.typed.get(name) or "") if action == self.failed_action else ""

    def error(self, action: str, name: str) -> str | None:
        """Why this field of this action's form was refused, if it was."""
        return self.errors.get(name) if action == self.failed_action else None


def conversation(
    session: Session, ticket: Ticket, applicant: Applicant, *, shown: Callable[[str], str] = mask_niks_in_text
) -> list[ChatItem]:
    """The applicant's WhatsApp messages that belong to this ticket, with the bot's replies, oldest first,
    each text as `shown` lets this reader see it (NIKs masked unless told otherwise)."""
    return chat_items(conversation_messages(session, ticket, applicant.phone), shown=shown)


def chat_items(messages: list[Message], *, shown: Callable[[str], str] = mask_niks_in_text) -> list[ChatItem]:
    """Messages as a chat shows them, both sides: the citizen's, the bot's replies to each, the office's."""
    items: list[ChatItem] = []
    for message in messages:
        if message.direction == Direction.INBOUND:
            items.append(ChatItem("citizen", shown(message.body), message.created_at, media=message.num_media))
            items.extend(ChatItem("bot", shown(reply), message.created_at) for reply in _replies(message.reply))
        else:
            items.append(ChatItem("office", shown(message.body), message.created_at, media=message.num_media,
                                  status=message.status, error_code=message.error_code))
    return items


def conversation_messages(session: Session, ticket: Ticket, phone: str | None) -> list[Message]:
    """The WhatsApp messages of this number that belong to this ticket, oldest first.

    Messages linked to the ticket always belong. Unlinked messages of the applicant's number are
    split between the number's tickets: each ticket's span starts a day before it was created (its
    draft; the bot forgets older ones) but not before the previous ticket, and ends where the next
    ticket's span starts.
    """
    others = session.exec(
        select(col(Ticket.created_at)).join(Applicant, col(Applicant.id) == col(Ticket.applicant_id))
        .where(col(Applicant.phone) == phone, col(Ticket.id) != ticket.id)
    ).all()
    previous = [moment for moment in others if moment <= ticket.created_at]
    following = [moment for moment in others if moment > ticket.created_at]
    start = max([ticket.created_at - CONVERSATION_LOOKBACK, *previous])
    in_span = [col(Message.phone) == phone, col(Message.ticket_id).is_(None),
               col(Message.created_at) >= start]
    if following:
        end = max(ticket.created_at, min(following) - CONVERSATION_LOOKBACK)
        in_span.append(col(Message.created_at) < end)
    return list(session.exec(
        select(Message).where(or_(col(Message.ticket_id) == ticket.id, and_(*in_span)))
        .order_by(col(Message.created_at), col(Message.id))
    ).all())


@dataclass(frozen=True)
class LinkedTicket:
    """A ticket related to the one on the page, as its "Tiket terkait" section lists it."""

    ticket: Ticket
    stage_name: str
    same_citizen: bool  # one citizen stands behind both: the link tells who filed a confidential one


@dataclass(frozen=True)
class RelatedTickets:
    about: LinkedTicket | None  # the ticket this one is about
    about_this: list[LinkedTicket]  # the tickets about this one, oldest first


def related_tickets(session: Session, ticket: Ticket) -> RelatedTickets:
    """The ticket this one is about and the tickets about this one (e.g. complaints about a request)."""
    about = session.get(Ticket, ticket.related_ticket_id) if ticket.related_ticket_id else None
    about_this = session.exec(
        select(Ticket).where(col(Ticket.related_ticket_id) == ticket.id).order_by(col(Ticket.id))
    ).all()
    return RelatedTickets(about=_linked(session, ticket, about) if about else None,
                          about_this=[_linked(session, ticket, other) for other in about_this])


def _linked(session: Session, ticket: Ticket, other: Ticket) -> LinkedTicket:
    return LinkedTicket(other, workflow(other.workflow).stage(other.stage).name,
                        same_citizen(session, ticket, other))


def same_citizen(session: Session, ticket: Ticket, other: Ticket) -> bool:
    """Whether one citizen stands behind both tickets: one applicant, or one WhatsApp number or NIK."""
    if ticket.applicant_id == other.applicant_id:
        return True
    first, second = session.get(Applicant, ticket.applicant_id), session.get(Applicant, other.applicant_id)
    if first is None or second is None:
        return False
    return bool(first.phone and first.phone == second.phone) or bool(first.nik and first.nik == second.nik)


def attachments(session: Session, ticket: Ticket) -> list[Attachment]:
    """The citizen's files of this ticket, in the order they were sent."""
    return list(session.exec(
        select(Attachment).where(col(Attachment.ticket_id) == ticket.id)
        .order_by(col(Attachment.message_id), col(Attachment.media_index))
    ).all())


def timeline(session: Session, ticket: Ticket, *, shown: Callable[[str], str] = mask_niks_in_text
             ) -> list[TimelineItem]:
    """Every stage event of the ticket with the acting staff member's name, oldest first; each note as
    `shown` lets this reader see it (NIKs masked unless told otherwise)."""
    rows = session.exec(
        select(StageEvent, col(StaffUser.full_name))
        .join(StaffUser, col(StaffUser.id) == col(StageEvent.actor_id), isouter=True)
        .where(col(StageEvent.ticket_id) == ticket.id)
        .order_by(col(StageEvent.created_at), col(StageEvent.id))
    ).all()
    return [TimelineItem(event, name, shown(event.note) if event.note else None) for event, name in rows]


def shows_a_nik(applicant: Applicant, description: str | None, chat: list[ChatItem],
                timeline_items: list[TimelineItem]) -> bool:
    """Whether the page shows a NIK: the applicant's, or one typed in the complaint, the chat or a note."""
    return (bool(applicant.nik) or contains_nik(description) or any(contains_nik(i.body) for i in chat)
            or any(contains_nik(i.note) for i in timeline_items))


def sla_clock(ticket: Ticket, now: datetime) -> SlaClock:
    """The deadline of the current stage and the working time left or overrun."""
    due = ticket.due_at
    if due is None:
        return SlaClock(None, False, None, None)
    if due > now:
        return SlaClock(due, False, working_time_between(now, due), None)
    return SlaClock(due, True, None, working_time_between(due, now))


def ticket_view(ticket: Ticket, actor_id: int | None) -> TicketView:
    """The engine's view of the stored ticket for this actor."""
    return TicketView(stage=ticket.stage, version=ticket.version, claimed_by=ticket.claimed_by_id,
                      actor_id=actor_id, resume_stage=ticket.return_stage, service=ticket.service)


def action_forms(
    definition: Definition,
    ticket: Ticket,
    account: StaffUser,
    *,
    submitted: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
    failed_action: str | None = None,
) -> ActionForms:
    """The action forms for this user, with the stage's output fields and the return targets; a refused
    form's typed values and errors come back in it (the advance form's fields read `submitted`)."""
    stage = definition.stage(ticket.stage)
    actions = available_actions(definition, ticket_view(ticket, account.id), set(account.roles))
    typed = dict(submitted or {})
    if failed_action not in (None, Action.ADVANCE):
        submitted = None  # another form was refused: the advance fields keep the ticket's own values
    return ActionForms(
        actions=actions,
        stage=stage,
        staff_outputs=tuple(f for f in stage.outputs if not f.system_assigned),
        system_outputs=tuple(f for f in stage.outputs if f.system_assigned),
        return_targets=tuple(reversed(definition.earlier_stages(stage.key))),
        submitted=submitted or {},
        errors=errors or {},
        checklists={f.key: _checklist_rows(definition, ticket, f, submitted, errors or {})
                    for f in stage.outputs if f.type is FieldType.CHECKLIST},
        failed_action=failed_action,
        typed=typed,
    )


def _checklist_rows(definition: Definition, ticket: Ticket, spec: OutputField, submitted: Mapping[str, Any] | None,
                    errors: Mapping[str, str]) -> tuple[ChecklistRow, ...]:
    """The checklist as last submitted (nothing typed is lost on an error), else as the ticket last left it."""
    name = OUTPUT_PREFIX + spec.key
    rows = []
    stored = None if submitted else ticket.outputs.get(spec.key)
    if submitted:
        ticked = set(_all(submitted, name))
    else:  # stored by label (what the officer saw); a ticket sent back finds its ticks again
        ticked = {i.key for i in definition.checklist_items(spec, ticket.service)
                  if isinstance(stored, Mapping) and stored.get(i.label) == ItemState.CHECKED.label}
    for item in definition.checklist_items(spec, ticket.service):
        field_name = f"{name}-{item.key}"
        state = str((submitted or {}).get(f"{field_name}-hasil") or "")
        if isinstance(stored, Mapping) and stored.get(item.label) == ItemState.NOT_NEEDED.label:
            state = ItemState.NOT_NEEDED.value
        rows.append(ChecklistRow(item, item.key in ticked, state, str((submitted or {}).get(f"{field_name}-alasan") or ""),
                                 errors.get(f"{spec.key}.{item.key}")))
    return tuple(rows)


def _all(form: Mapping[str, Any], name: str) -> list[str]:
    """Every value a form sent under this name (checkboxes sharing it)."""
    getlist = getattr(form, "getlist", None)
    if getlist is not None:
        return [str(v) for v in getlist(name)]
    value = form.get(name)
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else ([str(value)] if value else [])


def payload_from_form(
    definition: Definition, ticket: Ticket, action: Action, form: Mapping[str, str]
) -> dict[str, Any]:
    """The engine payload of a submitted action form; the engine validates it."""
    if action is Action.ADVANCE:
        stage = definition.stage(ticket.stage)
        outputs = {f.key: _checklist_payload(definition, ticket, f, form) if f.type is FieldType.CHECKLIST
                   else form.get(OUTPUT_PREFIX + f.key) for f in stage.outputs if not f.system_assigned}
        return {"outputs": outputs, "note": form.get("note")}
    if action is Action.RETURN_:
        return {"reason": form.get("reason"), "to_stage": form.get("to_stage") or None}
    if action in (Action.REJECT, Action.ASK_CITIZEN):
        return {"reason": form.get("reason")}
    return {"note": form.get("note")}


def _checklist_payload(definition: Definition, ticket: Ticket, spec: OutputField,
                       form: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Each document of the checklist: ticked (checked), else the state and reason chosen beside it."""
    name = OUTPUT_PREFIX + spec.key
    ticked = set(_all(form, name))
    return {item.key: {"state": ItemState.CHECKED.value if item.key in ticked else form.get(f"{name}-{item.key}-hasil"),
                       "reason": form.get(f"{name}-{item.key}-alasan")}
            for item in definition.checklist_items(spec, ticket.service)}


def output_labels(definition: Definition) -> dict[str, str]:
    """The label of every output field of the definition, by key."""
    return {f.key: f.label for stage in definition.stages for f in stage.outputs}


def _replies(raw: str | None) -> list[str]:
    try:
        replies = json.loads(raw or "[]")
    except ValueError:
        return []
    return [str(r) for r in replies] if isinstance(replies, list) else []

