"""Runs the core on aiogram: long polling or a webhook, every update handed over as one Incoming."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.client.telegram import TelegramAPIServer

from bot.aiogram_rt.methods import MootSession
from bot.aiogram_rt.transport import AiogramTransport, call
from bot.core import Core
from bot.incoming import from_update
from bot.transport import ALLOWED_UPDATES

log = logging.getLogger(__name__)


def make_bot(token: str, api_base: str) -> Bot:
    session = MootSession(api=TelegramAPIServer.from_base(api_base.rstrip("/")))
    return Bot(token, session=session)


class AiogramRuntime:
    name = "aiogram"

    def __init__(self, core: Core, token: str, api_base: str):
        self.bot = make_bot(token, api_base)
        self.transport = AiogramTransport(self.bot)
        self.core = core

    async def username(self) -> str:
        me = await call(self.bot.get_me())
        return me.username or ""

    async def register_webhook(self, url: str, secret: str) -> None:
        await self.bot.set_webhook(
            url, secret_token=secret, allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False
        )

    async def feed(self, data: dict[str, Any]) -> None:
        """Handles one update, polled or from the webhook: its own JSON goes to the core as it came. aiogram's
        Dispatcher would first build its whole Update model (every button of a 50-button board), which the core
        never reads; aiogram is moot's Bot API client here, not its router."""
        await self.core.handle(from_update(data), self.transport)

    async def close(self) -> None:
        await self.bot.session.close()
