"""What every use case shares: the reply it returns, the wiring it needs, times in the council's zone."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Config
from bot.links import deep_link
from dialogues.schema import Consultation
from dialogues.screens import Screen
from dialogues.text import Block, Inline, When
from storage.idempotency import UpdateScope
from storage.uow import UnitOfWork


@dataclass
class Reply:
    """Screens to show in the chat, and how to answer the button press that caused them."""

    screens: list[Screen] = field(default_factory=list)
    seq: int = 0
    anchor: int | None = None  # the message that `edit` screens replace
    participation_id: int | None = None  # whose anchor to remember once a new message with buttons is sent
    toast: Inline | None = None
    alert: bool = False
    supersedes: int | None = None  # an older message whose buttons go once a new one with buttons is sent
    language: str | None = None  # the reader's language, where the use case knows it (else the core looks it up)
    languages: list[str] = field(default_factory=list)  # else shown once in each of these (a group's languages)

    @classmethod
    def say(cls, text: Block | Inline | Sequence[Block]) -> Reply:
        return cls([Screen(text)])


class Refused(Exception):
    """A use case that will not do what was asked, and says why to the person (`message`, a catalogue message);
    the core answers with it, whichever command or button asked. Its text is the English, for logs and the CLI."""

    def __init__(self, message: Inline):
        from bot.content import Render
        from bot.i18n import translations

        super().__init__(Render(translations(), html=False).text(message))
        self.message = message


class UnknownBot(RuntimeError):
    """No deep link can be written: the bot's username is not known here (it never started against this database,
    and the config does not say it). A link must never name some other bot."""

    def __init__(self) -> None:
        super().__init__(
            "moot does not know this bot's Telegram username yet, so it cannot write links to it. Start the bot once "
            "with `moot run` (it asks Telegram and keeps the answer in the database), or set telegram.bot_username "
            "in the config."
        )


@dataclass
class Deps:
    config: Config
    sessions: async_sessionmaker[AsyncSession]
    engine: AsyncEngine
    bot_username: str = ""  # from getMe when the bot runs; on the command line, as the bot stored it (or the config)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    _specs: dict[int, Consultation] = field(default_factory=dict)
    # Background parts listen here: "outbox" (something was enqueued), "schedule" (jobs changed).
    hooks: dict[str, list[Callable[..., Any]]] = field(default_factory=dict)
    transport: Any = None  # the runtime's Transport, once the runtime exists (features call Telegram through it)
    # On SQLite, writers take turns (UnitOfWork.writing); PostgreSQL's writers need none.
    _write_turns: asyncio.Lock | None = None

    def __post_init__(self) -> None:
        if self.engine.dialect.name == "sqlite":
            self._write_turns = asyncio.Lock()

    def uow(self, scope: UpdateScope | None = None) -> UnitOfWork:
        """A unit of work; given the update being handled, its first commit records the update id too."""
        return UnitOfWork(self.sessions, scope, self._write_turns)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.config.timezone)

    def local(self, when: datetime | None) -> str | None:
        """A time as the council says it, 'Friday 5 December 2026, 17:00', in its time zone; shown in the reader's
        language ('5 Rhagfyr 2026 (dydd Gwener), 17:00') wherever it is rendered (a When)."""
        if when is None:
            return None
        return When(when.astimezone(self.tz))

    def deep_link(self, code: str | None = None) -> str:
        """A link into this bot's private chat; UnknownBot rather than a link to a bot that is not this one."""
        if not self.bot_username:
            raise UnknownBot()
        return deep_link(self.bot_username, code)

    async def spec(self, uow: UnitOfWork, version_id: int) -> Consultation:
        """A stored file version, parsed once per process: versions never change."""
        if version_id not in self._specs:
            spec = await uow.consultations.version(version_id)
            if spec is None:
                raise LookupError(version_id)
            self._specs[version_id] = spec
        return self._specs[version_id]
