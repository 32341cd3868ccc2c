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
- a rollback with no transaction open (the pool's reset after a commit) makes no trip at all;
- writers take the engine's one turn on the database threads (OneTripConnection.take_turn), so the turn is
  held while SQLite writes, not while each trip's answer waits for the event loop.

What SQLAlchemy sees is otherwise unchanged; PostgreSQL (asyncpg) ignores the option.
"""

from __future__ import annotations

import collections
import sqlite3
import threading
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
TURN_PATIENCE = 60.0  # seconds a writer waits for its turn before it fails as "database is locked"

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


def _take_turn(adapt: OneTripConnection) -> None:
    """On the database thread, before a trip of a unit of work that writes: wait for this engine's turn."""
    if adapt.wants_turn and not adapt.has_turn:
        if not adapt.turn.acquire(timeout=TURN_PATIENCE):
            raise sqlite3.OperationalError("database is locked (no turn to write)")
        adapt.has_turn = True


def _give_turn(adapt: OneTripConnection) -> None:
    adapt.wants_turn = False
    if adapt.has_turn:
        adapt.has_turn = False
        adapt.turn.release()


def _run(
    adapt: OneTripConnection, held: list[_Held], operation: str, parameters: Any, many: bool
) -> _Outcome:
    """On the database thread: the held writes, then the statement, its rows read before the cursor closes."""
    conn = cast(aiosqlite.Connection, adapt._connection)._conn
    _take_turn(adapt)
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


def _commit(adapt: OneTripConnection, held: list[_Held]) -> None:
    """On the database thread: the held writes and the commit, in turn; if a write fails, nothing is kept."""
    conn = cast(aiosqlite.Connection, adapt._connection)._conn
    try:
        _take_turn(adapt)
        try:
            _run_held(conn, held)
        except BaseException:
            conn.rollback()
            raise
        conn.commit()
    finally:
        _give_turn(adapt)


def _rollback(adapt: OneTripConnection) -> None:
    try:
        cast(aiosqlite.Connection, adapt._connection)._conn.rollback()
    finally:
        _give_turn(adapt)


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
            outcome = await connection._execute(partial(_run, adapt, held, operation, parameters, many))
        self._description, self._rowcount, self._lastrowid, rows = outcome
        self._rows = collections.deque(rows)

    async def _async_soft_close(self) -> None:
        return  # nothing open on the database thread: _run closed it

    def close(self) -> None:
        self._rows.clear()

    def nextset(self) -> None:
        return None  # SQLite has one result set per statement


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("has_turn", "held", "turn", "wants_turn")
    _cursor_cls = OneTripCursor

    def __init__(self, dbapi: OneTripDBAPI, connection: aiosqlite.Connection):
        super().__init__(dbapi, cast(Any, connection))
        self.held: list[_Held] = []
        self.turn = dbapi.turn
        self.wants_turn = False  # set on the event loop (take_turn), before the trips that act on it
        self.has_turn = False  # set and cleared on the database thread, or here when no trip is in flight

    def take_turn(self) -> None:
        """The unit of work will write: its next trip waits for the engine's turn, which its commit or rollback
        gives back. Taken on the database thread, it is held only while SQLite works, not while the event loop
        comes round to the trip's answer: a press's writes and commit, one trip, hold it for that trip alone."""
        self.wants_turn = True

    def commit(self) -> None:
        raw: sqlite3.Connection | None = getattr(self._connection, "_connection", None)
        if raw is None or (not self.held and not raw.in_transaction):
            _give_turn(self)
            return  # nothing written: no trip
        held, self.held = self.held, []
        try:
            await_(cast(aiosqlite.Connection, self._connection)._execute(partial(_commit, self, held)))
        except Exception as error:
            self._handle_exception(error)

    def rollback(self) -> None:
        self.held = []
        # sqlite3's own rollback does nothing outside a transaction: skip the trip that would ask it to.
        raw: sqlite3.Connection | None = getattr(self._connection, "_connection", None)
        if raw is None or not raw.in_transaction:
            _give_turn(self)
            return
        try:
            await_(cast(aiosqlite.Connection, self._connection)._execute(partial(_rollback, self)))
        except Exception as error:
            self._handle_exception(error)

    def close(self) -> None:
        _give_turn(self)
        super().close()

    def _terminate_force_close(self) -> None:
        _give_turn(self)
        super()._terminate_force_close()


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """Given to create_async_engine as `module`: aiosqlite with the connections above, and the engine's turn."""

    def __init__(self, aiosqlite: Any, sqlite: Any):
        super().__init__(aiosqlite, sqlite)
        self.turn = threading.Lock()  # SQLite has one write lock: this engine's writers take it in turn

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
