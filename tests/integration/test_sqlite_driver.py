"""moot's aiosqlite adapter: a statement is one trip to the database thread, a held write none, a held write's
failure at the commit keeps nothing of the unit of work, and writers take turns on the database threads."""

from __future__ import annotations

import asyncio
import collections
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from storage.engine import make_engine, make_sessions
from storage.sqlite_driver import GUARD, HELD, OneTripConnection, UpdateSeen

pytestmark = pytest.mark.sqlite_only

meta = MetaData()
boards = Table("boards", meta, Column("id", Integer, primary_key=True), Column("state", String, nullable=False))
seen = Table("seen", meta, Column("update_id", Integer, primary_key=True))

SAVE = update(boards).where(boards.c.id == bindparam("board")).values(state=bindparam("state"))
FIRST_SIGHT = sqlite_insert(seen).values(update_id=bindparam("update_id")).on_conflict_do_nothing()


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(meta.create_all)
        await conn.execute(insert(boards).values(id=1, state="start"))
    yield engine
    await engine.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> collections.Counter[str]:
    """Every call aiosqlite runs on its thread, by the function's name."""
    counted: collections.Counter[str] = collections.Counter()
    original = aiosqlite.Connection._execute

    async def counting(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        counted[getattr(getattr(fn, "func", fn), "__name__", "?")] += 1
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counting)
    return counted


async def _state(engine: AsyncEngine) -> str:
    async with engine.connect() as conn:
        return str((await conn.execute(select(boards.c.state))).scalar_one())


async def _press(session: AsyncSession, update_id: int, state: str) -> None:
    """What a press does: read the board, then save its state and its update id, then commit."""
    assert (await session.execute(select(boards.c.state).where(boards.c.id == 1))).scalar_one()
    await session.execute(SAVE, {"board": 1, "state": state}, execution_options={HELD: True})
    conn = await session.connection()
    await conn.execute(FIRST_SIGHT, {"update_id": update_id}, execution_options={HELD: GUARD})
    await session.commit()


async def test_a_press_is_two_trips_a_read_and_the_commit_with_its_writes(
    engine: AsyncEngine, trips: collections.Counter[str]
) -> None:
    sessions = make_sessions(engine)
    async with sessions() as session:  # the first use opens the connection: not what is counted
        await session.execute(select(boards.c.id))
    trips.clear()
    async with sessions() as session:
        await _press(session, 1, "after one press")
    assert dict(trips) == {"_run": 1, "_commit": 1}  # no cursor of its own, no trip for the pool's reset
    assert await _state(engine) == "after one press"


async def test_a_held_write_is_read_back_in_its_own_transaction_and_gone_after_a_rollback(
    engine: AsyncEngine,
) -> None:
    async with make_sessions(engine)() as session:
        await session.execute(SAVE, {"board": 1, "state": "held"}, execution_options={HELD: True})
        assert (await session.execute(select(boards.c.state))).scalar_one() == "held"
        await session.rollback()
        assert (await session.execute(select(boards.c.state))).scalar_one() == "start"
        await session.execute(SAVE, {"board": 1, "state": "held, then rolled back"}, execution_options={HELD: True})
        await session.rollback()
    assert await _state(engine) == "start"


async def test_an_update_seen_before_undoes_the_whole_unit(engine: AsyncEngine) -> None:
    sessions = make_sessions(engine)
    async with sessions() as session:
        await _press(session, 7, "first delivery")
    async with sessions() as session:
        with pytest.raises(UpdateSeen):
            await _press(session, 7, "the same update delivered again")
    assert await _state(engine) == "first delivery"
    async with sessions() as session:  # the connection goes on working
        await _press(session, 8, "the next update")
    assert await _state(engine) == "the next update"


async def test_a_held_write_that_fails_fails_the_commit_and_keeps_nothing(engine: AsyncEngine) -> None:
    async with make_sessions(engine)() as session:
        await session.execute(SAVE, {"board": 1, "state": "never kept"}, execution_options={HELD: True})
        await session.execute(insert(boards).values(id=1, state="a second board 1"), execution_options={HELD: True})
        with pytest.raises(IntegrityError):
            await session.commit()
    assert await _state(engine) == "start"


async def test_a_write_not_held_reports_its_row_count(engine: AsyncEngine) -> None:
    async with make_sessions(engine)() as session:
        result = await session.execute(SAVE, {"board": 1, "state": "counted"})
        assert result.rowcount == 1  # type: ignore[attr-defined]
        result = await session.execute(SAVE, {"board": 2, "state": "no such board"})
        assert result.rowcount == 0  # type: ignore[attr-defined]
        await session.commit()
    assert await _state(engine) == "counted"


async def _turn_taken(session: AsyncSession) -> OneTripConnection:
    raw = await (await session.connection()).get_raw_connection()
    adapter = raw.dbapi_connection
    assert isinstance(adapter, OneTripConnection)
    adapter.take_turn()
    return adapter


async def test_writers_take_turns_on_the_database_threads_and_give_them_back(engine: AsyncEngine) -> None:
    sessions = make_sessions(engine)
    async with sessions() as first, sessions() as second:
        a = await _turn_taken(first)
        await first.execute(SAVE, {"board": 1, "state": "first"})  # a trip: the turn is taken on its thread
        assert a.has_turn and a.turn.locked()

        b = await _turn_taken(second)
        await second.execute(SAVE, {"board": 1, "state": "second"}, execution_options={HELD: True})
        waiting = asyncio.ensure_future(second.commit())  # its trip waits on its thread for the first's turn
        await asyncio.sleep(0.3)
        assert not waiting.done() and not b.has_turn

        await first.commit()
        await waiting
        assert not a.has_turn and not b.has_turn and not a.turn.locked()
    assert await _state(engine) == "second"


async def test_a_turn_is_given_back_by_a_rollback_and_by_a_unit_that_only_read(engine: AsyncEngine) -> None:
    sessions = make_sessions(engine)
    async with sessions() as session:
        adapter = await _turn_taken(session)
        await session.execute(SAVE, {"board": 1, "state": "rolled back"})
        assert adapter.turn.locked()
        await session.rollback()
        assert not adapter.turn.locked()

        adapter = await _turn_taken(session)
        await session.execute(select(boards.c.state))
        await session.commit()
        assert not adapter.turn.locked()
    assert await _state(engine) == "start"
