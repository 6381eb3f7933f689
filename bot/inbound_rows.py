"""The rows every inbound WhatsApp message writes, with SQLAlchemy Core statements built once per dialect.

A turn that holds its number's conversation (bot.intake) locks it, stores the message and writes back the
reply and the new state, in one transaction. Through the ORM each of those is a unit-of-work flush that
costs more Python than the round trip it makes; as compiled Core statements they cost little more than the
SQL. Rarer work (tickets, pending matters) keeps the ORM session, on the same transaction. A turn that only
replies reads without the lock and writes in one statement of its own (bot.unlocked_turn).

Every turn takes the conversation's row lock before it inserts its message. So a delivery that holds the
conversation can only wait on a twin's uncommitted INSERT of the same MessageSid when that twin holds
nothing else (a message kept alone after its turn failed), and two deliveries of one message never
deadlock.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (Connection, Insert, Select, Text, Update, and_, bindparam, case, cast,
                        literal_column, not_)
from sqlmodel import Session, select

from layanan import prepared
from layanan.db import insert_for
from layanan.rows import built_as_loaded, column_binds, columns_of, insert_of, stored as _stored
from tickets.messages import Attachment, Conversation, Message

_MESSAGE = Message.__table__  # type: ignore[attr-defined]
_CONVERSATION = Conversation.__table__  # type: ignore[attr-defined]
_ATTACHMENT = Attachment.__table__  # type: ignore[attr-defined]
# The version of the conversation row a turn read: PostgreSQL gives every write of a row a new row version,
# whose xmin is the writing transaction's id (row locks leave it as it is).
_XMIN = literal_column(f"{_CONVERSATION.name}.xmin")
_VERSION = cast(_XMIN, Text)


@dataclass(frozen=True)
class LockedConversation:
    """A number's conversation as it was when this message took its lock."""

    state: str
    data: dict[str, Any]
    misses: int
    needs_human: bool
    updated_at: datetime | None


@functools.lru_cache(maxsize=4)
def _insert_message(dialect: str) -> Insert:
    """INSERT … ON CONFLICT (twilio_sid) DO NOTHING RETURNING id: no id back means a redelivery."""
    return (insert_for(dialect, _MESSAGE).values(column_binds(_MESSAGE))
            .on_conflict_do_nothing(index_elements=["twilio_sid"])
            .returning(_MESSAGE.c.id))


def insert_message(connection: Connection, message: Message, attachments: list[Attachment]) -> bool:
    """Insert the message (and its attachments, on the same connection); False when its MessageSid is
    already stored. On success the object becomes a stored row the session can take without a query."""
    inserted = prepared.execute(connection, (_insert_message(connection.dialect.name), columns_of(message)))
    if not inserted:
        return False
    new_id = _stored(message, inserted[0][0]).id
    for attachment in attachments:  # one prepared INSERT each: a message holds one photo far more often than more
        attachment.__dict__["message_id"] = new_id
        _stored(attachment, prepared.execute(connection, (_INSERT_ATTACHMENT, columns_of(attachment)))[0][0])
    return True


_INSERT_ATTACHMENT = insert_of(_ATTACHMENT)


def keep_message(session: Session, message: Message, attachments: list[Attachment]) -> None:
    """Store a message (and its attachments) in a transaction of its own, when the turn that stored it
    failed and took it along: a redelivery finds it unanswered and converses then. Nothing when its
    MessageSid is stored already."""
    with session.get_bind().begin() as connection:
        insert_message(connection, message, attachments)


@functools.lru_cache(maxsize=4)
def _lock_conversation(dialect: str) -> Insert:
    """One INSERT … ON CONFLICT DO UPDATE, which locks an existing row as SELECT … FOR UPDATE would."""
    phone = bindparam("phone")
    return (insert_for(dialect, _CONVERSATION)
            .values(phone=phone, state="start", data={}, misses=0, needs_human=False)
            .on_conflict_do_update(index_elements=["phone"], set_={"phone": phone})
            .returning(_CONVERSATION.c.state, _CONVERSATION.c.data, _CONVERSATION.c.misses,
                       _CONVERSATION.c.needs_human, _CONVERSATION.c.updated_at))


def lock_conversation(connection: Connection, phone: str) -> LockedConversation:
    """The number's conversation, created if new and locked so its messages are handled one at a time."""
    return _locked(prepared.execute(connection, (_lock_conversation(connection.dialect.name), {"phone": phone}))[0])


def _locked(row: Sequence[Any]) -> LockedConversation:
    state, data, misses, needs_human, updated_at = row
    return LockedConversation(state=state, data=dict(data or {}), misses=misses, needs_human=needs_human,
                              updated_at=updated_at)


_LOCKED_COLUMNS = 5  # state, data, misses, needs_human, updated_at: what lock_conversation returns


@functools.lru_cache(maxsize=4)
def _locking_read(columns: Select) -> Select:
    """SELECT … FOR NO KEY UPDATE of the conversation with `columns` beside it, and whether they are fresh.

    `columns` are read from the statement's snapshot, taken before the lock: when the statement waited for
    a turn that held the lock, they miss what that turn committed. Every turn writes the conversation row,
    so the row version it committed (its xmin) differs from the one in the snapshot; the locked row itself
    is the latest version (PostgreSQL re-reads a row it waited for)."""
    phone = bindparam("phone")
    seen = _CONVERSATION.alias("seen")
    seen_version = select(literal_column("seen.xmin")).select_from(seen).where(seen.c.phone == phone)
    fresh = _XMIN.op("=")(seen_version.scalar_subquery())
    return (select(_CONVERSATION.c.state, _CONVERSATION.c.data, _CONVERSATION.c.misses,
                   _CONVERSATION.c.needs_human, _CONVERSATION.c.updated_at, fresh, *columns.selected_columns)
            # FOR NO KEY UPDATE: the lock an UPDATE of the row's other columns takes, as the upsert did.
            .where(_CONVERSATION.c.phone == phone).with_for_update(of=_CONVERSATION, key_share=True))


def lock_and_read(connection: Connection, columns: Select,
                  params: dict[str, Any]) -> tuple[LockedConversation, Sequence[Any]]:
    """Lock the conversation of `params["phone"]` (created if new), then read the one row of `columns` as
    it is once the lock is held. On PostgreSQL an existing conversation takes one statement for both, and a
    second read only when another turn committed while this one waited for the lock."""
    if connection.dialect.name == "postgresql":
        rows = prepared.execute(connection, (_locking_read(columns), params))
        if rows:
            return _locked_and_fresh(connection, rows[0], columns, params)
    return _created_and_read(connection, columns, params)  # a new number, or not PostgreSQL


_LOCK_IF_UNMOVED = (select(literal_column("1"))
                    .where(_CONVERSATION.c.phone == bindparam("phone"), _VERSION == bindparam("version", type_=Text()))
                    .with_for_update(of=_CONVERSATION, key_share=True))


def lock_if_unmoved(connection: Connection, phone: str, version: str) -> bool:
    """Lock the number's conversation if it is still the `version` read before (PostgreSQL): whether it is.
    A row another turn moved meanwhile is not locked; once a turn it waited for commits, PostgreSQL checks
    the version of the row that turn left."""
    return bool(prepared.execute(connection, (_LOCK_IF_UNMOVED, {"phone": phone, "version": version})))


def _created_and_read(connection: Connection, columns: Select,
                      params: dict[str, Any]) -> tuple[LockedConversation, Sequence[Any]]:
    """Lock the conversation with the upsert (creating it for a new number), then read `columns`."""
    locked = lock_conversation(connection, params["phone"])
    return locked, prepared.execute(connection, (columns, params))[0]


def _locked_and_fresh(connection: Connection, row: Sequence[Any], columns: Select,
                      params: dict[str, Any]) -> tuple[LockedConversation, Sequence[Any]]:
    """The locked conversation of a `_locking_read` row, and its `columns`: read again under the lock when
    they came from before another turn's commit."""
    locked = _locked(row[:_LOCKED_COLUMNS])
    if row[_LOCKED_COLUMNS]:
        return locked, row[_LOCKED_COLUMNS + 1:]
    return locked, prepared.execute(connection, (columns, params))[0]


_SAVE_REPLY: Update = (_MESSAGE.update().where(_MESSAGE.c.id == bindparam("message_id"))
                       .values(reply=bindparam("reply"), ticket_id=bindparam("ticket_id"),
                               updated_at=bindparam("message_updated_at")))
# The moment a citizen starts waiting for a person is the help desk's waiting time: set here as the
# Conversation.needs_human listener sets it for every other writer.
_SAVE_STATE: Update = (_CONVERSATION.update().where(_CONVERSATION.c.phone == bindparam("conversation_phone"))
                       .values(state=bindparam("state"), data=bindparam("data", type_=_CONVERSATION.c.data.type),
                               misses=bindparam("misses"), updated_at=bindparam("updated_at"),
                               needs_human=bindparam("needs_human"),
                               human_requested_at=case(
                                   (and_(bindparam("needs_human"), not_(_CONVERSATION.c.needs_human)),
                                    bindparam("asked_at", type_=_CONVERSATION.c.human_requested_at.type)),
                                   else_=_CONVERSATION.c.human_requested_at)))
# PostgreSQL takes both in one statement (a data-modifying WITH): one round trip less per message.
_SAVE_BOTH: Update = _SAVE_STATE.add_cte(_SAVE_REPLY.cte("saved_reply"))


def reply_text(replies: list[str]) -> str:
    """The replies as the message row keeps them, for a redelivery to give them again."""
    return json.dumps(replies, ensure_ascii=False)


def _state_values(phone: str, after: Any, now: datetime) -> dict[str, Any]:
    """The parameters of `_SAVE_STATE`: the conversation of `phone` as the turn leaves it, at `now`."""
    return {"conversation_phone": phone, "state": after.name, "data": after.data, "misses": after.misses,
            "updated_at": after.updated_at, "needs_human": after.needs_human, "asked_at": now}


def commit_turn(session: Session, message: Message, after: Any, now: datetime) -> None:
    """Write the message's reply and the conversation's new state, and commit them with whatever else the
    turn changed in the session. A message a pending matter took into the session is written by the
    session's own flush instead."""
    state = _state_values(message.phone, after, now)
    reply = {"message_id": message.id, "reply": message.reply, "ticket_id": message.ticket_id,
             "message_updated_at": now}
    if message in session:
        statements = [(_SAVE_STATE, state)]
    elif session.get_bind().dialect.name == "postgresql":
        statements = [(_SAVE_BOTH, {**state, **reply})]
    else:
        statements = [(_SAVE_REPLY, reply), (_SAVE_STATE, state)]
    connection = session.connection()
    for statement in statements:
        prepared.execute(connection, statement)
    session.commit()


_STORED_MESSAGE = select(*_MESSAGE.columns).where(_MESSAGE.c.twilio_sid == bindparam("sid"))


def stored_message(session: Session, sid: str) -> Message:
    """The message already stored under this MessageSid (a redelivery's first delivery), read as a plain
    row and made a stored object the session can take, as a new message is: every redelivery reads it."""
    row = prepared.execute(session.connection(), (_STORED_MESSAGE, {"sid": sid}))[0]
    values = {column.key: value for column, value in zip(_MESSAGE.columns, row)}
    return _stored(built_as_loaded(Message, **{key: value for key, value in values.items() if key != "id"}),
                   values["id"])


@functools.lru_cache(maxsize=4)
def _unlocked_read(columns: Select) -> Select:
    """The number's conversation, its version and `columns`, read without a lock."""
    return (select(_CONVERSATION.c.state, _CONVERSATION.c.data, _CONVERSATION.c.misses, _CONVERSATION.c.needs_human,
                   _CONVERSATION.c.updated_at, _VERSION, *columns.selected_columns)
            .where(_CONVERSATION.c.phone == bindparam("phone")))


def read_unlocked(driver: Any, dialect: Any, columns: Select,
                  params: dict[str, Any]) -> tuple[LockedConversation, str, Sequence[Any]] | None:
    """The number's conversation as it is now, the version it was read at, and the one row of `columns`,
    in a statement of its own on an autocommit psycopg connection; None for a number without one yet."""
    rows = prepared.execute_alone(driver, dialect, (_unlocked_read(columns), params))
    if not rows:
        return None
    row = rows[0]
    return _locked(row[:_LOCKED_COLUMNS]), row[_LOCKED_COLUMNS], row[_LOCKED_COLUMNS + 1:]


_MESSAGE_BINDS = column_binds(_MESSAGE, prefix="message_")  # beside _SAVE_STATE's phone and updated_at
# The conversation moved (as `_SAVE_STATE` writes it) only if it is still the version the turn read ...
_MOVED = (_SAVE_STATE.where(_VERSION == bindparam("version", type_=Text()))
          .returning(_CONVERSATION.c.phone).cte("moved"))
# ... and the message inserted with its reply from that move: nothing when it did not happen. (Parameters
# in a SELECT list have no column to take their type from: the dialect writes each one's type beside it.)
_STORE_IF_UNMOVED: Insert = (
    _MESSAGE.insert()
    .from_select(list(_MESSAGE_BINDS), select(*_MESSAGE_BINDS.values()).select_from(_MOVED))
    .returning(_MESSAGE.c.id))


def store_if_unmoved(driver: Any, dialect: Any, message: dict[str, Any], after: Any, now: datetime,
                     version: str) -> bool:
    """Write a turn read without the lock, in one statement on an autocommit psycopg connection: the
    conversation's new state, then the message (`message` holds every column but the id, its reply
    included). True when both are written; False, with nothing written, when the conversation is no longer
    the `version` the turn read. The UPDATE takes the row lock before the INSERT, as every turn does; a
    MessageSid stored meanwhile fails the unique index (psycopg's UniqueViolation), which undoes both."""
    params = {**_state_values(message["phone"], after, now), "version": version,
              **{_MESSAGE_BINDS[key].key: value for key, value in message.items()}}
    return bool(prepared.execute_alone(driver, dialect, (_STORE_IF_UNMOVED, params)))
