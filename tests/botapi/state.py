"""The recorded world of the Bot API stand-in: users, groups, what each chat shows, files, counters."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


class ApiError(Exception):
    """An error answer: ``{"ok": false, "error_code": code, "description": description}``."""

    def __init__(
        self, code: int, description: str, retry_after: int | None = None, migrate_to_chat_id: int | None = None
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        parameters = {"retry_after": self.retry_after, "migrate_to_chat_id": self.migrate_to_chat_id}
        if any(v is not None for v in parameters.values()):  # Telegram's ResponseParameters
            body["parameters"] = {k: v for k, v in parameters.items() if v is not None}
        return body


def bad_request(what: str) -> ApiError:
    return ApiError(400, f"Bad Request: {what}")


@dataclass
class User:
    """A Telegram user registered in the world."""

    id: int
    first_name: str = "Resident"
    username: str | None = None
    language_code: str = "en"
    is_bot: bool = False

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data


@dataclass
class Group:
    """A group or supergroup; ``bot_status`` is the bot's membership ("left" until it is added)."""

    id: int
    title: str
    type: str
    admins: list[int]
    members: list[int]
    bot_status: str = "left"
    migrated_to: int | None = None  # a group upgraded to a supergroup: the supergroup's id


@dataclass
class Button:
    """One inline keyboard button as the bot sent it."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass
class StoredFile:
    """A file known to the server (sent by a user or by the bot), downloadable via getFile."""

    file_id: str
    file_unique_id: str
    content: bytes = field(repr=False)
    file_path: str
    filename: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0


@dataclass
class SentMessage:
    """A message the bot sent, as the chat now shows it (edits update it in place)."""

    chat_id: int
    message_id: int
    kind: str  # "text" | "photo" | "document"
    text: str | None = None
    html: str | None = None
    parse_mode: str | None = None
    buttons: list[list[Button]] = field(default_factory=list)
    photo: bytes | None = field(default=None, repr=False)
    document: bytes | None = field(default=None, repr=False)
    filename: str | None = None
    mime_type: str | None = None
    history: list[str] = field(default_factory=list)
    deleted: bool = False
    # beyond the public contract: what the Bot API needs to answer with a Message object
    entities: list[dict[str, Any]] = field(default_factory=list, repr=False)
    reply_markup: dict[str, Any] | None = field(default=None, repr=False)  # as sent, inline or reply keyboard
    file: StoredFile | None = field(default=None, repr=False)
    reply_to: dict[str, Any] | None = field(default=None, repr=False)  # the Message replied to, if any
    date: int = field(default_factory=lambda: int(time.time()), repr=False)
    edit_date: int | None = field(default=None, repr=False)
    version: int = field(default=0, repr=False)  # bumped on every change, for wait_for_message(new_only=True)

    def button_labels(self) -> list[str]:
        return [button.text for row in self.buttons for button in row]

    def reply_keyboard(self) -> list[list[str]]:
        """Labels of a reply keyboard (ReplyKeyboardMarkup) sent with this message, if any."""
        rows = (self.reply_markup or {}).get("keyboard") or []
        return [[b if isinstance(b, str) else str(b.get("text", "")) for b in row] for row in rows]

    def button(self, label_contains: str) -> Button | None:
        for row in self.buttons:
            for button in row:
                if label_contains in button.text:
                    return button
        return None


@dataclass
class ChatView:
    """What one chat shows: the bot's messages in order, plus answers to button presses made there."""

    chat_id: int
    messages: list[SentMessage] = field(default_factory=list)
    callback_answers: list[dict[str, Any]] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)  # sendChatAction calls

    def visible(self) -> list[SentMessage]:
        return [m for m in self.messages if not m.deleted]

    def last(self) -> SentMessage:
        """The latest message still shown (deleted ones are skipped); AssertionError if none."""
        shown = self.visible()
        if not shown:
            raise AssertionError(f"chat {self.chat_id} shows no message from the bot")
        return shown[-1]

    def texts(self) -> list[str]:
        return [m.text or "" for m in self.visible()]

    def find(self, contains: str) -> SentMessage | None:
        for message in reversed(self.visible()):
            if message.text and contains in message.text:
                return message
        return None


@dataclass
class RateLimits:
    """Sliding-window limits; None disables one. Telegram's are about 30/s, 1/s per chat, 20/min per group."""

    global_per_second: float | None = None
    per_chat_per_second: float | None = None
    per_group_per_minute: float | None = None


class Stats:
    """Counters: ``stats["sendMessage"]`` calls of a method, ``stats[429]`` (or ``stats["429"]``) errors."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.errors: Counter[int] = Counter()

    def __getitem__(self, key: str | int) -> int:
        if isinstance(key, int) or key.isdigit():
            return self.errors[int(key)]
        return self.calls[key]

    def get(self, key: str | int, default: int = 0) -> int:
        return self[key] or default

    @property
    def too_many_requests(self) -> int:
        return self.errors[429]

    @property
    def forbidden(self) -> int:
        return self.errors[403]

    @property
    def bad_request(self) -> int:
        return self.errors[400]

    def as_dict(self) -> dict[str, int]:
        return {**self.calls, **{str(code): n for code, n in self.errors.items()}}

    def reset(self) -> None:
        self.calls.clear()
        self.errors.clear()

    def __repr__(self) -> str:
        return f"Stats({self.as_dict()})"
