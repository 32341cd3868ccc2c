"""Nobody can make the bot flood a council's group (issue 19 #11): a member who is not staff is answered once an
hour at most, and the whole group hears only a few answers a minute, whatever its members send."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.harness import FACILITATOR, Harness

GROUP = -1004411
STRANGER = 2601
COMMANDS = ["/link council-pound", "/unlink", "/open council-pound", "/close council-pound", "/export",
            "/start", "/help", "/mydata", "/erase", "/publish council-pound", "/link", "/grant officer 2601"]


async def _handled(moot: Harness, updates: list[dict[str, Any]]) -> None:
    """Waits until the bot has handled every one of these updates (each is recorded as it is handled)."""
    async def all_seen() -> bool:
        async with moot.deps.uow() as uow:
            return all([await uow.ledger.seen(u["update_id"]) for u in updates])

    for _ in range(600):
        if await all_seen():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the bot did not handle every update")


def _bot_messages(moot: Harness) -> int:
    return len(moot.api.chat(GROUP).messages)


async def _group(moot: Harness) -> None:
    await moot.load()
    await moot.open()
    moot.api.add_group(GROUP, "Byker residents", admins=[FACILITATOR], members=[STRANGER, *range(2700, 2710)])
    moot.api.add_bot_to_group(GROUP, by_user=FACILITATOR)
    await moot.api.wait_for_message(GROUP, contains="/link CODE")


async def test_twelve_commands_from_a_member_get_at_most_one_answer(moot: Harness) -> None:
    await _group(moot)
    before = _bot_messages(moot)
    sent = [moot.api.send_text(STRANGER, text, chat_id=GROUP) for text in COMMANDS]
    await _handled(moot, sent)
    assert _bot_messages(moot) - before <= 1, moot.api.chat(GROUP).texts()[before:]

    # staff are still answered at once, every time
    for _ in range(2):
        moot.api.send_text(FACILITATOR, "/start", chat_id=GROUP)
        await moot.api.wait_for_message(GROUP, contains="in a private chat with me", new_only=True)


async def test_many_members_at_once_get_only_a_few_answers(moot: Harness) -> None:
    await _group(moot)
    before = _bot_messages(moot)
    sent = [moot.api.send_text(member, text, chat_id=GROUP)
            for member in range(2700, 2710) for text in ("/start", "/link council-pound")]
    await _handled(moot, sent)
    assert 1 <= _bot_messages(moot) - before <= 3, moot.api.chat(GROUP).texts()[before:]
