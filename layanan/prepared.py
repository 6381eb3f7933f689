"""Core statements run straight on psycopg, for the few that run for every inbound message.

SQLAlchemy's execution (compiled-cache look-up, execution context, result processing, events) costs
about twice what psycopg does for the webhook's small statements. So on PostgreSQL these statements go to
psycopg as prepared statements, in the session's own transaction. The SQL is still SQLAlchemy's, compiled
once; what the column types would do is done here: JSON parameters sent as JSON, timestamps read back in
UTC (psycopg reads JSON columns itself). Other databases take SQLAlchemy's way; rows are indexed the same
either way.

Not used: psycopg's pipeline mode, which would send the lock and the read under it (and the last writes
with their COMMIT) in one round trip each. Measured side by side it cost the web process more CPU per
message than the round trips it saves (0.79-0.86 against 0.68-0.72 ms for the turn's three statements).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.pq import ExecStatus
from psycopg.types.json import Json
from sqlalchemy import JSON, Connection
from sqlalchemy.sql import ClauseElement

Statement = tuple[ClauseElement, dict[str, Any]]  # a statement built once, and this run's parameters


@dataclass(frozen=True)
class _Compiled:
    """A statement compiled once for PostgreSQL, with the names of its JSON parameters."""

    compiled: Any
    sql: str
    json_params: frozenset[str]


@functools.lru_cache(maxsize=128)
def _compiled(statement: ClauseElement, dialect: Any) -> _Compiled:
    compiled = statement.compile(dialect=dialect)
    if "POSTCOMPILE" in compiled.string:
        raise ValueError("a statement with expanding parameters needs SQLAlchemy's execution")
    json_params = frozenset(name for name, bind in compiled.binds.items() if isinstance(bind.type, JSON))
    return _Compiled(compiled, compiled.string, json_params)


def driver(connection: Connection) -> psycopg.Connection[Any] | None:
    """The psycopg connection under a PostgreSQL connection; None for other databases."""
    if connection.dialect.name != "postgresql":
        return None
    return connection.connection.driver_connection  # type: ignore[return-value]


def _send(psycopg_connection: psycopg.Connection[Any], dialect: Any, statement: Statement) -> psycopg.Cursor[Any]:
    prepared = _compiled(statement[0], dialect)
    values = prepared.compiled.construct_params(statement[1])
    for name in prepared.json_params & values.keys():
        values[name] = Json(values[name], dumps=json.dumps)
    return psycopg_connection.execute(prepared.sql, values, prepare=True)


def _rows(cursor: psycopg.Cursor[Any]) -> Sequence[Any]:
    if cursor.pgresult is None or cursor.pgresult.status != ExecStatus.TUPLES_OK:
        return []  # no rows to read (asking for `description` would build every column's description)
    return [tuple(v.astimezone(UTC) if isinstance(v, datetime) else v for v in row) for row in cursor.fetchall()]


def _through_sqlalchemy(connection: Connection, statement: Statement) -> Sequence[Any]:
    result = connection.execute(*statement)  # type: ignore[call-overload]
    return result.all() if result.returns_rows else []  # type: ignore[no-any-return]


def execute(connection: Connection, statement: Statement) -> Sequence[Any]:
    """Run one statement in the connection's transaction; its rows."""
    psycopg_connection = driver(connection)
    if psycopg_connection is None:
        return _through_sqlalchemy(connection, statement)
    if not connection.in_transaction():
        # psycopg would open a transaction SQLAlchemy does not know of: its commit would do nothing, and the
        # pool would roll the statement back.
        raise RuntimeError("prepared statement outside a SQLAlchemy transaction: begin one first")
    return _rows(_send(psycopg_connection, connection.dialect, statement))


def execute_alone(psycopg_connection: psycopg.Connection[Any], dialect: Any, statement: Statement) -> Sequence[Any]:
    """Run one statement as a transaction of its own, on a psycopg connection in autocommit; its rows."""
    if not psycopg_connection.autocommit:
        raise RuntimeError("a statement alone needs an autocommit connection: it would stay in a transaction")
    return _rows(_send(psycopg_connection, dialect, statement))
