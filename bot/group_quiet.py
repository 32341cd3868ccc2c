"""How often the bot answers people who are not staff in a group, so nobody can make it flood a council's group."""

from __future__ import annotations

import time
from collections import deque

from bot.limits import Clock

PER_PERSON_SECONDS = 3600.0  # one answer per person per group in an hour: they have read it once
PER_GROUP = 3  # answers to non-staff in one group in any minute, whoever asks
GROUP_WINDOW = 60.0


class GroupQuiet:
    """Decides whether a command from a non-staff member of a group gets an answer; staff are not counted here.

    Kept in memory: a restart forgets it, which costs at most one more answer per person, and each worker holds
    its own (with N workers a group hears at most N times as much)."""

    def __init__(self, per_person_seconds: float = PER_PERSON_SECONDS, per_group: int = PER_GROUP,
                 clock: Clock = time.monotonic):
        self.per_person_seconds = per_person_seconds
        self.per_group = per_group
        self._clock = clock
        self._answered: dict[tuple[int, int], float] = {}  # (group, person) -> when last answered
        self._group: dict[int, deque[float]] = {}

    def may_answer(self, chat_id: int, user_id: int) -> bool:
        """True (and counted) if this person may be answered in this group now."""
        now = self._clock()
        if len(self._answered) > 10_000:  # forget what no longer matters, so a flood of strangers costs no memory
            self._answered = {k: t for k, t in self._answered.items() if t > now - self.per_person_seconds}
            self._group = {c: q for c, q in self._group.items() if q and q[-1] > now - GROUP_WINDOW}
        last = self._answered.get((chat_id, user_id))
        if last is not None and now - last < self.per_person_seconds:
            return False
        recent = self._group.setdefault(chat_id, deque(maxlen=self.per_group))
        if len(recent) >= self.per_group and now - recent[0] < GROUP_WINDOW:
            return False
        recent.append(now)
        self._answered[(chat_id, user_id)] = now
        return True
