"""Bot API calls through python-telegram-bot, with PTB's errors mapped to moot's."""

from __future__ import annotations

import datetime as dtm
import warnings
from collections.abc import Awaitable
from typing import Any, TypeVar

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
)
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.warnings import PTBDeprecationWarning, PTBUserWarning

from bot.transport import (
    ALLOWED_UPDATES,
    BadToken,
    Blocked,
    CommandScope,
    Keyboard,
    Menu,
    Migrated,
    Rejected,
    RetryLater,
    Unreachable,
    keyboard_json,
)

T = TypeVar("T")
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
NO_PREVIEW_JSON = '{"is_disabled":true}'

# PTB asks that known methods be called by name; moot calls two through do_api_request on purpose (above).
for _method in ("getUpdates", "editMessageText"):
    warnings.filterwarnings("ignore", message=f"Please use 'Bot.{_method}'", category=PTBUserWarning)
ADMINS = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR}


def _markup(kb: Keyboard | None) -> InlineKeyboardMarkup | None:
    if not kb:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.text, callback_data=b.callback_data, url=b.url) for b in row] for row in kb]
    )


def _scope(scope: CommandScope) -> BotCommandScope:
    if scope.chat_id is not None:
        return BotCommandScopeChat(scope.chat_id)
    return BotCommandScopeAllPrivateChats() if scope.kind == "all_private_chats" else BotCommandScopeDefault()


def retry_seconds(e: RetryAfter) -> float:
    """retry_after is an int (with a deprecation warning) today, a timedelta under PTB_TIMEDELTA=1 or later."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = e.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


async def call(coro: Awaitable[T]) -> T:
    try:
        return await coro
    except RetryAfter as e:
        raise RetryLater(retry_seconds(e)) from e
    except Forbidden as e:
        raise Blocked(e.message) from e
    except ChatMigrated as e:
        raise Migrated(e.new_chat_id) from e
    except InvalidToken:
        pass  # raised below, outside this block: see there
    except (BadRequest, EndPointNotFound) as e:  # BadRequest first: it is a NetworkError
        raise Rejected(e.message) from e
    except (TimedOut, NetworkError) as e:
        raise Unreachable(str(e)) from e
    # PTB's message after initialize() quotes the whole token; raised here, BadToken carries neither that message
    # nor the exception as its context, so no log line or traceback can show the token.
    raise BadToken("Telegram rejected the bot token (401 Unauthorized)")


class PTBTransport:
    def __init__(self, bot: Bot):
        self.bot = bot

    async def send_text(self, chat_id: int, html: str, keyboard: Keyboard | None = None) -> int:
        m = await call(
            self.bot.send_message(
                chat_id,
                html,
                parse_mode=ParseMode.HTML,
                reply_markup=_markup(keyboard),
                link_preview_options=NO_PREVIEW,
            )
        )
        return m.message_id

    async def clear_keyboard(self, chat_id: int, message_id: int) -> None:
        await call(self.bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id, reply_markup=None))

    async def edit_text(self, chat_id: int, message_id: int, html: str, keyboard: Keyboard | None = None) -> None:
        # A resident's board is edited on every press: the keyboard goes as its JSON, and the edited message
        # Telegram returns is not parsed (moot never reads it), which halves the cost of a press.
        board: dict[str, Any] = {
            "chat_id": chat_id,
            "message_id": message_id,
            "text": html,
            "parse_mode": ParseMode.HTML.value,
            "link_preview_options": NO_PREVIEW_JSON,
        }
        if keyboard:
            board["reply_markup"] = keyboard_json(keyboard)
        await call(self.bot.do_api_request("editMessageText", api_kwargs=board))

    async def send_photo(self, chat_id: int, png: bytes, caption: str, keyboard: Keyboard | None = None) -> int:
        m = await call(
            self.bot.send_photo(
                chat_id,
                InputFile(png, filename="chart.png"),
                caption=caption,
                parse_mode=ParseMode.HTML,
                reply_markup=_markup(keyboard),
            )
        )
        return m.message_id

    async def send_document(self, chat_id: int, filename: str, content: bytes, caption: str = "") -> int:
        m = await call(
            self.bot.send_document(
                chat_id, InputFile(content, filename=filename), caption=caption or None, parse_mode=ParseMode.HTML
            )
        )
        return m.message_id

    async def answer_callback(self, callback_id: str, text: str | None = None, alert: bool = False) -> None:
        await call(self.bot.answer_callback_query(callback_id, text=text, show_alert=alert))

    async def download(self, file_id: str) -> bytes:
        f = await call(self.bot.get_file(file_id))
        return bytes(await call(f.download_as_bytearray()))

    async def is_chat_admin(self, chat_id: int, user_id: int) -> bool:
        member = await call(self.bot.get_chat_member(chat_id, user_id))
        return member.status in ADMINS

    async def get_updates(self, offset: int | None, timeout: int) -> list[dict[str, Any]]:
        # The updates' own JSON: the runtime parses each once when it feeds it to the Application.
        params: dict[str, Any] = {"timeout": timeout, "allowed_updates": ALLOWED_UPDATES}
        if offset is not None:
            params["offset"] = offset
        updates = await call(self.bot.do_api_request("getUpdates", api_kwargs=params, read_timeout=timeout + 10))
        return list(updates)

    async def delete_webhook(self) -> None:
        await call(self.bot.delete_webhook())

    async def set_commands(self, menu: Menu, scope: CommandScope, language_code: str = "") -> None:
        commands = [BotCommand(name, text) for name, text in menu]
        await call(self.bot.set_my_commands(commands, scope=_scope(scope), language_code=language_code or None))

    async def delete_commands(self, scope: CommandScope, language_code: str = "") -> None:
        await call(self.bot.delete_my_commands(scope=_scope(scope), language_code=language_code or None))
