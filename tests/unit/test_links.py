"""Every link into the bot's private chat comes from bot.links."""

from __future__ import annotations

from bot.links import deep_link


def test_a_deep_link_opens_the_consultation_and_a_plain_one_the_chat() -> None:
    assert deep_link("moot_bot", "council-pound") == "https://t.me/moot_bot?start=council-pound"
    assert deep_link("moot_bot") == "https://t.me/moot_bot"
