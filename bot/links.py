"""Links into a private chat with the bot: the one place a t.me address is written."""

from __future__ import annotations


def deep_link(username: str, code: str | None = None) -> str:
    """The bot's private chat, opening on the consultation `code` when one is given (Telegram's /start payload)."""
    base = f"https://t.me/{username}"
    return f"{base}?start={code}" if code else base
