"""SQLAlchemy's aiosqlite adapter, making one trip to the database thread per statement and one per commit.

aiosqlite runs every call on its own thread and hands the answer back to the event loop; SQLAlchemy's adapter
makes four such trips for a SELECT (open a cursor, execute, fetch, close) and three for an UPDATE. Each trip
waits for the event loop to come round again, which under load is a few milliseconds, and a press's writes are
made holding SQLite's one write lock (UnitOfWork.writing): three writes' trips held it some 5 ms a press, which
capped the whole bot near 200 presses a second however little each press cost. Here:

- a statement is opened, executed, read and closed in one function on the database thread (one trip);
- a write run with the execution option HELD makes no trip of its own: it waits on the connection and goes
  with the transaction's next statement or its commit, in that trip and in order. Only writes whose row count
  nobody reads are held (a press's saved state, its update id), so a press takes the lock for one trip;
- a rollback with no transaction open (the pool's reset after a commit) makes no trip at all.

What SQLAlchemy sees is otherwise unchanged; PostgreSQL (asyncpg) ignores the option.
"""

from __future__ import annotations

import collections
import sqlite3
from functools import partial
from typing import Any, cast

import aiosqlite
from sqlalchemy import event
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.engine import Engine
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

HELD = "moot_held"  # the execution option: True, or GUARD for a write whose changing no row undoes the unit
GUARD = "guard"

# What a statement leaves behind: (description, rowcount, lastrowid, rows).
_Outcome = tuple[Any, int, int, list[Any]]
# A held write: (SQL, parameters, whether it is a guard).
_Held = tuple[str, Any, bool]


class UpdateSeen(Exception):
    """A held guard changed no row (its update id was recorded before): the transaction was rolled back."""


async def _no_trip() -> None:
    return None


def _run_held(conn: sqlite3.Connection, held: list[_Held]) -> None:
    for operation, parameters, guard in held:
        cursor = conn.cursor()
        try:
            cursor.execute(operation, parameters)
            if guard and cursor.rowcount == 0:
                raise UpdateSeen(operation)
        finally:
            cursor.close()


def _run(
    connection: aiosqlite.Connection, held: list[_Held], operation: str, parameters: Any, many: bool
) -> _Outcome:
    """On the database thread: the held writes, then the statement, its rows read before the cursor closes."""
    conn = connection._conn
    _run_held(conn, held)
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        else:
            cursor.execute(operation, () if parameters is None else parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, cursor.rowcount, cursor.lastrowid or 0, rows
    finally:
        cursor.close()


def _commit(connection: aiosqlite.Connection, held: list[_Held]) -> None:
    """On the database thread: the held writes and the commit; if a write fails, nothing of the unit is kept."""
    conn = connection._conn
    try:
        _run_held(conn, held)
    except BaseException:
        conn.rollback()
        raise
    conn.commit()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose statements each make one trip to aiosqlite's thread, or none if held."""

    __slots__ = ("_description", "_lastrowid", "_rowcount", "held")

    def __init__(self, adapt_connection: Any):  # no trip to open an aiosqlite cursor: _run opens its own
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid = 0
        self.held: Any = None  # set from the execution option just before each statement (_mark)

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        pass  # every row is read at once anyway

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        if self.held:
            # The DB-API's "not known" for the row count; nothing reads it for a held write.
            self._description, self._rowcount, self._lastrowid = None, -1, 0
            self._rows.clear()
            cast(OneTripConnection, self._adapt_connection).held.append(
                (operation, () if parameters is None else parameters, self.held == GUARD))
            # SQLAlchemy's async execute insists that a statement awaits something; this completes at once,
            # without giving the event loop a turn.
            return await_(_no_trip())
        return super().execute(operation, parameters)

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        await self._trip(operation, parameters, False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        await self._trip(operation, seq_of_parameters, True)

    async def _trip(self, operation: Any, parameters: Any, many: bool) -> None:
        adapt = cast(OneTripConnection, self._adapt_connection)
        connection = cast(aiosqlite.Connection, self._connection)
        async with adapt._execute_mutex:
            held, adapt.held = adapt.held, []
            outcome = await connection._execute(partial(_run, connection, held, operation, parameters, many))
        self._description, self._rowcount, self._lastrowid, rows = outcome
        self._rows = collections.deque(rows)

    async def _async_soft_close(self) -> None:
        return  # nothing open on the database thread: _run closed it

    def close(self) -> None:
        self._rows.clear()

    def nextset(self) -> None:
        return None  # SQLite has one result set per statement


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("held",)
    _cursor_cls = OneTripCursor

    def __init__(self, dbapi: Any, connection: aiosqlite.Connection):
        super().__init__(dbapi, cast(Any, connection))
        self.held: list[_Held] = []

    def commit(self) -> None:
        raw: sqlite3.Connection | None = getattr(self._connection, "_connection", None)
        if raw is None or (not self.held and not raw.in_transaction):
            return  # nothing written: no trip
        held, self.held = self.held, []
        try:
            connection = cast(aiosqlite.Connection, self._connection)
            await_(connection._execute(partial(_commit, connection, held)))
        except Exception as error:
            self._handle_exception(error)

    def rollback(self) -> None:
        self.held = []
        # sqlite3's own rollback does nothing outside a transaction: skip the trip that would ask it to.
        raw: sqlite3.Connection | None = getattr(self._connection, "_connection", None)
        if raw is not None and not raw.in_transaction:
            return
        super().rollback()


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """Given to create_async_engine as `module`: aiosqlite with the connections above."""

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, cast(aiosqlite.Connection, adapted._connection))


def dbapi() -> OneTripDBAPI:
    return OneTripDBAPI(aiosqlite, sqlite3)


def _mark(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
    """Before each statement: tell the cursor whether it is held (the option lives on SQLAlchemy's side)."""
    if isinstance(cursor, OneTripCursor):
        cursor.held = context.execution_options.get(HELD) if context is not None and not executemany else None


def install(engine: Engine) -> None:
    """Lets statements run with the HELD option wait for their transaction's next trip."""
    event.listen(engine, "before_cursor_execute", _mark)
