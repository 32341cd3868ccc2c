"""Telegram's limits counted in PostgreSQL (issue 19 #8): two workers' windows together never exceed the bot's
budget, a group's minute or its second, and a 429 seen by one pauses both."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from bot.limits import ChatNotReady
from bot.shared_limits import SharedSendWindow
from storage.engine import make_engine
from storage.migrate import upgrade_async


@pytest.fixture
async def two(database_url: str) -> AsyncIterator[tuple[SharedSendWindow, SharedSendWindow]]:
    if not database_url.startswith("postgresql"):
        pytest.skip("the shared budget is PostgreSQL's (several workers need it)")
    await upgrade_async(database_url)
    engines = [make_engine(database_url, connections=4) for _ in range(2)]  # as two worker processes would
    try:
        yield (SharedSendWindow(engines[0], 3, per_group_per_minute=4),
               SharedSendWindow(engines[1], 3, per_group_per_minute=4))
    finally:
        for e in engines:
            await e.dispose()


async def _blocked(acquiring: asyncio.Future[int] | asyncio.Task[int]) -> bool:
    done, _ = await asyncio.wait({acquiring}, timeout=0.5)
    return not done


async def test_two_workers_share_one_budget(two: tuple[SharedSendWindow, SharedSendWindow]) -> None:
    a, b = two
    tickets = [await a.acquire(), await a.acquire(), await b.acquire()]  # 3 a second between them, in flight
    waiting = asyncio.create_task(b.acquire())
    assert await _blocked(waiting), "a fourth send in the same second started"
    await a.release(ticket=tickets[0])
    await asyncio.wait_for(waiting, 3)  # a second after that send returned
    for t in [*tickets[1:], await waiting]:
        await b.release(ticket=t)


async def test_a_group_minute_and_second_are_shared(two: tuple[SharedSendWindow, SharedSendWindow]) -> None:
    a, b = two
    group = -100777
    for w in (a, b, a, b):
        await w.release(ticket=await w.acquire(group))  # 4 to the group, the most a minute allows here
        await asyncio.sleep(1.0)  # a chat's second
    with pytest.raises(ChatNotReady) as caught:
        await b.acquire(group)
    assert caught.value.seconds > 50, "the group waits for its minute, whichever worker asks"
    another = -100888
    ticket = await a.acquire(another)
    other = asyncio.create_task(b.acquire(another))
    assert await _blocked(other), "two sends to one group at once"
    await a.release(ticket=ticket)
    await b.release(ticket=await asyncio.wait_for(other, 5))
    await a.release(ticket=await a.acquire(4242))  # a resident's chat: counted overall, and no id of theirs kept
    async with a.engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM send_log WHERE chat_id > 0"))).scalar_one() == 0


async def test_a_flood_pause_seen_by_one_worker_holds_the_other(two: tuple[SharedSendWindow, SharedSendWindow]) -> None:
    a, b = two
    a.pause(3)
    await asyncio.sleep(0.3)  # the pause is written to the database in the background
    waiting = asyncio.create_task(b.acquire())
    assert await _blocked(waiting), "the other worker sent during the pause"
    await b.release(ticket=await asyncio.wait_for(waiting, 10))
