"""Telegram's sending limits, shared by replies and the outbox: an overall sliding window and one per chat."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

Clock = Callable[[], float]
# Editing the board a resident just pressed, in their own chat, is not a new message: Telegram's documented 30 a
# second is for sending messages, and it documents no limit for edits. Edits in private chats have a window of
# their own (`outbox.edits_per_second`), so a press's redraw does not queue behind new messages and broadcasts; a
# 429 on an edit pauses the edits for its retry_after all the same. The window is a guard against a runaway, set
# above what one process reaches (about 300 presses a second on 2 cores): at 200 it was itself the ceiling of
# `python -m bench --only answers`, each press waiting for room to edit its board.
EDITS_PER_SECOND = 1000.0


class SendWindow:
    """At most `capacity` sends in any `window` seconds, counting each from when its call returned.

    Telegram counts a message when it arrives. A send may start only when fewer than `capacity` sends are in
    flight or returned within the last window; since a call returns after it arrived, and the next one arrives
    after it starts, no window at Telegram's end ever holds more than `capacity`, whatever the network does.
    (A token bucket stamps sends when they start, so jitter can put capacity + 1 into one second.)
    """

    def __init__(
        self,
        per_second: float,
        clock: Clock = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ):
        self.capacity = max(1, int(per_second))
        self.window = max(1.0, self.capacity / per_second)  # below 1 a second: one send per 1/rate seconds
        self._clock = clock
        self._sleep = sleep
        self._returned: deque[float] = deque()
        self.in_flight = 0
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        """Telegram said to wait (429 with retry_after): nothing is sent through this window until then."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    def _busy(self, now: float) -> int:
        while self._returned and self._returned[0] <= now - self.window:
            self._returned.popleft()
        return self.in_flight + len(self._returned)

    async def acquire(self, chat_id: int | None = None, patient: bool = False) -> int:
        """Waits for room in the window and takes it; pair with `release(ticket=...)` of the ticket it returns.
        `chat_id` is for windows that also count per chat (SharedSendWindow, which raises ChatNotReady for a chat
        busy for long unless `patient`); this one leaves chats to the outbox's ChatWindows.
        """
        while True:
            now = self._clock()
            if now < self._paused_until:
                await self._sleep(self._paused_until - now)
                continue
            if self._busy(now) < self.capacity:
                self.in_flight += 1
                return 0
            # at least a millisecond: a wake a rounding error early must not spin
            await self._sleep(max(0.001, self._returned[0] + self.window - now) if self._returned else 0.02)

    async def release(self, sent: bool = True, ticket: int = 0) -> None:
        """The call returned (`sent`: it may have reached Telegram), or the room was given up unused."""
        self.in_flight -= 1
        if sent:
            self._returned.append(self._clock())


class ChatNotReady(Exception):
    """The chat's own window (1 a second, 20 a minute in a group) is full for `seconds` more."""

    def __init__(self, seconds: float):
        super().__init__(f"the chat may be sent to again in {seconds:.1f} s")
        self.seconds = seconds


class ChatWindows:
    """Sliding windows per chat: one message a second in any chat, and `per_group_per_minute` in a group.

    Sends are recorded when the call has returned, which is after Telegram counted it, so the next send waits
    a whole window after Telegram's own stamp however long the call took.
    """

    def __init__(self, per_group_per_minute: int, clock: Clock = time.monotonic):
        self.per_group_per_minute = per_group_per_minute
        self._clock = clock
        self._sent: dict[int, deque[float]] = {}
        self._records = 0

    def _windows(self, chat_id: int) -> list[tuple[float, int]]:
        """(seconds, capacity) pairs; negative chat ids are groups and channels."""
        if chat_id < 0:
            return [(1.0, 1), (60.0, self.per_group_per_minute)]
        return [(1.0, 1)]

    def ready_at(self, chat_id: int) -> float:
        """The clock time from which another message may go to this chat."""
        times = self._sent.get(chat_id)
        ready = self._clock()
        if not times:
            return ready
        for window, capacity in self._windows(chat_id):
            if len(times) >= capacity:
                ready = max(ready, times[-capacity] + window)
        return ready

    def record(self, chat_id: int) -> None:
        now = self._clock()
        self._sent.setdefault(chat_id, deque(maxlen=max(1, self.per_group_per_minute))).append(now)
        self._records += 1
        if self._records % 1000 == 0:
            self._sent = {c: t for c, t in self._sent.items() if t and t[-1] > now - 60.0}
