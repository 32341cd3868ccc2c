"""Two Bot API methods shaped for moot's hot path, and aiogram's response models kept alive between calls.

aiogram lets a bot declare its own methods (a TelegramMethod with `__returning__` and `__api_method__`); moot
uses that where aiogram's stock method does work moot throws away, measured by `python -m bench`:

- getUpdates: moot feeds each update's JSON to the dispatcher itself, so parsing them into models here, then
  dumping them back to JSON, was wasted (RawUpdates keeps the JSON).
- editMessageText: a resident's board is edited on every press; the stock method validates the 43 buttons into
  models, dumps them back out, and parses the whole edited message Telegram returns, none of which moot reads
  (EditBoard takes the keyboard as its JSON and does not read the message back).
"""

from __future__ import annotations

from typing import Any, ClassVar

from aiogram import methods
from aiogram.methods.base import Response, TelegramMethod


class RawUpdates(TelegramMethod[list[dict[str, Any]]]):
    """getUpdates, returning each update as Telegram's JSON."""

    __returning__: ClassVar[Any] = list[dict[str, Any]]
    __api_method__: ClassVar[str] = "getUpdates"

    offset: int | None = None
    timeout: int | None = None
    allowed_updates: list[str] | None = None


class EditBoard(TelegramMethod[bool | dict[str, Any]]):
    """editMessageText with the inline keyboard already as JSON; the edited message is not parsed."""

    __returning__: ClassVar[Any] = bool | dict[str, Any]
    __api_method__: ClassVar[str] = "editMessageText"

    chat_id: int
    message_id: int
    text: str
    parse_mode: str = "HTML"
    reply_markup: str | None = None
    link_preview_options: str = '{"is_disabled":true}'


# aiogram builds pydantic's Response[...] model for a method's result type on every call, and pydantic only
# caches it weakly: each garbage collection threw away Response[Message | bool] (~0.13 s to rebuild). Holding
# the ones moot uses keeps them built.
_USED = (
    methods.SendMessage,
    methods.EditMessageText,
    methods.SendPhoto,
    methods.SendDocument,
    methods.AnswerCallbackQuery,
    methods.GetFile,
    methods.GetChatMember,
    methods.GetMe,
    methods.SetWebhook,
    methods.DeleteWebhook,
    methods.SetMyCommands,
    methods.DeleteMyCommands,
    RawUpdates,
    EditBoard,
)
RESPONSE_MODELS: tuple[Any, ...] = tuple(Response[m.__returning__] for m in _USED)  # type: ignore[name-defined]
