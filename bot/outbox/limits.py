"""Telegram's sending limits as the outbox keeps them: an overall token bucket and a sliding window per chat."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

Clock = Callable[[], float]


class TokenBucket:
    """`rate` tokens a second, holding at most `capacity`; each send takes one.

    `reserve()` takes a token now and says how long to wait before using it, so concurrent senders queue
    fairly without a lock. With capacity 1 no second holds more than rate + 1 sends.
    """

    def __init__(self, rate: float, capacity: float = 1.0, clock: Clock = time.monotonic):
        self.rate = rate
        self.capacity = capacity
        self._clock = clock
        self._tokens = capacity
        self._stamp = clock()

    def reserve(self) -> float:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        self._tokens -= 1
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate


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
