"""The one wiring point: builds the engine, services, core and the chosen runtime from a Config."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.actions import ActionCodec, derive_key
from bot.config import Config
from bot.core import Core
from bot.features import install
from bot.menus import install as install_menus
from bot.services.common import Deps
from bot.services.resident import ResidentService
from bot.transport import Transport
from storage.engine import make_engine, make_sessions
from storage.migrate import upgrade_async
from storage.repositories.ledger import BOT_USERNAME

log = logging.getLogger(__name__)


class Runtime(Protocol):
    name: str
    core: Core

    @property
    def transport(self) -> Transport: ...

    async def username(self) -> str: ...
    async def feed(self, data: dict[str, Any]) -> None: ...
    async def register_webhook(self, url: str, secret: str) -> None: ...
    async def close(self) -> None: ...


@dataclass
class App:
    config: Config
    engine: AsyncEngine
    deps: Deps
    core: Core
    runtime: Runtime | None = None
    background: list[Any] = field(default_factory=list)  # scheduler, outbox sender: started with the bot
    outbox: Any = None  # the OutboxSender (bot.outbox)
    scheduler: Any = None

    async def close(self) -> None:
        for part in reversed(self.background):
            await part.stop()
        if self.runtime is not None:
            await self.runtime.close()
        await self.engine.dispose()


def button_key(config: Config) -> bytes:
    secret = config.privacy.button_key.get_secret_value() or config.telegram.token.get_secret_value()
    return derive_key(secret or "moot-no-token", "buttons")


async def build(config: Config, migrate: bool = True, with_runtime: bool = True) -> App:
    """Assembles the bot. Migrations run first so a fresh SQLite file just works."""
    if migrate:
        await upgrade_async(config.database.url)
    engine = make_engine(config.database.url, connections=config.database.connections)
    deps = Deps(config=config, sessions=make_sessions(engine), engine=engine)
    resident = ResidentService(deps)
    core = Core(deps, ActionCodec(button_key(config)), resident)
    if config.outbox.shared_budget and engine.dialect.name == "postgresql":  # several workers: one budget for all
        from bot.shared_limits import SharedSendWindow

        core.renderer.budget = SharedSendWindow(engine, config.outbox.per_second, config.outbox.per_group_per_minute)
    app = App(config, engine, deps, core)
    install(app)
    menus = install_menus(app)
    if with_runtime:
        app.runtime = make_runtime(config, core)
        deps.transport = app.runtime.transport
        try:
            deps.bot_username = await learn_username(deps, app.runtime)
            await menus.publish(app.runtime.transport)
        except BaseException:  # Telegram unreachable or the token refused: leave no session or pool open
            await app.close()
            raise
    else:
        try:
            deps.bot_username = await stored_username(deps)
        except BaseException:
            await app.close()
            raise
    return app


async def learn_username(deps: Deps, runtime: Runtime) -> str:
    """Asks Telegram who the bot is (getMe) and keeps the answer for the command line, whose links must name this
    bot and no other."""
    username = await runtime.username()
    configured = deps.config.telegram.bot_username.lstrip("@")
    if not username:
        return configured
    if configured and configured.lower() != username.lower():
        log.warning("telegram.bot_username says @%s but Telegram says this bot is @%s; links will name @%s",
                    configured, username, username)
    async with deps.uow() as uow:
        if await uow.ledger.setting(BOT_USERNAME) != username:
            await uow.ledger.remember(BOT_USERNAME, username)
            await uow.commit()
    return username


async def stored_username(deps: Deps) -> str:
    """The username the bot stored when it last started against this database, else the config's (or "")."""
    async with deps.uow() as uow:
        stored = await uow.ledger.setting(BOT_USERNAME)
    return stored or deps.config.telegram.bot_username.lstrip("@")


def make_runtime(config: Config, core: Core) -> Runtime:
    token = config.telegram.token.get_secret_value()
    if config.telegram.runtime == "ptb":
        from bot.ptb_rt.runtime import PTBRuntime

        return PTBRuntime(core, token, config.telegram.api_base)
    from bot.aiogram_rt.runtime import AiogramRuntime

    return AiogramRuntime(core, token, config.telegram.api_base)
