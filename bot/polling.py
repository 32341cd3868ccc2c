"""Long polling shared by both runtimes: a batch is confirmed to Telegram only after every update in it is handled."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from bot.transport import TelegramFailure

if TYPE_CHECKING:
    from bot.bootstrap import Runtime

log = logging.getLogger(__name__)


class Poller:
    """getUpdates in a loop; the updates of one batch are handled concurrently, then the offset moves on.

    Frameworks' own polling loops confirm a batch as soon as it is fetched, so a crash loses updates still being
    handled. Here the next offset is asked for only once the batch is done: after a crash Telegram delivers the
    unfinished updates again, and the update-id ledger makes sure none is applied twice.

    Making a Poller tells the runtime's core that this process is the one consumer of the bot's updates.
    """

    def __init__(self, runtime: Runtime, timeout: int):
        self.runtime = runtime
        self.timeout = timeout
        runtime.core.shared_chats = False  # this process is the one consuming updates (Core says why)
        self._stop = asyncio.Event()
        self._fetch: asyncio.Task[list[dict[str, object]]] | None = None

    async def run(self) -> None:
        transport = self.runtime.transport
        await transport.delete_webhook()
        offset: int | None = None
        failures = 0
        # no clearing of _stop here: a stop() that came while the webhook was being deleted must still hold
        while not self._stop.is_set():
            self._fetch = asyncio.create_task(transport.get_updates(offset, self.timeout))
            try:
                updates = await self._fetch
                failures = 0
            except asyncio.CancelledError:
                if self._stop.is_set():
                    break
                raise
            except TelegramFailure as e:
                failures += 1
                delay = min(30.0, 0.5 * 2**failures)
                log.warning("could not fetch updates (%s); trying again in %.1f s", e, delay)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), delay)
                continue
            if not updates:
                continue
            # Chats side by side, each chat's updates one after another in Telegram's order: two quick taps on
            # one board reach the resident's lock in the order they were made (handled side by side, the second
            # could win the lock and be refused as a press on an old screen, and the first be lost).
            await asyncio.gather(*(self._feed_in_order(chat) for chat in by_chat(updates).values()))
            offset = max(int(str(u["update_id"])) for u in updates) + 1

    async def _feed_in_order(self, updates: list[dict[str, object]]) -> None:
        for update in updates:
            try:
                await self.runtime.feed(update)
            except Exception as e:  # the framework could not even parse it
                log.error("update %s could not be handled: %r", update.get("update_id"), e)

    async def stop(self) -> None:
        self._stop.set()
        if self._fetch is not None and not self._fetch.done():
            self._fetch.cancel()


def chat_of(update: dict[str, object]) -> object:
    """The chat an update belongs to (a press: its message's chat; else the sender), or its own id if none."""
    for kind in ("message", "edited_message", "callback_query", "my_chat_member", "chat_member", "channel_post"):
        body = update.get(kind)
        if isinstance(body, dict):
            message = body.get("message") if kind == "callback_query" else body
            chat = message.get("chat") if isinstance(message, dict) else None
            if isinstance(chat, dict) and "id" in chat:
                return chat["id"]
            sender = body.get("from")
            if isinstance(sender, dict) and "id" in sender:
                return sender["id"]
    return ("update", update.get("update_id"))


def by_chat(updates: list[dict[str, object]]) -> dict[object, list[dict[str, object]]]:
    """A batch's updates per chat, each chat's in the order Telegram numbered them."""
    out: dict[object, list[dict[str, object]]] = {}
    for u in sorted(updates, key=lambda u: int(str(u.get("update_id", 0)))):
        out.setdefault(chat_of(u), []).append(u)
    return out
