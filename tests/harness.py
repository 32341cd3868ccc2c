"""Runs a real moot bot (real aiogram or python-telegram-bot) against the Bot API stand-in, for scenario tests."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.bootstrap import App, build
from bot.config import Config
from bot.polling import Poller
from bot.services import rounds
from dialogues.loader import parse_consultation

if TYPE_CHECKING:
    from tests.botapi import BotAPI

EXAMPLE = Path(__file__).parent.parent / "examples" / "council-pound.yaml"
# Ten digits, like real Telegram ids: a short id could turn up by chance inside a number in an export.
ADMIN, FACILITATOR, OFFICER = 7_104_229_001, 7_104_229_002, 7_104_229_003


class Harness:
    def __init__(self, api: BotAPI, runtime: str, database_url: str, **overrides: Any):
        self.api = api
        self.runtime = runtime
        self.database_url = database_url
        self.overrides = overrides
        self.app: App | None = None
        self._polling: asyncio.Task[None] | None = None
        self._poller: Poller | None = None
        for staff in (ADMIN, FACILITATOR, OFFICER):  # staff have opened a chat with the bot: their menus are set
            if staff not in api.users:
                api.user(staff, first_name="Staff")

    def config(self) -> Config:
        data: dict[str, Any] = {
            "telegram": {
                "token": self.api.token,
                "api_base": self.api.base_url,
                "runtime": self.runtime,
                "poll_timeout": 1,
            },
            "database": {"url": self.database_url},
            "roles": {"admins": [ADMIN], "facilitators": [FACILITATOR], "officers": [OFFICER]},
            "privacy": {"pseudonym_key": "test-pseudonym-key"},
            "results": {"min_respondents": 2},
        }
        for section, values in self.overrides.items():
            if isinstance(values, dict):
                data.setdefault(section, {}).update(values)
            else:
                data[section] = values  # a top-level key, such as language
        return Config.model_validate(data)

    async def start(self) -> None:
        self.app = await build(self.config())
        assert self.app.runtime is not None
        for part in self.app.background:
            await part.start()
        self._poller = Poller(self.app.runtime, timeout=1)
        self._polling = asyncio.create_task(self._poller.run())

    async def stop(self) -> None:
        if self.app is None:
            return
        assert self.app.runtime is not None
        if self._poller is not None:
            await self._poller.stop()
        if self._polling is not None:
            await asyncio.gather(self._polling, return_exceptions=True)
        await self.app.close()
        self.app = None

    async def drain_outbox(self, timeout: float = 30) -> None:
        """Waits until the outbox holds no message pending or being sent; TimeoutError after `timeout` s."""
        assert self.app is not None
        await self.app.scheduler.idle()  # a close's results are counted in a job of their own before they queue
        self.app.outbox.notify()
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            async with self.deps.uow() as uow:
                left = await uow.outbox.pending_count()
            if left == 0:
                return
            if asyncio.get_running_loop().time() >= deadline:
                raise TimeoutError(f"the outbox still holds {left} unsent messages after {timeout} s")
            await asyncio.sleep(0.05)

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    @property
    def deps(self) -> Any:
        assert self.app is not None
        return self.app.deps

    async def load(self, path: Path = EXAMPLE) -> str:
        spec = parse_consultation(path.read_bytes())
        async with self.deps.uow() as uow:
            await uow.consultations.store(spec, loaded_by=None)
            await uow.commit()
        return spec.code

    async def open(self, code: str = "council-pound", number: int | None = None) -> None:
        await rounds.open_round(self.deps, code, number)

    async def close(self, code: str = "council-pound", number: int | None = None) -> None:
        change = await rounds.close_round(self.deps, code, number)
        if change.publishing is not None:
            await change.publishing

    async def answers_of(self, telegram_id: int) -> dict[str, Any]:
        async with self.deps.uow() as uow:
            part = await uow.residents.current_of(telegram_id)
            return await uow.residents.answers(part.id) if part else {}
