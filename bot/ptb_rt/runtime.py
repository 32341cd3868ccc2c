"""Runs the core on python-telegram-bot: long polling or a webhook, every update handed over as one Incoming."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.ext import Application, ApplicationBuilder

from bot.core import Core
from bot.incoming import from_update
from bot.ptb_rt.transport import PTBTransport, call
from bot.transport import ALLOWED_UPDATES

log = logging.getLogger(__name__)


def make_application(token: str, api_base: str) -> Application[Any, Any, Any, Any, Any, Any]:
    base = api_base.rstrip("/")
    return (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        # for a bot whose Application routes updates (the benchmark's bare bot); moot's updates go to its core
        .concurrent_updates(True)
        .job_queue(None)  # moot has its own scheduler
        .build()
    )


class PTBRuntime:
    name = "ptb"

    def __init__(self, core: Core, token: str, api_base: str):
        self.app = make_application(token, api_base)
        self.transport = PTBTransport(self.app.bot)
        self.core = core
        self._init_lock = asyncio.Lock()

    async def _initialize(self) -> None:
        async with self._init_lock:  # Application.initialize is not safe to run twice at once
            await self.app.initialize()

    async def username(self) -> str:
        await call(self._initialize())
        return self.app.bot.username or ""

    async def register_webhook(self, url: str, secret: str) -> None:
        await self._initialize()
        await self.app.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    async def feed(self, data: dict[str, Any]) -> None:
        """Handles one update, polled or from the webhook: its own JSON goes to the core as it came. PTB's
        Application would first build its Update objects (every button of a 50-button board), which the core never
        reads; PTB is moot's Bot API client here, not its router."""
        await self._initialize()
        await self.core.handle(from_update(data), self.transport)

    async def close(self) -> None:
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()
