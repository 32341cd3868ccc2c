"""Press latency: how long a resident waits between tapping +1/−1 on the Council Pound board and seeing it change,
under the press-release load (issue 18: about 85 presses a second over 2,000 residents), and under the same load
while a facilitator closes a round of 10,000 residents.

The real moot bot (aiogram, long polling, SQLite, one process, started as the answers benchmark starts it) talks to
the Bot API stand-in in a child process. The stand-in makes the presses itself, on its own event loop, on a steady
schedule (an open loop: a press arrives on time whether or not earlier ones were answered, so a backlog in the bot
shows as latency). A press's latency runs from the moment the stand-in makes its callback_query available to
getUpdates until it receives the bot's editMessageText for that board; when the press was answered
(answerCallbackQuery) is recorded too. Residents press round-robin (each resident's presses are residents ÷ rate
seconds apart), +1/−1 as seed.presses makes them; a short warm-up at the same rate comes first and is not counted.
Afterwards every resident's board in the database is compared with the one the presses must produce.

For the close, a second consultation (the Council Pound under another code) has its round 1 open with 10,000
residents whose answers are complete, written in bulk as the export benchmark writes them. Part-way through the
load the facilitator sends `/close CODE` in the stand-in, as in production: the close commits a `publish` job that
runs in a task of its own, counts the results and enqueues each participant's results in the outbox, which then
sends them through the same send budget as the board edits. How long the results took to be enqueued is the
round's published_at − closed_at (both stamped by the bot). The goal is read on the presses made from the
/close on; the whole run's figures are given beside them.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update

from bench import seed
from bench.answers import Running
from bench.export import answers_for
from bench.report import Row
from bench.standin import StandIn
from bot.bootstrap import build
from bot.config import Config
from bot.services import rounds
from dialogues import journey
from dialogues.loader import parse_consultation
from storage.base import utcnow
from storage.models import AnswerRow, OutboxRow, ParticipationRow

RATE = 85.0  # presses a second: the press release's peak (issue 18)
GOAL_MS = 500.0
GOAL_CLOSING_MS = 1000.0
FACILITATOR = 4_000_001
CLOSING_CODE = "council-pound-close"
CLOSING_FIRST = seed.FIRST_RESIDENT + 1_000_000  # the closing round's residents, apart from the pressing ones
WARM_SECONDS = 2.0
STALL = 60.0  # give up waiting when nothing more is answered or edited for this long


@dataclass
class Size:
    residents: int  # residents pressing
    seconds: float  # how long presses are made
    closing: int  # residents with complete answers in the round that is closed
    close_at: float  # seconds into the load when the facilitator sends /close


FULL = Size(residents=2_000, seconds=60.0, closing=10_000, close_at=15.0)
QUICK = Size(residents=500, seconds=20.0, closing=10_000, close_at=5.0)


@dataclass
class Outcome:
    presses: int  # measured
    residents: int
    seconds: float  # from the first measured press made to the last
    latency: list[float]  # ms per measured press, to the board's edit (inf: never edited)
    answered: list[float]  # ms per measured press, to its answer (inf: never answered)
    put: list[float]  # when each measured press was made (the stand-in's clock)
    verified: str
    lost: int
    waited: float  # seconds from the last press made to the last board edited
    cpu: float  # CPU seconds of the bot's process (all its threads) from the first measured press to the end
    refused: dict[str, int]  # presses answered but never edited: what their answer said -> how many
    errors: dict[str, int]  # updates the bot logged it failed to handle, by their exception
    close: dict[str, Any] | None = None

    @property
    def rate(self) -> float:
        return (self.presses - 1) / self.seconds if self.seconds > 0 else 0.0

    @property
    def missing(self) -> int:
        return sum(math.isinf(x) for x in self.latency)


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p% of the values at or below it (inf counts as largest)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def ms(x: float) -> str:
    if math.isinf(x):
        return "never"
    return f"{x:,.0f} ms" if x < 10_000 else f"{x / 1000:,.0f} s"


def steady_presses(boards: seed.Boards, count: int, rng_seed: int = seed.SEED) -> seed.Presses:
    """`count` presses round-robin over the residents (as seed.presses makes them, cut at `count`), and the board
    each resident must end with if every one is saved."""
    services = boards.opened.spec.services
    per_resident = -(-count // len(boards.residents))
    assert per_resident <= 50  # never below 0p nor above 100p, in any order (see seed.presses)
    rng = random.Random(rng_seed)
    plans: dict[int, list[tuple[int, int]]] = {}
    for chat_id in boards.residents:
        minus = [0] * len(services)
        plan = []
        for _ in range(per_resident):
            i = rng.randrange(len(services))
            delta = -1 if minus[i] < seed.START_PENCE and rng.random() < 0.4 else 1
            if delta < 0:
                minus[i] += 1
            plan.append((i, delta))
        plans[chat_id] = plan
    expected = {chat_id: {s.key: seed.START_PENCE for s in services} for chat_id in boards.residents}
    updates = []
    for k in range(per_resident):
        for chat_id in boards.residents:
            if len(updates) == count:
                break
            i, delta = plans[chat_id][k]
            updates.append((chat_id, boards.message_ids[chat_id], boards.data(chat_id, i, delta)))
            expected[chat_id][services[i].key] += delta
    return seed.Presses(updates, expected)


# ---- the round that is closed ---------------------------------------------------------------------------------
async def seed_closing_round(cfg: Config, api: StandIn, count: int, log: Callable[[str], None]) -> int:
    """Round 1 of the Council Pound under CLOSING_CODE, open, with `count` residents who answered everything
    (as the export benchmark writes them); the round's id. The residents exist in the stand-in, to be sent their
    results."""
    spec = parse_consultation(seed.EXAMPLE.read_bytes().replace(b"code: council-pound\n",
                                                                  f"code: {CLOSING_CODE}\n".encode()))  # fmt: skip
    assert spec.code == CLOSING_CODE
    app = await build(cfg, migrate=False, with_runtime=False)
    try:
        d = app.deps
        async with d.uow() as uow:
            loaded = await uow.consultations.store(spec, loaded_by=None)
            await uow.commit()
        r = (await rounds.open_round(d, spec.code)).round
        opened = seed.Opened(loaded.consultation_id, r.id, loaded.version_id, spec, journey.RoundContext())
        rng = random.Random(seed.SEED + 1)
        ids = list(range(CLOSING_FIRST, CLOSING_FIRST + count))
        for part in seed.chunks(ids, 5_000):
            parts = await seed.add_residents(d, opened, part, {"step": "done", "finished": True})
            rows = [
                {"participation_id": pid, "question_key": key, "value": value, "review": None}
                for pid in parts
                for key, value in answers_for(spec, rng).items()
            ]
            async with d.sessions() as s:
                await s.execute(insert(AnswerRow), rows)
                await s.execute(update(ParticipationRow).where(ParticipationRow.id.in_(parts))
                                .values(finished_at=utcnow()))  # fmt: skip
                await s.commit()
            await api.call("users", list(part))
        log(f"latency: {count:,} residents with complete answers in round 1 of {CLOSING_CODE}")
        return r.id
    finally:
        await app.close()


async def _closing_figures(bot: Running, round_id: int) -> dict[str, Any]:
    d = bot.app.deps
    async with d.uow() as uow:
        times = await uow.consultations.round_times(round_id)
    async with d.sessions() as s:
        enqueued = await s.scalar(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.dedupe_key.like(f"yours:{round_id}:%"))
        )
        sent = await s.scalar(
            select(func.count()).select_from(OutboxRow)
            .where(OutboxRow.dedupe_key.like(f"yours:{round_id}:%"), OutboxRow.status == "sent")
        )  # fmt: skip
    assert times is not None
    return {"closed_at": times.closed_at, "published_at": times.published_at, "enqueued": enqueued or 0,
            "sent": sent or 0, "counted_at": d.clock()}  # fmt: skip


class _Errors(logging.Handler):
    """Counts the bot's logged failures to handle an update, by the first line of their exception."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith(("database error handling update", "failed to handle update")):
            error = record.exc_info[1] if record.exc_info else None
            self.seen[str(getattr(error, "orig", error)).splitlines()[0][:80] if error else "?"] += 1


# ---- one run --------------------------------------------------------------------------------------------------
async def _wait(api: StandIn, deadline: float) -> dict[str, int]:
    """Until every press is made, answered and edited, or (all made) nothing moves for STALL seconds (10 s once
    all are answered), or the deadline; the last progress seen."""
    last: dict[str, int] = {}
    moved = time.monotonic()
    while True:
        got = await api.call("load_progress")
        now = time.monotonic()
        if got != last:
            last, moved = got, now
        total = got["total"]
        if got["made"] == total and got["answered"] == total and got["edited"] == total:
            return got
        # once every press is answered, a board still not edited 10 s on will not be (the press was refused)
        patience = 10.0 if got["answered"] == total else STALL
        stalled = got["made"] == total and now - moved >= patience
        if stalled or now >= deadline:
            return got
        await asyncio.sleep(0.25)


async def measure(size: Size, closing: bool, folder: Path, log: Callable[[str], None]) -> Outcome:
    errors = _Errors()
    logging.getLogger("bot").addHandler(errors)
    try:
        return await _measure(size, closing, folder, log, errors)
    finally:
        logging.getLogger("bot").removeHandler(errors)


async def _measure(
    size: Size, closing: bool, folder: Path, log: Callable[[str], None], errors: _Errors
) -> Outcome:
    async with StandIn() as api, seed.scratch_database("sqlite", folder) as url:
        cfg = seed.config(api.base_url, api.token, url, "aiogram", roles={"facilitators": [FACILITATOR]})
        opened = await seed.prepare_database(cfg)
        await api.call("users", [FACILITATOR])
        closing_round = await seed_closing_round(cfg, api, size.closing, log) if closing else None
        bot = await Running.start(cfg)
        try:
            boards = await seed.seed_boards(cfg, bot.app.deps, opened, api, size.residents)
            warm = int(WARM_SECONDS * RATE)
            measured = int(size.seconds * RATE)
            plan = steady_presses(boards, warm + measured)
            log(f"latency: warm-up, {warm} presses at {RATE:.0f}/s")
            await api.call("load_start", plan.updates[:warm], RATE)
            got = await _wait(api, time.monotonic() + 300)
            if got["edited"] < warm:
                raise RuntimeError(f"the warm-up's presses were not all edited: {got}")
            await asyncio.sleep(1.0)
            extras = [(size.close_at, FACILITATOR, f"/close {CLOSING_CODE}")] if closing else []
            what = f" and /close at {size.close_at:.0f} s" if closing else ""
            log(f"latency: {measured:,} presses at {RATE:.0f}/s over {size.residents:,} residents{what}")
            errors.seen.clear()
            await api.call("load_start", plan.updates[warm:], RATE, extras)
            cpu0 = time.process_time()
            await _wait(api, time.monotonic() + size.seconds + 900)
            times = await api.call("load_times")
            cpu = time.process_time() - cpu0
            close = await _closing_figures(bot, closing_round) if closing_round is not None else None
            await asyncio.sleep(0.5)  # the last commits
            stored = await seed.drafts(bot.app.deps, opened)
        finally:
            await bot.stop()
    lost = seed.lost_presses(plan.expected, stored)
    total = len(plan.updates)
    put = [t if t is not None else math.inf for t in times["put"]]
    edits = [t for t in times["edited"] if t is not None]
    waited = max(edits) - put[-1] if edits else math.nan
    inf = math.inf
    latency = [(e - p) * 1000 if e is not None and p is not None else inf
               for p, e in zip(times["put"], times["edited"], strict=True)]  # fmt: skip
    answered = [(a - p) * 1000 if a is not None and p is not None else inf
                for p, a in zip(times["put"], times["answered"], strict=True)]  # fmt: skip
    verified = (f"{lost:,} of {total:,} presses (with the warm-up's) missing from the database" if lost
                else f"all {total:,} presses (with the warm-up's) in the database")  # fmt: skip
    if times["stray_edits"]:
        verified += f"; {times['stray_edits']} edits of boards with no press waiting"
    made = [t for t in put if not math.isinf(t)]
    outcomes = zip(times["answer_texts"], times["answered"], times["edited"], strict=True)
    refused = Counter(text or "(no text)" for text, a, e in outcomes if a is not None and e is None)
    out = Outcome(len(made), size.residents, made[-1] - made[0] if len(made) > 1 else 0.0, latency, answered, put,
                  verified, lost, waited, cpu, dict(refused), dict(errors.seen))  # fmt: skip
    if closing and close is not None:
        close["sent_at"] = times["extras"][0] if times["extras"] else None
        replies = [t for chat, t, _ in times["sends"] if chat == FACILITATOR]
        close["replied"] = replies[0] if replies else None
        close["reply_text"] = next((text for chat, _, text in times["sends"] if chat == FACILITATOR), "")
        out.close = close
    log(f"latency: p95 {ms(percentile(latency, 95))}, {out.missing} never edited; {verified}")
    return out


# ---- the rows -------------------------------------------------------------------------------------------------
def _spread(values: list[float]) -> str:
    return f"p50 {ms(percentile(values, 50))}, p95 {ms(percentile(values, 95))}, p99 {ms(percentile(values, 99))}"


def _load(o: Outcome, size: Size) -> str:
    tail = ""
    if o.missing:
        said = "; ".join(f"{n:,} answered “{text.split('. ')[0][:80]}”" for text, n in o.refused.items())
        tail = f"; {o.missing:,} never edited (counted as never in the percentiles{': ' + said if said else ''})"
    if o.errors:
        tail += "; the bot logged " + ", ".join(f"{n:,} updates it could not handle ({e})" for e, n in o.errors.items())
    cpu_ms = o.cpu / o.presses * 1000 if o.presses else math.nan
    handled = o.presses / (o.seconds + o.waited) if o.seconds + o.waited > 0 else math.nan
    return (f"{o.presses:,} presses at {o.rate:,.0f}/s over {o.residents:,} residents for {size.seconds:.0f} s "
            f"(last board edited {o.waited:,.1f} s after the last press: {handled:,.0f} presses a second handled; "
            f"the bot's process used {o.cpu:,.0f} s of CPU meanwhile, {cpu_ms:.1f} ms a press){tail}")  # fmt: skip


def row_load(o: Outcome, size: Size, quick: bool) -> Row:
    p95 = percentile(o.latency, 95)
    kind = "quick: " if quick else ""
    figures = (f"{_spread(o.latency)} to the board's edit (answered: p95 {ms(percentile(o.answered, 95))}); "
               f"{kind}{_load(o, size)}; {o.verified}")  # fmt: skip
    return Row("11 latency", "press latency p95 ÷ goal, press-release load (moot aiogram, SQLite, getUpdates)",
               p95 / GOAL_MS, figures, f"p95 < {GOAL_MS:.0f} ms, none lost", p95 < GOAL_MS and not o.lost)  # fmt: skip


def row_closing(o: Outcome, size: Size, quick: bool) -> Row:
    c = o.close or {}
    t_close = c.get("sent_at")
    after = [x for x, p in zip(o.latency, o.put, strict=True) if t_close is None or p >= t_close[0]]
    p95 = percentile(after, 95)
    closed, published = c.get("closed_at"), c.get("published_at")
    if closed is not None and published is not None:
        took = (published - closed).total_seconds()
        enq = f"{c['enqueued']:,} residents' results enqueued {took:,.1f} s after the close"
        if t_close is not None:
            enq += f" (committed {closed.timestamp() - t_close[1]:,.1f} s after /close was sent)"
    else:
        enq = f"results NOT enqueued during the load (closed at {closed}, {c.get('enqueued', 0):,} enqueued)"
    if c.get("replied") is not None and t_close is not None:
        enq += f"; the facilitator answered in {ms((c['replied'] - t_close[0]) * 1000)}"
    if closed is not None:
        after_close = (c["counted_at"] - closed).total_seconds()
        enq += f"; {c.get('sent', 0):,} of them sent {after_close:,.0f} s after the close"
    kind = "quick: " if quick else ""
    figures = (f"from the /close on ({len(after):,} presses): {_spread(after)}; whole run: {_spread(o.latency)} "
               f"(answered: p95 {ms(percentile(o.answered, 95))}); {kind}{_load(o, size)}, /close at "
               f"{size.close_at:.0f} s; {enq}; {o.verified}")  # fmt: skip
    return Row("11 latency",
               f"press latency p95 ÷ goal, same load while /close posts a {size.closing:,}-resident round's results",
               p95 / GOAL_CLOSING_MS, figures, f"p95 < {GOAL_CLOSING_MS / 1000:.0f} s, none lost",
               p95 < GOAL_CLOSING_MS and not o.lost)  # fmt: skip


def run(quick: bool, log: Callable[[str], None]) -> list[Row]:
    return asyncio.run(_run(quick, log))


async def _run(quick: bool, log: Callable[[str], None]) -> list[Row]:
    size = QUICK if quick else FULL
    async with seed.scratch_folder() as folder:
        log("latency: the press-release load")
        plain = await measure(size, False, folder, log)
        log(f"latency: the same load, closing a round of {size.closing:,}")
        closing = await measure(size, True, folder, log)
    return [row_load(plain, size, quick), row_closing(closing, size, quick)]
