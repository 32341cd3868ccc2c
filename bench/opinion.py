"""Opinion groups: dialogues.opinion.analyse (the Pol.is method) on 1,000 to 10,000 residents × 300 statements.

Reactions are drawn with a fixed seed: three camps, each leaning its own way on every statement, a quarter of
reactions flipped at random, and each resident reacting to a fifth of the statements (the rest unseen). Time is
wall-clock (the work runs on one thread); memory is the peak of what Python and numpy allocate, by tracemalloc.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable

import numpy as np

from bench.report import Row
from dialogues import opinion

GOAL_SECONDS = 5.0
GOAL_MB = 500.0
STATEMENTS = 300


def reactions(n: int, rng: np.random.Generator) -> np.ndarray:
    camp = rng.integers(0, 3, n)
    lean = rng.choice([-1.0, 0.0, 1.0], size=(3, STATEMENTS))
    m = lean[camp].copy()
    flip = rng.random((n, STATEMENTS)) < 0.25
    m[flip] = rng.choice([-1.0, 0.0, 1.0], size=int(flip.sum()))
    m[rng.random((n, STATEMENTS)) > 0.2] = np.nan
    return m


def measured(m: np.ndarray) -> tuple[float, float, int]:
    """Seconds, peak megabytes, and the number of groups found."""
    gc.collect()
    tracemalloc.start()
    t0 = time.perf_counter()
    a = opinion.analyse(m, minimum=5)
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return seconds, peak, len(a.groups)


def run(quick: bool, log: Callable[[str], None]) -> list[Row]:
    rng = np.random.default_rng(14)
    sizes = [1_000, 3_000, 10_000] if not quick else [1_000, 3_000]
    found = {}
    for n in sizes:
        log(f"opinion: {n:,} residents × {STATEMENTS} statements")
        m = reactions(n, rng)
        found[n] = min((measured(m) for _ in range(2)), key=lambda r: r[0])  # best of two: the machine is shared
    big = sizes[-1]
    seconds, peak, groups = found[big]
    growth = (found[big][0] / big) / (found[sizes[0]][0] / sizes[0])
    return [
        Row("10 opinion", f"{big:,} × {STATEMENTS} ÷ {GOAL_SECONDS:.0f} s goal", seconds / GOAL_SECONDS,
            f"{seconds:.2f} s, {groups} groups found", f"< {GOAL_SECONDS:.0f} s", seconds < GOAL_SECONDS),
        Row("10 opinion", f"peak memory ÷ {GOAL_MB:.0f} MB", peak / GOAL_MB, f"{peak:.0f} MB at {big:,} residents",
            f"< {GOAL_MB:.0f} MB", peak < GOAL_MB),
        Row("10 opinion", f"time per resident, {big // 1000}k ÷ {sizes[0] // 1000}k", growth,
            ", ".join(f"{n // 1000}k {found[n][0]:.2f} s / {found[n][1]:.0f} MB" for n in sizes), "≤ ~1.5",
            growth <= 1.5),
    ]  # fmt: skip
