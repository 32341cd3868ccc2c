"""Answer handling: residents pressing +1/−1 on the Council Pound board as fast as the stand-in feeds updates.

Updates arrive by long polling (getUpdates), exactly as in `moot run`. All the measured presses are queued at
once in the stand-in (in another process); the clock runs from then until the stand-in has seen every press
answered (answerCallbackQuery) and, for moot, every board edited (editMessageText). moot commits each press
(the resident's draft, and the update id for de-duplication) before answering it; afterwards every resident's
board in the database is compared with the one the press sequence must produce.

The ceiling is a bare bot of the same framework that only answers the callback, fed the identical updates.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import seed
from bench.report import Row, skipped
from bench.standin import StandIn
from bot.bootstrap import App, build

UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
GOAL_CEILING = 0.5


@dataclass
class Size:
    residents: int
    presses: int  # measured presses per resident (one more each is the warm-up)
    repeats: int  # each configuration is measured this many times; the best is kept


@dataclass
class Rate:
    """Presses handled per second, best of the repeats, and what was checked."""

    per_second: float
    presses: int
    seconds: float
    cpu: float  # CPU seconds the bot's process used meanwhile (all its threads)
    verified: str = ""
    lost: int = 0  # presses acknowledged to the resident but missing from the database

    @property
    def cpu_ms(self) -> float:
        return self.cpu / self.presses * 1000


async def _drive(api: StandIn, plan: seed.Presses, warm: int, moot: bool) -> tuple[int, float, float, str]:
    """Queue the warm-up, wait for it, queue the rest at once; (measured presses, seconds, CPU seconds, a note).

    The clock stops when every measured press is answered and (for moot) its board edited; if some edits never
    come, it stops at the last answer and the note says how many edits are missing.
    """
    await api.call("press_many", plan.updates[:warm])
    await api.wait_counts({"answerCallbackQuery": warm}, timeout=120)
    await asyncio.sleep(0.5)  # let the warm-up's tails (commits, edits) settle
    base = await api.counts()
    rest = plan.updates[warm:]
    await api.call("press_many", rest)
    t0, cpu0 = time.monotonic(), time.process_time()
    answers = base.get("answerCallbackQuery", 0) + len(rest)
    t_answered = await api.wait_counts({"answerCallbackQuery": answers}, timeout=60 + len(rest) / 10)
    if not moot:
        return len(rest), t_answered - t0, time.process_time() - cpu0, ""
    edits = base.get("editMessageText", 0) + len(rest)
    try:
        t_edited = await api.wait_counts({"editMessageText": edits}, timeout=5)
    except TimeoutError:
        missing = edits - (await api.counts()).get("editMessageText", 0)
        return len(rest), t_answered - t0, time.process_time() - cpu0, f"{missing} board edits never made"
    return len(rest), t_edited - t0, time.process_time() - cpu0, ""


# ---- moot -----------------------------------------------------------------------------------------------------
class Running:
    """A moot bot built from a config, its background parts started, long polling as `moot run` does."""

    def __init__(self, app: App):
        self.app = app
        self._poller: Any = None
        self._task: asyncio.Task[None] | None = None

    @classmethod
    async def start(cls, cfg: Any) -> Running:
        self = cls(await build(cfg))
        runtime = self.app.runtime
        assert runtime is not None
        for part in self.app.background:
            await part.start()
        try:
            from bot.polling import Poller  # the shared poller (confirms a batch once it is handled)
        except ImportError:
            self._task = asyncio.create_task(runtime.poll())  # type: ignore[attr-defined]
        else:
            self._poller = Poller(runtime, cfg.telegram.poll_timeout)
            self._task = asyncio.create_task(self._poller.run())
        return self

    async def stop(self) -> None:
        runtime = self.app.runtime
        assert runtime is not None
        if self._poller is not None:
            await self._poller.stop()
        else:
            await runtime.stop()  # type: ignore[attr-defined]
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
        await self.app.close()


async def moot_rate(runtime: str, database: str, size: Size, folder: Path) -> Rate:
    async with StandIn() as api, seed.scratch_database(database, folder) as url:
        cfg = seed.config(api.base_url, api.token, url, runtime)
        opened = await seed.prepare_database(cfg)
        bot = await Running.start(cfg)
        try:
            boards = await seed.seed_boards(cfg, bot.app.deps, opened, api, size.residents)
            plan = seed.presses(boards, size.presses + 1)
            n, seconds, cpu, note = await _drive(api, plan, size.residents, moot=True)
            await asyncio.sleep(0.2)
            stored = await seed.drafts(bot.app.deps, opened)
        finally:
            await bot.stop()
        lost = seed.lost_presses(plan.expected, stored)
        if lost:
            note = f"{lost} of {len(plan.updates):,} presses LOST in the database" + (f"; {note}" if note else "")
            return Rate(n / seconds, n, seconds, cpu, note, lost)
        return Rate(n / seconds, n, seconds, cpu, f"all {len(plan.updates):,} presses in the database" + (
            f"; {note}" if note else ""))


# ---- bare bots ------------------------------------------------------------------------------------------------
async def _bare_aiogram(api: StandIn) -> Callable[[], Awaitable[None]]:
    from aiogram import Dispatcher
    from aiogram.types import CallbackQuery

    from bot.aiogram_rt.runtime import make_bot

    bot = make_bot(api.token, api.base_url)
    dp = Dispatcher()

    async def answer(query: CallbackQuery) -> None:
        await query.answer()

    dp.callback_query.register(answer)
    task = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, close_bot_session=False, allowed_updates=UPDATES, polling_timeout=1)
    )

    async def stop() -> None:
        with contextlib.suppress(RuntimeError):
            await dp.stop_polling()
        await asyncio.gather(task, return_exceptions=True)
        await bot.session.close()

    return stop


async def _bare_ptb(api: StandIn) -> Callable[[], Awaitable[None]]:
    from telegram import Update
    from telegram.ext import CallbackQueryHandler, ContextTypes

    from bot.ptb_rt.runtime import make_application

    app = make_application(api.token, api.base_url)  # concurrent updates, as moot's runtime has them

    async def answer(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer()

    app.add_handler(CallbackQueryHandler(answer))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(timeout=dtm.timedelta(seconds=1), allowed_updates=UPDATES)

    async def stop() -> None:
        assert app.updater is not None
        await app.updater.stop()
        await app.stop()
        await app.shutdown()

    return stop


async def bare_rate(runtime: str, size: Size) -> Rate:
    async with StandIn() as api:
        cfg = seed.config(api.base_url, api.token, "sqlite+aiosqlite://", runtime)
        boards = await seed.show_boards(cfg, seed.unstored(), api, size.residents)
        plan = seed.presses(boards, size.presses + 1)
        stop = await (_bare_aiogram(api) if runtime == "aiogram" else _bare_ptb(api))
        try:
            n, seconds, cpu, _ = await _drive(api, plan, size.residents, moot=False)
        finally:
            await stop()
        return Rate(n / seconds, n, seconds, cpu, "every press answered")


# ---- the rows -------------------------------------------------------------------------------------------------
def _fmt(r: Rate) -> str:
    return f"{r.per_second:,.0f}/s ({r.presses:,} presses in {r.seconds:.1f} s, CPU {r.cpu_ms:.1f} ms each)"


async def _best(make: Callable[[], Awaitable[Rate]], repeats: int) -> Rate:
    best: Rate | None = None
    for _ in range(repeats):
        r = await make()
        if best is None or r.per_second > best.per_second:
            best = r
    assert best is not None
    return best


def run(quick: bool, log: Callable[[str], None]) -> list[Row]:
    return asyncio.run(_run(quick, log))


async def _run(quick: bool, log: Callable[[str], None]) -> list[Row]:
    size = Size(residents=100, presses=3, repeats=1) if quick else Size(residents=200, presses=6, repeats=3)
    pg_missing = await seed.postgres_reachable()
    rates: dict[tuple[str, str], Rate] = {}
    async with seed.scratch_folder() as folder:
        for runtime in ("aiogram", "ptb"):
            log(f"answers: bare {runtime}")
            rates[(runtime, "bare")] = await _best(lambda rt=runtime: bare_rate(rt, size), size.repeats)
            log(f"answers: moot {runtime} on SQLite")
            rates[(runtime, "sqlite")] = await _best(
                lambda rt=runtime: moot_rate(rt, "sqlite", size, folder), size.repeats
            )
            log(f"answers: moot {runtime} on SQLite, double taps")
            taps = Size(residents=20, presses=10 if quick else 20, repeats=1)
            rates[(runtime, "taps")] = await moot_rate(runtime, "sqlite", taps, folder)
            if pg_missing is None:
                log(f"answers: moot {runtime} on PostgreSQL")
                rates[(runtime, "postgres")] = await _best(
                    lambda rt=runtime: moot_rate(rt, "postgres", size, folder), size.repeats
                )
    return rows(rates, pg_missing, size)


def rows(rates: dict[tuple[str, str], Rate], pg_missing: str | None, size: Size) -> list[Row]:
    out = []
    names = {"aiogram": "aiogram", "ptb": "PTB"}
    for rt in ("aiogram", "ptb"):
        moot, bare = rates[(rt, "sqlite")], rates[(rt, "bare")]
        ratio = moot.per_second / bare.per_second
        out.append(
            Row(
                "1 answers",
                f"moot ÷ bare {names[rt]} (SQLite, getUpdates)",
                ratio,
                f"moot {_fmt(moot)}; bare {_fmt(bare)}; {moot.verified}",
                f"≥ {GOAL_CEILING}, none lost",
                ratio >= GOAL_CEILING and not moot.lost,
            )
        )
    for rt in ("aiogram", "ptb"):
        taps = rates[(rt, "taps")]
        out.append(
            Row(
                "1 answers",
                f"presses lost ÷ presses, double taps (moot {names[rt]}, SQLite)",
                taps.lost / (taps.presses + 20),
                f"20 residents each pressing {taps.presses // 20 + 1} times, several of one resident's presses in "
                f"one getUpdates batch: {taps.verified}; {taps.per_second:,.0f}/s",
                "0",
                taps.lost == 0,
            )
        )
    a, p = rates[("aiogram", "sqlite")], rates[("ptb", "sqlite")]
    out.append(Row("2 runtimes", "aiogram ÷ PTB (moot, SQLite)", a.per_second / p.per_second,
                   f"{a.per_second:,.0f}/s vs {p.per_second:,.0f}/s"))  # fmt: skip
    a, p = rates[("aiogram", "bare")], rates[("ptb", "bare")]
    out.append(Row("2 runtimes", "aiogram ÷ PTB (bare bots)", a.per_second / p.per_second,
                   f"{a.per_second:,.0f}/s vs {p.per_second:,.0f}/s"))  # fmt: skip
    for rt in ("aiogram", "ptb"):
        what = f"moot on PostgreSQL ÷ bare {names[rt]} (getUpdates)"
        if pg_missing is not None:
            out.append(skipped("3 databases", what, f"PostgreSQL unreachable ({pg_missing})"))
            continue
        pg, lite, bare = rates[(rt, "postgres")], rates[(rt, "sqlite")], rates[(rt, "bare")]
        ratio = pg.per_second / bare.per_second
        out.append(Row("3 databases", what, ratio,
                       f"PostgreSQL {_fmt(pg)} ({pg.per_second / lite.per_second:.2f} of SQLite's "
                       f"{lite.per_second:,.0f}/s); bare {bare.per_second:,.0f}/s; {pg.verified}",
                       f"≥ {GOAL_CEILING}, none lost", ratio >= GOAL_CEILING and not pg.lost))  # fmt: skip
    return out
