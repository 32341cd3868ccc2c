"""Broadcast: an announcement to many residents through the persistent outbox, the stand-in enforcing 30/s.

The stand-in refuses (429, retry_after) any send beyond 30 in a sliding second (api.rate_limits). The
announcement rows are enqueued in one transaction, as a facilitator's announcement is; the clock runs from
the first delivered message to the last, and every resident must end with exactly one copy. Measured with the
shipped outbox setting (per_second = 29, one spare for replies to residents) to 10,000 residents as the issue
asks (1,000 with --quick) and, in the full run, with the most the config allows (30), where the outbox's
sliding window (bot/limits.py) must still draw no 429.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from bench import seed
from bench.answers import Running
from bench.report import Row, skipped
from bench.standin import StandIn
from dialogues.screens import Button, Screen

LIMIT = 30
GOAL = 0.95
TEXT = (
    "📣 <b>The Council Pound</b>: Share your pound is open until Friday.\n\n"
    "Every year the council decides how to share its money between services. Tell us how you would share it."
)


async def broadcast(count: int, per_second: float | None, folder: Path) -> dict[str, float]:
    async with StandIn() as api, seed.scratch_database("sqlite", folder) as url:
        await api.call("rate", LIMIT)
        outbox = {"per_second": per_second} if per_second else {}
        cfg = seed.config(api.base_url, api.token, url, outbox=outbox)
        opened = await seed.prepare_database(cfg)
        bot = await Running.start(cfg)
        try:
            residents = list(range(seed.FIRST_RESIDENT, seed.FIRST_RESIDENT + count))
            await api.call("users", residents)
            await seed.add_residents(bot.app.deps, opened, residents, {})
            screen = Screen(TEXT, [[Button("Take part privately", url=bot.app.deps.deep_link("council-pound"))]])
            before = (await api.call("sends"))["total"]
            async with bot.app.deps.uow() as uow:  # as the round's announcement enqueues (enqueue_many)
                messages = [(f"bench-announce:{chat_id}", chat_id, screen) for chat_id in residents]
                await uow.outbox.enqueue_many("announce", messages)
                await uow.commit()
            for hook in bot.app.deps.hooks.get("outbox", []):
                hook()
            first = last = 0.0
            deadline = time.monotonic() + count / 10 + 60
            while time.monotonic() < deadline:
                sent = (await api.call("sends"))["total"] - before
                now = time.monotonic()
                if sent >= 1 and not first:
                    first = now
                if sent >= count:
                    last = now
                    break
                await asyncio.sleep(0.01)
            if not last:
                raise TimeoutError(f"only {sent} of {count} announcements arrived")
            await asyncio.sleep(1.0)  # anything sent twice would show up now
            spread = await api.call("sends")
            counts = await api.counts()
        finally:
            await bot.stop()
    return {
        "rate": (count - 1) / (last - first),
        "seconds": last - first,
        "too_many": counts.get("429", 0),
        "chats": spread["chats"],
        "most": spread["most"],
    }


def run(quick: bool, log: Callable[[str], None]) -> list[Row]:
    try:
        import bot.outbox  # noqa: F401
    except ImportError as error:
        return [skipped("4 broadcast", "outbox rate ÷ 30/s", f"bot.outbox not there ({error})")]
    settings: list[tuple[float | None, int, str]] = [(None, 1_000 if quick else 10_000, "shipped per_second 29")]
    if not quick:  # the outbox's own cap: how close to the limit it can go without a 429
        settings += [(30.0, 600, "per_second 30 (the most allowed)")]
    return asyncio.run(_run(settings, log))


async def _run(settings: list[tuple[float | None, int, str]], log: Callable[[str], None]) -> list[Row]:
    out = []
    async with seed.scratch_folder() as folder:
        for per_second, count, label in settings:
            log(f"broadcast: {count:,} announcements, {label}")
            r = await broadcast(count, per_second, folder)
            ratio = r["rate"] / LIMIT
            once = r["chats"] == count and r["most"] == 1
            out.append(
                Row(
                    "4 broadcast",
                    f"outbox rate ÷ {LIMIT}/s, {label}",
                    ratio,
                    f"{count:,} residents in {r['seconds']:.1f} s = {r['rate']:.1f}/s; "
                    f"429s: {r['too_many']:.0f}; "
                    + ("each resident got exactly one" if once else f"{r['chats']:.0f} chats, up to {r['most']:.0f}"),
                    f"≥ {GOAL}, 0 × 429",
                    ratio >= GOAL and r["too_many"] == 0 and once,
                )
            )
    return out
