"""The turn of a message that only gets replies, without holding its number's conversation.

Most messages are text the conversation answers with replies and a new state, and nothing else but reads
(a ticket's status). Their turn needs neither a transaction of its own nor an ORM session: it reads the
conversation (and what waits on the number) in one autocommitted statement, converses, then writes the
conversation's new state and the message with its replies in a second one. That is two round trips and one
commit; a turn that holds the lock takes four (BEGIN, lock and read, write, COMMIT) and the session's
bookkeeping around them.

Nothing is given up for it:
- The message is stored, with its replies, by the statement that commits before they are given.
- Two deliveries for one number stay serialised: the write moves the conversation only if it is still
  the version the turn read, so a turn another one overtook writes nothing.
- A redelivery of an answered message reads its replies and writes nothing. A twin delivery that stored
  the same MessageSid meanwhile fails the unique index, which undoes the whole statement.

Whenever this path does not answer (a number's first message, media, effects that write or a follower to
carry out, a conversation another turn moved, the database unreachable), it has written nothing, and the
turn that holds the lock (bot.intake) takes the message. When the conversation declined what it read (a
ticket to create, say), that turn is handed the read: if the conversation is still that version once
locked, it need not read it again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg import errors
from sqlalchemy import Engine, Select

from bot import inbound_rows
from bot.inbound_rows import LockedConversation
from layanan import prepared

# A read-only statement run on the turn's connection: its rows.
Read = Callable[[prepared.Statement], Sequence[Any]]
# From the conversation as read, the row of the turn's columns and a way to read more: the replies, with
# the state to write (None: nothing to write, the replies were given before), or None when the turn must
# hold the lock.
Converse = Callable[[LockedConversation, Sequence[Any], Read], tuple[list[str], Any] | None]


@dataclass(frozen=True)
class Declined:
    """What a turn the conversation declined read: the conversation, the version it was read at and the row
    of the turn's columns."""

    conversation: LockedConversation
    version: str
    found: Sequence[Any]


def answer(engine: Engine, message: dict[str, Any], columns: Select, params: dict[str, Any], now: datetime,
           converse: Converse) -> list[str] | Declined | None:
    """The replies to the message whose every column but the id `message` holds, after its turn is
    committed. Otherwise nothing is written, for the turn that holds the lock to take the message: with
    what was read when the conversation declined it (Declined), or None."""
    if engine.dialect.name != "postgresql":
        return None  # the statement that writes is PostgreSQL's; other databases hold the lock
    try:
        pooled = engine.raw_connection()
    except psycopg.OperationalError:
        return None  # the turn that holds the lock reports the outage as the app does
    driver: psycopg.Connection[Any] = pooled.driver_connection  # type: ignore[assignment]
    try:
        driver.autocommit = True
        return _turn(driver, engine.dialect, message, columns, params, now, converse)
    except errors.UniqueViolation:
        return None  # a twin delivery stored the MessageSid meanwhile
    except psycopg.OperationalError:
        pooled.invalidate()
        return None
    finally:
        if not driver.closed:
            driver.autocommit = False  # the pool hands it to sessions next, which expect transactions
        pooled.close()


def _turn(driver: psycopg.Connection[Any], dialect: Any, message: dict[str, Any], columns: Select,
          params: dict[str, Any], now: datetime, converse: Converse) -> list[str] | Declined | None:
    read = inbound_rows.read_unlocked(driver, dialect, columns, params)
    if read is None:
        return None  # a number's first message: the turn that holds the lock creates its conversation
    locked, version, found = read
    settled = converse(locked, found, lambda statement: prepared.execute_alone(driver, dialect, statement))
    if settled is None:
        return Declined(locked, version, found)
    replies, after = settled
    if after is None:
        return replies
    stored = {**message, "reply": inbound_rows.reply_text(replies)}
    return replies if inbound_rows.store_if_unmoved(driver, dialect, stored, after, now, version) else None
