"""The update queue behind getUpdates and the webhook: offsets, at-least-once delivery, long-poll wake-ups."""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass
from typing import Any

# What Telegram sends when allowed_updates was never set (or set to []): everything but these.
NOT_BY_DEFAULT = {"chat_member", "message_reaction", "message_reaction_count"}


def update_type(update: dict[str, Any]) -> str:
    return next((key for key in update if key != "update_id"), "")


@dataclass
class _Entry:
    update: dict[str, Any]
    delivered: bool = False  # returned by getUpdates at least once (so a higher offset confirms it)


class UpdateQueue:
    """Updates not yet confirmed, in the order they were queued (a re-queued update is delivered again)."""

    def __init__(self) -> None:
        self._entries: list[_Entry] = []
        self._next_id = 1
        self._wake = asyncio.Event()
        self.allowed_updates: list[str] | None = None  # None = Telegram's default set

    def put(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue ``update``; an update_id is assigned (and written into the caller's dict) if missing."""
        if "update_id" not in update:
            update["update_id"] = self._next_id
        self._next_id = max(self._next_id, int(update["update_id"]) + 1)
        self._entries.append(_Entry(copy.deepcopy(update)))
        self.wake()
        return update

    def wake(self) -> None:
        """Wake every waiter (a new update arrived, or a long poll is being interrupted)."""
        old, self._wake = self._wake, asyncio.Event()
        old.set()

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()

    def set_allowed(self, allowed: list[str] | None) -> None:
        """Telegram keeps the last non-empty setting; an empty list means the default set again."""
        if allowed is not None:
            self.allowed_updates = list(allowed) or None

    def _allowed(self, update: dict[str, Any]) -> bool:
        kind = update_type(update)
        if self.allowed_updates is None:
            return kind not in NOT_BY_DEFAULT
        return kind in self.allowed_updates

    def confirm(self, offset: int | None) -> None:
        """getUpdates offset semantics: delivered updates with update_id < offset are forgotten.

        A negative offset keeps only the last ``-offset`` updates, forgetting all others.
        """
        if offset is None:
            return
        if offset < 0:
            self._entries = self._entries[offset:]
            return
        self._entries = [
            e for e in self._entries if not (e.delivered and int(e.update["update_id"]) < offset)
        ]

    def _drop_unwanted(self) -> None:
        self._entries = [e for e in self._entries if self._allowed(e.update)]

    def has_deliverable(self) -> bool:
        self._drop_unwanted()
        return bool(self._entries)

    def take(self, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` updates for getUpdates (marked delivered, kept until a higher offset)."""
        self._drop_unwanted()
        chosen = self._entries[:limit]
        for entry in chosen:
            entry.delivered = True
        # The queue holds its own copies (put); these go out as JSON, so copying each again on every poll, a
        # 53-button board apiece, only cost the benchmark's stand-in the CPU it shares with the bot.
        return [e.update for e in chosen]

    def first(self) -> dict[str, Any] | None:
        """The oldest deliverable update, for the webhook (removed by :meth:`remove` once accepted)."""
        self._drop_unwanted()
        return self._entries[0].update if self._entries else None

    def deliverable(self) -> list[dict[str, Any]]:
        """Every deliverable update, oldest first (the webhook sends several at once, like Telegram)."""
        self._drop_unwanted()
        return [entry.update for entry in self._entries]

    def remove(self, update: dict[str, Any]) -> None:
        for index, entry in enumerate(self._entries):
            if entry.update is update:
                del self._entries[index]
                return

    async def wait(self, timeout: float) -> bool:
        """Wait until an update may be available or :meth:`wake` is called; False on timeout."""
        event = self._wake
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return False
        return True


CONFLICT_POLL = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)
CLAIM_GRACE = 0.3  # seconds a new poll waits for an older one whose client may be going away


class PollSlot:
    """Who is long-polling: a second live getUpdates gets 409; one whose client went away is replaced."""

    def __init__(self) -> None:
        self.owner: object | None = None  # the aiohttp request currently polling

    @staticmethod
    def _gone(request: object) -> bool:
        transport = getattr(request, "transport", None)
        return transport is None or transport.is_closing()

    async def claim(self, request: object) -> bool:
        """Take the slot; False if another live poll holds it after the grace period."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CLAIM_GRACE
        while self.owner is not None and self.owner is not request:
            if self._gone(self.owner):
                break
            if loop.time() >= deadline:
                return False
            await asyncio.sleep(0.01)
        self.owner = request
        return True

    def holds(self, request: object) -> bool:
        return self.owner is request

    def release(self, request: object) -> None:
        if self.owner is request:
            self.owner = None
