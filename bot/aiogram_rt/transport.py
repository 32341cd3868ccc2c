"""Bot API calls through aiogram, with aiogram's errors mapped to moot's."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    BotCommandScopeUnion,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
)

from bot.aiogram_rt.methods import AnswerPress, EditBoard, RawUpdates
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


def _markup(kb: Keyboard | None) -> InlineKeyboardMarkup | None:
    if not kb:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=b.text, callback_data=b.callback_data, url=b.url) for b in row] for row in kb
        ]
    )


def _scope(scope: CommandScope) -> BotCommandScopeUnion:
    if scope.chat_id is not None:
        return BotCommandScopeChat(chat_id=scope.chat_id)
    return BotCommandScopeAllPrivateChats() if scope.kind == "all_private_chats" else BotCommandScopeDefault()


async def call(coro: Awaitable[T]) -> T:
    try:
        return await coro
    except TelegramRetryAfter as e:
        raise RetryLater(e.retry_after) from e
    except TelegramMigrateToChat as e:
        raise Migrated(e.migrate_to_chat_id) from e
    except TelegramForbiddenError as e:
        raise Blocked(e.message) from e
    except TelegramUnauthorizedError as e:
        raise BadToken(e.message) from e
    except (TelegramBadRequest, TelegramNotFound) as e:
        raise Rejected(e.message) from e
    except (TelegramNetworkError, TelegramServerError) as e:
        raise Unreachable(str(e)) from e


class AiogramTransport:
    def __init__(self, bot: Bot):
        self.bot = bot

    async def send_text(self, chat_id: int, html: str, keyboard: Keyboard | None = None) -> int:
        m = await call(
            self.bot.send_message(
                chat_id, html, parse_mode="HTML", reply_markup=_markup(keyboard), link_preview_options=NO_PREVIEW
            )
        )
        return m.message_id

    async def edit_text(self, chat_id: int, message_id: int, html: str, keyboard: Keyboard | None = None) -> None:
        board = EditBoard(chat_id=chat_id, message_id=message_id, text=html, reply_markup=keyboard_json(keyboard))
        await call(self.bot(board))

    async def clear_keyboard(self, chat_id: int, message_id: int) -> None:
        await call(self.bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id, reply_markup=None))

    async def send_photo(self, chat_id: int, png: bytes, caption: str, keyboard: Keyboard | None = None) -> int:
        m = await call(
            self.bot.send_photo(
                chat_id,
                BufferedInputFile(png, "chart.png"),
                caption=caption,
                parse_mode="HTML",
                reply_markup=_markup(keyboard),
            )
        )
        return m.message_id

    async def send_document(self, chat_id: int, filename: str, content: bytes, caption: str = "") -> int:
        m = await call(
            self.bot.send_document(
                chat_id, BufferedInputFile(content, filename), caption=caption or None, parse_mode="HTML"
            )
        )
        return m.message_id

    async def answer_callback(self, callback_id: str, text: str | None = None, alert: bool = False) -> None:
        await call(self.bot(AnswerPress(callback_query_id=callback_id, text=text, show_alert=alert)))

    async def download(self, file_id: str) -> bytes:
        f = await call(self.bot.get_file(file_id))
        assert f.file_path is not None
        buf = await call(self.bot.download_file(f.file_path))
        assert buf is not None
        return buf.read()

    async def is_chat_admin(self, chat_id: int, user_id: int) -> bool:
        member = await call(self.bot.get_chat_member(chat_id, user_id))
        return member.status in {"creator", "administrator"}

    async def get_updates(self, offset: int | None, timeout: int) -> list[dict[str, Any]]:
        # The HTTP timeout must outlast the long poll, as aiogram's own polling loop arranges.
        method = RawUpdates(offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES)
        return await call(self.bot(method, request_timeout=int(self.bot.session.timeout + timeout)))

    async def delete_webhook(self) -> None:
        await call(self.bot.delete_webhook())

    async def set_commands(self, menu: Menu, scope: CommandScope, language_code: str = "") -> None:
        commands = [BotCommand(command=name, description=text) for name, text in menu]
        await call(self.bot.set_my_commands(commands, scope=_scope(scope), language_code=language_code or None))

    async def delete_commands(self, scope: CommandScope, language_code: str = "") -> None:
        await call(self.bot.delete_my_commands(scope=_scope(scope), language_code=language_code or None))
