"""Real framework clients pointed at a BotAPI stand-in: an aiogram Bot and a python-telegram-bot builder."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiogram import Bot
    from telegram.ext import ApplicationBuilder

    from .server import BotAPI


def aiogram_bot(api: BotAPI, **kwargs: Any) -> Bot:
    """``aiogram.Bot`` talking to the stand-in (close it, or let the dispatcher close its session)."""
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    session = AiohttpSession(api=TelegramAPIServer.from_base(api.base_url))
    return Bot(api.token, session=session, **kwargs)


def ptb_builder(api: BotAPI) -> ApplicationBuilder:
    """``telegram.ext.ApplicationBuilder`` with token and URLs of the stand-in; add what you need, build()."""
    from telegram.ext import ApplicationBuilder

    return (
        ApplicationBuilder()
        .token(api.token)
        .base_url(f"{api.base_url}/bot")
        .base_file_url(f"{api.base_url}/file/bot")
    )
