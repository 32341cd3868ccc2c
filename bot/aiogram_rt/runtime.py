"""Runs the core on aiogram: long polling or a webhook, every update handed over as one Incoming."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Update

from bot.aiogram_rt.transport import AiogramTransport, call
from bot.core import Core
from bot.incoming import from_update
from bot.transport import ALLOWED_UPDATES

log = logging.getLogger(__name__)


def make_bot(token: str, api_base: str) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_base.rstrip("/")))
    return Bot(token, session=session)


def make_dispatcher(core: Core, transport: AiogramTransport) -> Dispatcher:
    dp = Dispatcher()

    async def on_event(_event: Any, event_update: Update, raw: dict[str, Any] | None = None, **_: Any) -> None:
        # The update's own JSON when we fed it (no second conversion); a dump of aiogram's model otherwise.
        data = raw if raw is not None else event_update.model_dump(mode="json", by_alias=True, exclude_none=True)
        await core.handle(from_update(data), transport)

    for name in ALLOWED_UPDATES:
        dp.observers[name].register(on_event)
    return dp


class AiogramRuntime:
    name = "aiogram"

    def __init__(self, core: Core, token: str, api_base: str):
        self.bot = make_bot(token, api_base)
        self.transport = AiogramTransport(self.bot)
        self.dp = make_dispatcher(core, self.transport)

    async def username(self) -> str:
        me = await call(self.bot.get_me())
        return me.username or ""

    async def register_webhook(self, url: str, secret: str) -> None:
        await self.bot.set_webhook(
            url, secret_token=secret, allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False
        )

    async def feed(self, data: dict[str, Any]) -> None:
        """Handles one update that arrived by webhook."""
        await self.dp.feed_raw_update(self.bot, data, raw=data)

    async def close(self) -> None:
        await self.bot.session.close()
