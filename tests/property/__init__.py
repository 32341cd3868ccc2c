"""Hostile-input property tests (issue 7), and what they share.

The bot is driven the fast way: an update dict, made by the Bot API stand-in's own user actions (so it is
shaped as Telegram shapes it) or written out by hand, goes straight to ``Core.handle(from_update(...))``
with the runtime's real transport, which answers through the stand-in over HTTP. What a resident holds is
read from the database as one canonical string, so "nothing changed" can be checked byte for byte.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import shutil
import tempfile
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.content import Render
from bot.core import BUSY, SORRY
from bot.i18n import translations
from bot.incoming import from_update
from dialogues.text import Inline
from storage.models import AnswerRow, AuditRow, ConsentRow, ParticipationRow, ResidentRow, RoundRow
from tests.harness import Harness


def said(x: Inline) -> str:
    """A message of the bot's as an English reader sees it, as plain text (a toast, the start of a reply)."""
    return Render(translations("en"), html=False).text(x)


# What would give away a crash if it ever reached a chat.
LEAKS = ("Traceback", "Error:", "Exception", 'File "')
# The core's apologies: sent only when a handler raised (or the database failed), so a bug for these tests.
APOLOGIES = (said(SORRY)[:40], said(BUSY)[:40])
# 400s the bot provokes knowingly and recovers from: a forged press names a message the bot cannot edit
# (never sent, or the resident's own), or a repeated press would redraw a message exactly as it is.
# The renderer catches these and sends anew or leaves the message alone; Telegram answers the same way.
# A press delivered twice is answered again only to stop a spinner, and Telegram says the query is too old.
EXPECTED_400 = (
    "message is not modified",
    "message to edit not found",
    "message can't be edited",
    "query is too old",
)


@contextlib.contextmanager
def without_fsync(database_url: str) -> Iterator[str]:
    """The same SQLite database on a RAM disk where there is one: these tests are about hostile input, not
    durability, and a disk's fsync per commit would be most of their time. PostgreSQL URLs pass through."""
    shm = Path("/dev/shm")
    if not database_url.startswith("sqlite") or not shm.is_dir():
        yield database_url
        return
    folder = tempfile.mkdtemp(prefix="moot-property-", dir=shm)
    try:
        yield f"sqlite+aiosqlite:///{folder}/moot.db"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def draw_each_chart_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Charts are pure functions of their data; drawing the same one again only costs matplotlib time."""
    import bot.render

    monkeypatch.setattr(bot.render, "bar_chart", functools.lru_cache(maxsize=64)(bot.render.bar_chart))


def run_on(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any], timeout: float = 60) -> Any:
    """Runs a coroutine on the test's event loop from hypothesis's thread, and waits for it."""
    return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)


class Direct:
    """Feeds updates straight to the core, with the runtime's real transport; no polling."""

    def __init__(self, harness: Harness):
        self.h = harness
        self.api = harness.api
        self._next_raw = 50_000_000  # hand-written updates; far above the stand-in's own update ids

    async def feed(self, update: dict[str, Any]) -> None:
        app = self.h.app
        assert app is not None and app.runtime is not None
        await app.core.handle(from_update(update), app.runtime.transport)

    def raw_id(self) -> int:
        self._next_raw += 1
        return self._next_raw

    async def drain(self, together: bool = False) -> list[dict[str, Any]]:
        """Hands every update the stand-in has queued to the core: one after another, or all at once."""
        updates = self.api.queue.take(10_000)
        self.api.queue.clear()
        if together:
            await asyncio.gather(*(self.feed(u) for u in updates))
        else:
            for u in updates:
                await self.feed(u)
        return updates

    async def say(self, user_id: int, text: str) -> None:
        self.api.send_text(user_id, text)
        await self.drain()

    async def tap(self, user_id: int, label: str) -> None:
        self.api.press_button(user_id, label)
        await self.drain()

    def start_polling(self) -> None:
        """From now on the bot polls the stand-in like a deployed bot (updates fed directly are forgotten)."""
        from bot.polling import Poller

        assert self.h.app is not None and self.h.app.runtime is not None
        self.api.queue.clear()
        self.h._poller = Poller(self.h.app.runtime, timeout=1)
        self.h._polling = asyncio.create_task(self.h._poller.run())


async def quiet_harness(api: Any, runtime_name: str, database_url: str) -> Harness:
    """A running bot on the chosen framework, but not polling: the tests feed it directly."""
    from bot.bootstrap import build

    h = Harness(api, runtime_name, database_url)
    h.app = await build(h.config())
    for part in h.app.background:
        await part.start()
    return h


async def agree_and_answer(d: Direct, user_id: int) -> None:
    """A resident agrees, shares today's split, explains why and rates satisfaction: saved answers to protect."""
    d.api.user(user_id, first_name="Amina")
    await d.say(user_id, "/start council-pound")
    await d.tap(user_id, "I agree, start")
    await d.tap(user_id, "Next: share")
    await d.tap(user_id, "Start from today")
    await d.tap(user_id, "Submit")
    await d.say(user_id, "Care for older people matters most to me.")
    await d.tap(user_id, "4")


def _rows(rows: Any, *skip: str) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        out.append({c: getattr(row, c) for c in row.__table__.columns.keys() if c not in skip})  # noqa: SIM118
    return out


async def resident_record(harness: Harness, telegram_id: int) -> str:
    """Everything held about one resident (consents, participations with progress, answers) as one string."""
    async with harness.deps.sessions() as s:
        resident = await s.scalar(select(ResidentRow).where(ResidentRow.telegram_id == telegram_id))
        if resident is None:
            return "nothing"
        parts = list(await s.scalars(select(ParticipationRow).where(ParticipationRow.resident_id == resident.id)))
        answers = list(
            await s.scalars(
                select(AnswerRow)
                .where(AnswerRow.participation_id.in_([p.id for p in parts]))
                .order_by(AnswerRow.id)
            )
        )
        consents = list(await s.scalars(select(ConsentRow).where(ConsentRow.resident_id == resident.id)))
        record = {
            "resident": _rows([resident]),
            "consents": _rows(consents),
            "participations": _rows(sorted(parts, key=lambda p: p.id)),
            "answers": _rows(answers),
        }
    return json.dumps(record, sort_keys=True, default=str, ensure_ascii=False)


async def round_states(harness: Harness) -> list[tuple[int, str, Any, Any]]:
    async with harness.deps.sessions() as s:
        rows = await s.scalars(select(RoundRow).order_by(RoundRow.id))
        return [(r.number, r.status, r.opens_at, r.closes_at) for r in rows]


async def refusals(harness: Harness, actor: int) -> list[tuple[str, str]]:
    """The audit log's refused actions by one person: (action, target)."""
    async with harness.deps.sessions() as s:
        rows = await s.scalars(
            select(AuditRow).where(AuditRow.actor == actor, AuditRow.allowed.is_(False)).order_by(AuditRow.id)
        )
        return [(r.action, r.target) for r in rows]


def everything_shown(api: Any) -> list[str]:
    """Every text the bot put in front of anyone: messages (as edited, and their past versions), captions,
    file names, toasts and alerts."""
    texts: list[str] = []
    for m in api.all_sent():
        texts += [m.text or "", m.html or "", m.filename or "", *m.history]
        texts += [b.text for row in m.buttons for b in row]
    for chat_id in {*api.users, *api.groups}:
        texts += [str(a.get("text") or "") for a in api.chat(chat_id).callback_answers]
    return texts


def leaked(texts: list[str]) -> list[str]:
    return [t for t in texts if any(mark in t for mark in (*LEAKS, *APOLOGIES))]


class ErrorWatch:
    """The stand-in's error answers since the last mark, with their descriptions."""

    def __init__(self, api: Any):
        self.api = api
        self.mark()

    def mark(self) -> None:
        self._seen = sum(self.api.stats.errors.values())

    def new(self) -> list[str]:
        total = sum(self.api.stats.errors.values())
        count, self._seen = total - self._seen, total
        assert count <= self.api.errors.maxlen, f"{count} error answers at once: too many to tell apart"
        return list(self.api.errors)[-count:] if count else []

    def unexpected(self, allowed: tuple[str, ...] = EXPECTED_400) -> list[str]:
        return [e for e in self.new() if not any(a in e for a in allowed)]
