"""A chat's updates run one at a time even when many wait at once, and the locks are forgotten afterwards."""

from __future__ import annotations

import asyncio

from bot.core import ChatLocks


async def test_updates_of_one_chat_never_overlap_and_locks_are_released() -> None:
    locks = ChatLocks()
    inside: dict[int, int] = {1: 0, 2: 0}
    overlaps = 0

    async def update(chat: int) -> None:
        nonlocal overlaps
        async with locks.hold(chat):
            inside[chat] += 1
            overlaps += inside[chat] > 1
            await asyncio.sleep(0)
            inside[chat] -= 1

    await asyncio.gather(*(update(1 + i % 2) for i in range(50)))
    assert overlaps == 0
    assert len(locks) == 0
