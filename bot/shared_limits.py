"""Telegram's limits counted in PostgreSQL, so several workers together stay within them: 30 messages a second for
the bot, 1 a second and 20 a minute per group, with a 429's pause seen by every worker (issue 19 #8).

The same rule as bot.limits.SendWindow: a send may start only while fewer than `capacity` sends are in flight or
returned within the window, each stamped when its call returned (by the database's clock, which all workers
share); acquirers take turns under an advisory lock. A worker killed mid-call leaves a row without a return
stamp, which stops counting after IN_FLIGHT_LIMIT seconds."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.limits import ChatNotReady, SendWindow
from storage.chatlock import LOCK_SPACE

log = logging.getLogger(__name__)

BUDGET_LOCK = (LOCK_SPACE + 1, 0)  # apart from the per-chat locks, which all use LOCK_SPACE
IN_FLIGHT_LIMIT = 30.0  # seconds after which a send that never returned (its worker died) stops counting
HOLD = 2.0  # a chat ready within this is waited for; beyond it the outbox hands the message back until then
PAUSE_KEY = "send_paused_until"
NOW = "timezone('UTC', clock_timestamp())"  # naive UTC, as the columns hold


class SharedSendWindow(SendWindow):
    """A SendWindow whose sends are rows in `send_log`; with a chat, its windows are checked in the same turn."""

    def __init__(self, engine: AsyncEngine, per_second: float, per_group_per_minute: int = 20):
        super().__init__(per_second)
        self.engine = engine
        self.per_group_per_minute = per_group_per_minute
        self._releases = 0
        self._tasks: set[asyncio.Task[None]] = set()

    async def acquire(self, chat_id: int | None = None, patient: bool = False) -> int:
        if chat_id is not None and chat_id > 0:
            # A resident's chat is counted overall only: no Telegram id of a resident is written here (nothing for
            # /erase to chase), their updates are one at a time across workers already (storage.chatlock), and
            # the outbox sends them one message at a time. Groups, whose 20 a minute several workers share, are.
            chat_id = None
        while True:
            ticket, wait, for_chat = await self._try(chat_id)
            if ticket is not None:
                return ticket
            if for_chat and wait > HOLD and not patient:
                raise ChatNotReady(wait)
            await asyncio.sleep(max(0.005, wait))

    async def _try(self, chat_id: int | None) -> tuple[int | None, float, bool]:
        """(ticket, 0, _) if a send may start now; else (None, seconds to wait, whether the chat is the reason)."""
        async with self.engine.begin() as conn:
            await conn.execute(text("SELECT pg_advisory_xact_lock(:space, :key)"),
                               {"space": BUDGET_LOCK[0], "key": BUDGET_LOCK[1]})
            now: datetime = (await conn.execute(text(f"SELECT {NOW}"))).scalar_one()
            paused = (await conn.execute(text("SELECT value FROM bot_settings WHERE key = :k"),
                                         {"k": PAUSE_KEY})).scalar_one_or_none()
            if paused is not None:
                until = datetime.fromisoformat(paused)
                if until > now:
                    return None, (until - now).total_seconds(), False
            stale = now - timedelta(seconds=IN_FLIGHT_LIMIT)
            recent = now - timedelta(seconds=self.window)
            busy = list((await conn.execute(text(
                "SELECT returned_at FROM send_log WHERE started_at > :stale "
                "AND (returned_at IS NULL OR returned_at > :recent)"), {"stale": stale, "recent": recent})).scalars())
            if len(busy) >= self.capacity:
                returned = [t for t in busy if t is not None]
                wait = (min(returned) + timedelta(seconds=self.window) - now).total_seconds() if returned else 0.02
                return None, wait, False
            if chat_id is not None:
                wait = await self._chat_wait(conn, chat_id, now, stale)
                if wait > 0:
                    return None, wait, True
            ticket = (await conn.execute(text(
                f"INSERT INTO send_log (chat_id, started_at) VALUES (:chat, {NOW}) RETURNING id"),
                {"chat": chat_id})).scalar_one()
            return int(ticket), 0.0, False

    async def _chat_wait(self, conn: AsyncConnection, chat_id: int, now: datetime, stale: datetime) -> float:
        """Seconds until this chat may be sent to: 1 a second in any chat, `per_group_per_minute` in a group."""
        rows = list((await conn.execute(text(
            "SELECT returned_at FROM send_log WHERE chat_id = :chat AND started_at > :since "
            "AND (returned_at IS NULL OR returned_at > :minute) ORDER BY returned_at DESC NULLS FIRST"),
            {"chat": chat_id, "since": min(stale, now - timedelta(seconds=90)),
             "minute": now - timedelta(seconds=60)})).scalars())
        if any(t is None for t in rows):
            return 0.05  # a send to this chat is in flight (another worker's): one at a time
        wait = 0.0
        if rows and rows[0] > now - timedelta(seconds=1):
            wait = (rows[0] + timedelta(seconds=1) - now).total_seconds()
        if chat_id < 0 and len(rows) >= self.per_group_per_minute:
            wait = max(wait, (rows[self.per_group_per_minute - 1] + timedelta(seconds=60) - now).total_seconds())
        return wait

    async def release(self, sent: bool = True, ticket: int = 0) -> None:
        async with self.engine.begin() as conn:
            if sent:
                await conn.execute(text(f"UPDATE send_log SET returned_at = {NOW} WHERE id = :id"), {"id": ticket})
            else:
                await conn.execute(text("DELETE FROM send_log WHERE id = :id"), {"id": ticket})
            self._releases += 1
            if self._releases % 200 == 0:  # rows older than every window are of no more use
                await conn.execute(text(f"DELETE FROM send_log WHERE started_at < {NOW} - interval '5 minutes'"))

    def pause(self, seconds: float) -> None:
        """A 429: every worker waits (the database keeps the latest end of a pause), this one at once."""
        super().pause(seconds)
        task = asyncio.get_running_loop().create_task(self._pause(seconds))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _pause(self, seconds: float) -> None:
        try:
            async with self.engine.begin() as conn:
                until = (await conn.execute(text(f"SELECT {NOW} + make_interval(secs => :s)"),
                                            {"s": seconds})).scalar_one()
                await conn.execute(text(
                    "INSERT INTO bot_settings (key, value, updated_at) VALUES (:k, :v, :at) ON CONFLICT (key) "
                    "DO UPDATE SET value = GREATEST(bot_settings.value, EXCLUDED.value), "
                    "updated_at = EXCLUDED.updated_at"),
                    {"k": PAUSE_KEY, "v": until.isoformat(timespec="microseconds"), "at": until})
        except Exception:  # this worker pauses all the same; the others learn from their own 429
            log.warning("could not share a flood-control pause through the database", exc_info=True)
