"""What a runtime must provide: a handful of Bot API calls, and one vocabulary of errors for them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

# The update kinds moot asks Telegram for; everything else (polls, reactions, channel posts) is not ours.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]


class KeyButton(NamedTuple):
    """One inline button (a tuple: a board makes fifty on every press)."""

    text: str
    callback_data: str | None = None
    url: str | None = None


Keyboard = list[list[KeyButton]]


@dataclass(frozen=True)
class CommandScope:
    """Whose command menu setMyCommands sets: every private chat, or one chat (a staff member's own)."""

    kind: str = "all_private_chats"  # default | all_private_chats | chat
    chat_id: int | None = None

    @classmethod
    def chat(cls, chat_id: int) -> CommandScope:
        return cls("chat", chat_id)

    def to_api(self) -> dict[str, Any]:
        """The Bot API's BotCommandScope object."""
        return {"type": self.kind} if self.chat_id is None else {"type": self.kind, "chat_id": self.chat_id}


Menu = list[tuple[str, str]]  # (command without the slash, description)


def keyboard_json(kb: Keyboard | None) -> str | None:
    """An inline keyboard as the Bot API's JSON, without building a model per button."""
    if not kb:
        return None
    rows = [[{"text": b.text, "url": b.url} if b.url else {"text": b.text, "callback_data": b.callback_data}
             for b in row] for row in kb]
    return _ENCODE({"inline_keyboard": rows})


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class TelegramFailure(Exception):
    """A Bot API call failed; the subclasses say how the caller should react."""


class RetryLater(TelegramFailure):
    def __init__(self, seconds: float):
        super().__init__(f"flood control: retry after {seconds} s")
        self.seconds = seconds


class Blocked(TelegramFailure):
    """403: the resident blocked the bot, or the bot was removed from the group."""


class Rejected(TelegramFailure):
    """400: Telegram refused the request (bad HTML, message gone, not modified...)."""

    @property
    def not_modified(self) -> bool:
        return "not modified" in str(self)


class Migrated(TelegramFailure):
    """400 with migrate_to_chat_id: the group became a supergroup, which has a new id; send there instead."""

    def __init__(self, new_chat_id: int):
        super().__init__(f"the group is now the supergroup {new_chat_id}")
        self.new_chat_id = new_chat_id


class Unreachable(TelegramFailure):
    """Network trouble or a server error: worth retrying later."""


class BadToken(TelegramFailure):
    """401: Telegram does not know the bot's token."""


class Transport(Protocol):
    async def send_text(self, chat_id: int, html: str, keyboard: Keyboard | None = None) -> int: ...
    async def edit_text(self, chat_id: int, message_id: int, html: str, keyboard: Keyboard | None = None) -> None: ...
    async def clear_keyboard(self, chat_id: int, message_id: int) -> None: ...
    async def send_photo(self, chat_id: int, png: bytes, caption: str, keyboard: Keyboard | None = None) -> int: ...
    async def send_document(self, chat_id: int, filename: str, content: bytes, caption: str = "") -> int: ...
    async def answer_callback(self, callback_id: str, text: str | None = None, alert: bool = False) -> None: ...
    async def download(self, file_id: str) -> bytes: ...
    async def is_chat_admin(self, chat_id: int, user_id: int) -> bool: ...
    async def get_updates(self, offset: int | None, timeout: int) -> list[dict[str, Any]]: ...
    async def delete_webhook(self) -> None: ...
    async def set_commands(self, menu: Menu, scope: CommandScope, language_code: str = "") -> None: ...
    async def delete_commands(self, scope: CommandScope, language_code: str = "") -> None: ...
