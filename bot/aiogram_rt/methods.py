"""Bot API methods shaped for moot's hot path, and aiogram's response models kept alive between calls.

aiogram lets a bot declare its own methods (a TelegramMethod with `__returning__` and `__api_method__`); moot
uses that where aiogram's stock method does work moot throws away, measured by `python -m bench`:

- getUpdates: moot feeds each update's JSON to the dispatcher itself, so parsing them into models here, then
  dumping them back to JSON, was wasted (RawUpdates keeps the JSON, and MootSession does not validate it again).
- editMessageText: a resident's board is edited on every press; the stock method validates the 43 buttons into
  models, dumps them back out, and parses the whole edited message Telegram returns, none of which moot reads
  (EditBoard takes the keyboard as its JSON and does not read the message back).
- Both of a press's calls (EditBoard, AnswerPress) go as JSON bodies, which the Bot API accepts for any
  method without a file: aiohttp's form encoding quoted the keyboard's 5 kB of JSON character by character in
  Python. When they succeed, the answer is not parsed: it is the edited message, 53 buttons, unread (MootSession).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, ClassVar, cast

from aiogram import methods
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods.base import Response, TelegramMethod, TelegramType
from aiohttp import FormData
from aiohttp.payload import BytesPayload

if TYPE_CHECKING:
    from aiogram import Bot


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

    def json_body(self) -> str:
        """The request as the Bot API's JSON, the keyboard's JSON spliced in as it is."""
        head = _ENCODE({"chat_id": self.chat_id, "message_id": self.message_id, "text": self.text,
                        "parse_mode": self.parse_mode})
        tail = f',"link_preview_options":{self.link_preview_options}'
        if self.reply_markup:
            tail += f',"reply_markup":{self.reply_markup}'
        return f"{head[:-1]}{tail}}}"


class AnswerPress(TelegramMethod[bool]):
    """answerCallbackQuery, sent as JSON (every press answers one)."""

    __returning__: ClassVar[Any] = bool
    __api_method__: ClassVar[str] = "answerCallbackQuery"

    callback_query_id: str
    text: str | None = None
    show_alert: bool = False

    def json_body(self) -> str:
        body: dict[str, Any] = {"callback_query_id": self.callback_query_id}
        if self.text is not None:
            body["text"] = self.text
        if self.show_alert:
            body["show_alert"] = True
        return _ENCODE(body)


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_SUCCESS = re.compile(r'\{\s*"ok"\s*:\s*true\s*[,}]')  # how every successful Bot API answer begins


class MootSession(AiohttpSession):
    """aiogram's aiohttp session, sending EditBoard and AnswerPress as JSON bodies and, when they succeed, not
    parsing what comes back (moot reads neither result); RawUpdates' batch is read as plain JSON; aiogram's own
    request, timeouts and errors otherwise."""

    def build_form_data(self, bot: Bot, method: TelegramMethod[TelegramType]) -> FormData:
        if isinstance(method, EditBoard | AnswerPress):  # aiohttp posts any payload given as the form
            return cast(FormData, BytesPayload(method.json_body().encode(), content_type="application/json"))
        return super().build_form_data(bot, method)

    def check_response(
        self, bot: Bot, method: TelegramMethod[TelegramType], status_code: int, content: str
    ) -> Response[TelegramType]:
        if isinstance(method, EditBoard | AnswerPress) and status_code == 200 and _SUCCESS.match(content):
            return cast(Response[TelegramType], Response.model_construct(ok=True, result=True))
        if isinstance(method, RawUpdates) and status_code == 200 and _SUCCESS.match(content):
            # A batch of updates is handed on as JSON: pydantic's copy of each of a hundred dicts checked nothing.
            result = json.loads(content).get("result")
            if isinstance(result, list) and all(isinstance(u, dict) for u in result):
                return cast(Response[TelegramType], Response.model_construct(ok=True, result=result))
        return super().check_response(bot=bot, method=method, status_code=status_code, content=content)


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
    AnswerPress,
)
RESPONSE_MODELS: tuple[Any, ...] = tuple(Response[m.__returning__] for m in _USED)  # type: ignore[name-defined]
