"""A press's database work on SQLite through moot's aiosqlite adapter (storage/sqlite_driver.py) beside
SQLAlchemy's own: the same repositories and unit of work, the same file and pragmas, side by side in one run.

Each press is what ResidentService.press does with the database: find the resident's participation with its round
and answers (Residents.current_of), take the write turn, save the new state (Residents.save_state), and commit
with the update id (UnitOfWork.commit). Measured one press at a time (CPU per press, all threads, and trips to
aiosqlite's thread) and 16 at a time, as the core handles updates (presses a second).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiosqlite

from bench import seed
from bench.report import Row
from bot.bootstrap import build
from storage.engine import make_engine, make_sessions
from storage.idempotency import UpdateScope
from storage.uow import UnitOfWork

RESIDENTS = 400
CONCURRENT = 16  # bot.core.CONCURRENT_UPDATES
FIRST_RESIDENT = 500_000


class Trips:
    """Counts the calls aiosqlite runs on its threads."""

    def __init__(self) -> None:
        self.count = 0
        self._original: Callable[..., Any] = aiosqlite.Connection._execute

    def __enter__(self) -> Trips:
        original = self._original

        async def counting(conn: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return await original(conn, fn, *args, **kwargs)

        aiosqlite.Connection._execute = counting  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        aiosqlite.Connection._execute = self._original  # type: ignore[method-assign]


async def _press(sessions: Any, turns: asyncio.Lock, update_id: int, telegram_id: int, n: int) -> None:
    async with UnitOfWork(sessions, UpdateScope(update_id), turns) as uow:
        part = await uow.residents.current_of(telegram_id)
        assert part is not None
        state = dict(part.state)
        state["draft"] = {"pence": {"libraries": n}}
        await uow.writing()
        await uow.residents.save_state(part.id, state)
        await uow.commit()


async def _measure(url: str, one_trip: bool, ids: list[int], first_update: int, rounds: int) -> dict[str, float]:
    engine = make_engine(url, one_trip=one_trip)
    sessions = make_sessions(engine)
    turns = asyncio.Lock()
    try:
        for i, tid in enumerate(ids[:20]):  # warm: connections opened, statements compiled
            await _press(sessions, turns, first_update + i, tid, 0)
        update = first_update + 20
        with Trips() as trips:
            cpu, wall = time.process_time(), time.perf_counter()
            for n in range(rounds):
                for tid in ids:
                    update += 1
                    await _press(sessions, turns, update, tid, n + 1)
            sequential = len(ids) * rounds
            cpu, wall, trips_each = time.process_time() - cpu, time.perf_counter() - wall, trips.count / sequential
        slots = asyncio.Semaphore(CONCURRENT)

        async def one(u: int, tid: int, n: int) -> None:
            async with slots:
                await _press(sessions, turns, u, tid, n)

        t0 = time.perf_counter()
        batch = []
        for n in range(rounds):
            for tid in ids:
                update += 1
                batch.append(one(update, tid, 100 + n))
        await asyncio.gather(*batch)
        concurrent_rate = len(batch) / (time.perf_counter() - t0)
        async with UnitOfWork(sessions) as uow:  # every press stored: the last round's value in each draft
            stored = [await uow.residents.current_of(tid) for tid in ids]
        kept = sum(1 for p in stored if p is not None and p.state["draft"]["pence"]["libraries"] == 100 + rounds - 1)
    finally:
        await engine.dispose()
    return {"cpu": cpu / sequential, "wall": wall / sequential, "trips": trips_each, "rate": concurrent_rate,
            "kept": kept, "update": update}


def run(quick: bool, log: Callable[[str], None]) -> list[Row]:
    return asyncio.run(_run(3 if quick else 10, log))


async def _run(rounds: int, log: Callable[[str], None]) -> list[Row]:
    async with seed.scratch_folder() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'trips.db'}"
        cfg = seed.config("http://127.0.0.1:9", "1:x", url)
        opened = await seed.prepare_database(cfg)
        app = await build(cfg, migrate=False, with_runtime=False)
        try:
            ids = list(range(FIRST_RESIDENT, FIRST_RESIDENT + RESIDENTS))
            await seed.add_residents(app.deps, opened, ids, seed.board_progress(opened).to_json())
        finally:
            await app.close()
        log(f"trips: {RESIDENTS} residents, {rounds} presses each, one at a time then {CONCURRENT} at a time")
        stock = await _measure(url, False, ids, 1, rounds)
        ours = await _measure(url, True, ids, int(stock["update"]) + 1, rounds)
    presses = RESIDENTS * rounds
    every = all(m["kept"] == RESIDENTS for m in (stock, ours))
    kept = f"all {presses:,} presses of each stored" if every else "PRESSES MISSING"

    def said(m: dict[str, float]) -> str:
        return (f"CPU {1000 * m['cpu']:.2f} ms, {m['wall'] * 1000:.2f} ms elapsed, {m['trips']:.1f} trips a press; "
                f"{m['rate']:.0f}/s {CONCURRENT} at a time")

    return [
        Row("12 trips", "a press's database work, CPU: moot's adapter ÷ SQLAlchemy's (SQLite, one at a time)",
            ours["cpu"] / stock["cpu"], f"moot's {said(ours)}; SQLAlchemy's {said(stock)}; {kept}"),
        Row("12 trips", f"presses a second, {CONCURRENT} at a time: moot's adapter ÷ SQLAlchemy's",
            ours["rate"] / stock["rate"], f"{ours['rate']:.0f}/s against {stock['rate']:.0f}/s; {kept}",
            "", None if every else False),
    ]
