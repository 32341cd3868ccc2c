"""A press release goes out: 1,000 residents send /start at once while Telegram enforces 30 messages a second.

Every one of them gets their first screen, once: replies go through the same send budget as the outbox, and a
reply refused with 429 is sent again after its retry_after instead of being dropped.
"""

from __future__ import annotations

from tests.harness import Harness

RESIDENTS = 1_000
FIRST = 8_100_000_000


async def test_a_thousand_residents_starting_at_once_all_get_their_first_screen(moot: Harness) -> None:
    api = moot.api
    await moot.load()
    await moot.open()
    api.rate_limits.global_per_second = 30
    api.rate_limits.per_chat_per_second = 1
    ids = range(FIRST, FIRST + RESIDENTS)
    for user_id in ids:
        api.user(user_id)
    refused_before = api.stats.errors[429]
    for user_id in ids:
        api.send_text(user_id, "/start council-pound")

    def answered() -> int:
        return sum(1 for user_id in ids if api.chat(user_id).messages)

    await api.wait_for(lambda: answered() == RESIDENTS, timeout=240)
    for user_id in ids:
        (intro,) = api.chat(user_id).messages  # exactly one: nobody is answered twice
        assert "How your answers are used and kept" in (intro.text or "")
    # the budget keeps under the limit it knows, so Telegram had nothing to refuse
    assert api.stats.errors[429] == refused_before


async def test_a_reply_refused_with_retry_after_is_sent_after_it(moot: Harness) -> None:
    api = moot.api
    await moot.load()
    await moot.open()
    api.user(FIRST)
    api.flood(2, retry_after=1, chat_id=FIRST)  # Telegram refuses the next two sends to this chat
    api.send_text(FIRST, "/start council-pound")
    await api.wait_for(lambda: bool(api.chat(FIRST).messages), timeout=20)
    (intro,) = api.chat(FIRST).messages
    assert "How your answers are used and kept" in (intro.text or "")
    assert api.stats.errors[429] >= 2
