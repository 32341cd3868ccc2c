"""The outbox's overall limit: no second at Telegram's end ever holds more sends than the window allows."""

from __future__ import annotations

import asyncio
import heapq
import random
from collections.abc import Coroutine
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.limits import SendWindow


class VirtualTime:
    """A clock that jumps to the next sleeper's wake time once every task is waiting: exact and instant."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = 0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._seq += 1
        heapq.heappush(self._sleepers, (self.now + max(seconds, 0.0), self._seq, future))
        await future

    async def run(self, *coroutines: Coroutine[Any, Any, None]) -> None:
        tasks = [asyncio.ensure_future(c) for c in coroutines]
        while not all(t.done() for t in tasks):
            for _ in range(20):  # let every task run until it waits on a sleeper
                await asyncio.sleep(0)
            if self._sleepers:
                at, _, future = heapq.heappop(self._sleepers)
                self.now = max(self.now, at)
                future.set_result(None)
        for t in tasks:
            t.result()


async def run_sends(per_second: float, latencies: list[float], senders: int) -> list[float]:
    """Sends once per latency through the window with `senders` concurrent tasks; returns arrival times."""
    t = VirtualTime()
    window = SendWindow(per_second, clock=t.clock, sleep=t.sleep)
    arrivals: list[float] = []
    queue = list(latencies)
    rng = random.Random(len(latencies))

    async def sender() -> None:
        while queue:
            latency = queue.pop()
            await window.acquire()
            # Telegram counts the message somewhere between the start of the call and its return.
            arrivals.append(t.now + latency * rng.random())
            await t.sleep(latency)
            await window.release()

    await t.run(*(sender() for _ in range(senders)))
    return sorted(arrivals)


def most_in_any_window(arrivals: list[float], seconds: float) -> int:
    most, first = 0, 0
    for last, at in enumerate(arrivals):
        while arrivals[first] <= at - seconds:
            first += 1
        most = max(most, last - first + 1)
    return most


@settings(max_examples=60, deadline=None)
@given(
    per_second=st.sampled_from([30.0, 29.0, 14.5, 1.0, 0.5]),
    latencies=st.lists(st.floats(min_value=0.0, max_value=0.4), min_size=1, max_size=150),
    senders=st.integers(min_value=1, max_value=12),
)
def test_no_second_holds_more_than_the_limit_whatever_the_latency(
    per_second: float, latencies: list[float], senders: int
) -> None:
    arrivals = asyncio.run(run_sends(per_second, latencies, senders))
    assert len(arrivals) == len(latencies)
    assert most_in_any_window(arrivals, 1.0) <= max(1, int(per_second))
    if per_second < 1:
        assert most_in_any_window(arrivals, 1 / per_second) <= 1


def test_the_window_is_filled_when_calls_are_quick() -> None:
    # 300 sends at 30 a second with 5 ms calls take about ten windows, not more: the limit is used, not wasted.
    arrivals = asyncio.run(run_sends(30.0, [0.005] * 300, senders=8))
    assert arrivals[-1] - arrivals[0] < 10 * 1.005 + 0.05


def test_room_given_up_unused_is_free_at_once() -> None:
    t = VirtualTime()
    window = SendWindow(2, clock=t.clock, sleep=t.sleep)

    async def scenario() -> None:
        await window.acquire()
        await window.acquire()
        await window.release(sent=False)  # handed back without sending (a flood pause began)
        await window.acquire()  # does not wait for the window to pass
        assert t.now == 0.0
        await window.release()
        await window.acquire()  # full: waits until the sent one leaves the window
        assert t.now == 1.0

    asyncio.run(t.run(scenario()))
