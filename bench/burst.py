"""Burst: 1,000 residents send /start at once (a press release's link), the stand-in enforcing 30 messages a second.

Replies share the outbox's send budget and are sent again after a 429, so every resident gets the first screen
once; the clock runs from the first /start to the last resident's first screen, and is compared with the least
time Telegram's limit allows (residents ÷ 30 a second).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from bench import seed
from bench.answers import Running
from bench.report import Row
from bench.standin import StandIn

LIMIT = 30
GOAL = 1.2  # at most a fifth slower than the limit itself allows


async def burst(count: int) -> dict[str, float]:
    async with seed.scratch_folder() as folder, StandIn() as api, seed.scratch_database("sqlite", folder) as url:
        cfg = seed.config(api.base_url, api.token, url)
        await seed.prepare_database(cfg)
        bot = await Running.start(cfg)
        try:
            await api.call("rate", LIMIT)
            residents = list(range(seed.FIRST_RESIDENT, seed.FIRST_RESIDENT + count))
            await api.call("users", residents)
            before = await api.call("sends")
            started = time.monotonic()
            await api.call("send_texts", residents, "/start council-pound")
            deadline = started + count / 5 + 60
            answered = 0
            while time.monotonic() < deadline:
                spread = await api.call("sends")
                answered = spread["chats"] - before["chats"]
                if answered >= count:
                    break
                await asyncio.sleep(0.05)
            seconds = time.monotonic() - started
            if answered < count:
                raise TimeoutError(f"only {answered} of {count} residents were answered")
            await asyncio.sleep(1.0)  # anything sent twice would show up now
            spread = await api.call("sends")
            counts = await api.counts()
        finally:
            await bot.stop()
    return {"seconds": seconds, "too_many": counts.get("429", 0), "most": spread["most"], "total": spread["total"]}


def run(quick: bool, log: Callable[[str], None]) -> list[Row]:
    count = 300 if quick else 1_000
    log(f"burst: {count:,} residents send /start at once")
    r = asyncio.run(burst(count))
    least = count / LIMIT
    ratio = r["seconds"] / least
    once = r["most"] == 1 and r["total"] == count
    return [
        Row(
            "8 burst",
            f"time until the last of {count:,} is answered ÷ {count:,}/{LIMIT} per second",
            ratio,
            f"{r['seconds']:.1f} s against {least:.1f} s at the limit; 429s: {r['too_many']:.0f}; "
            + ("each got exactly one reply" if once else f"up to {r['most']:.0f} replies in a chat"),
            f"≤ {GOAL}, every resident answered once",
            ratio <= GOAL and once,
        )
    ]
