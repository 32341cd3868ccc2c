"""The Council Pound's statistics: mean and median pence per service, spread, and difference from today."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from dialogues.schema import Consequence, Service


@dataclass(frozen=True)
class ServiceTally:
    key: str
    name: str
    today: int
    mean: float
    median: float
    low: int  # lowest pence any resident gave
    high: int
    q1: float
    q3: float
    levels: tuple[tuple[Consequence, int], ...] = ()  # each consequence level the file gives, with its residents

    @property
    def change(self) -> float:
        """Residents' mean minus today's pence: positive means residents would raise it."""
        return self.mean - self.today


@dataclass(frozen=True)
class AllocationTally:
    respondents: int
    services: tuple[ServiceTally, ...]

    def raise_most(self, n: int = 3) -> list[ServiceTally]:
        if not self.respondents:
            return []  # with nobody answering, a mean of 0p is no one's wish to cut
        return sorted((s for s in self.services if s.change > 0), key=lambda s: -s.change)[:n]

    def cut_most(self, n: int = 3) -> list[ServiceTally]:
        if not self.respondents:
            return []
        return sorted((s for s in self.services if s.change < 0), key=lambda s: s.change)[:n]


def tally_pence_counts(services: Sequence[Service], n: int, counts: Mapping[str, Mapping[Any, int]]) -> AllocationTally:
    """The tally of `n` allocations given, for each service, how many residents gave it each number of pence
    (a service missing from `counts` had 0p from everyone). Pence are counted per value, so the column is never
    built nor sorted: a million allocations tally in about a second and the time grows linearly."""
    out = []
    for s in services:
        if n:
            counted = counts.get(s.key) or {0: n}
            col = _Column(counted)
            q = col.quartiles(n) if n > 1 else [float(col.at(0))] * 3
            out.append(ServiceTally(s.key, s.name, s.today, col.total / n, col.median(n),
                                    col.values[0], col.values[-1], float(q[0]), float(q[2]), _levels(s, counted)))
        else:
            out.append(ServiceTally(s.key, s.name, s.today, 0.0, 0.0, 0, 0, 0.0, 0.0, _levels(s, {})))
    return AllocationTally(n, tuple(out))


def _levels(s: Service, counted: Mapping[Any, int]) -> tuple[tuple[Consequence, int], ...]:
    """How many residents gave the service pence within each of its consequence levels."""
    return tuple((c, sum(k for v, k in counted.items() if c.covers(int(v)))) for c in s.consequences)


class _Column:
    """One service's pence as (distinct value, how many) pairs: the sorted column without sorting it."""

    def __init__(self, counted: Mapping[Any, int]):
        merged: Counter[int] = Counter()
        for value, count in counted.items():
            merged[int(value)] += count
        self.values = sorted(merged)
        self.cumulative = list(accumulate(merged[v] for v in self.values))
        self.total = sum(v * merged[v] for v in self.values)

    def at(self, k: int) -> int:
        """The k-th smallest value (from 0), as `sorted(column)[k]`."""
        return self.values[bisect_right(self.cumulative, k)]

    def median(self, n: int) -> float:
        """As statistics.median."""
        if n % 2:
            return float(self.at(n // 2))
        return float((self.at(n // 2 - 1) + self.at(n // 2)) / 2)

    def quartiles(self, n: int) -> list[float]:
        """As statistics.quantiles(column, n=4, method="inclusive"), for n >= 2."""
        m = n - 1
        out = []
        for i in range(1, 4):
            j, delta = divmod(i * m, 4)
            out.append((self.at(j) * (4 - delta) + self.at(j + 1) * delta) / 4)
        return out
