"""Tally: a round's results as bot.services.results counts them (RoundTally.add: each stored pound decoded and
added to the question type's tally, then its figures) over 10k, 100k and 1M residents' allocations (pure CPU, in
process), and a ranking question's tally (Borda count and instant-runoff) over 1M rankings of 8 options.

Allocations are drawn with a fixed seed from 5,000 distinct valid shares of 100p across the Council Pound's
services (a million distinct dicts would only measure the memory allocator); the order is shuffled, so the
tally sees them in no particular order.
"""

from __future__ import annotations

import gc
import random
import time
from collections.abc import Callable

from bench import seed
from bench.report import Row
from bot.services.results import RoundTally
from dialogues.questions import of
from dialogues.questions.ranking import RankingTally
from dialogues.rounds import Round
from dialogues.schema import Consultation, RankingQuestion

GOAL_SECONDS = 2.0
BATCH = 5 * 1000  # storage.repositories.reports.question_values's batch
DISTINCT = 5_000


def allocations(services: list[str], n: int, rng: random.Random) -> list[dict[str, int]]:
    pool = []
    for _ in range(DISTINCT):
        cuts = sorted(rng.randint(0, 100) for _ in range(len(services) - 1))
        parts = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
        pool.append(dict(zip(services, parts, strict=True)))
    return [pool[rng.randrange(DISTINCT)] for _ in range(n)]


def counted(spec: Consultation, data: list[dict[str, int]]) -> None:
    """What a round's results do with the pounds the database streams to them."""
    tally = RoundTally(1, spec, Round(1, 1, 1, "Round 1", "closed"), len(data), len(data))
    for start in range(0, len(data), BATCH):  # as the database streams them: a batch at a time
        tally.add_values("pound", data[start : start + BATCH])
    list(tally.outcomes(minimum=10))


def timed(spec: Consultation, data: list[dict[str, int]], repeats: int) -> float:
    """Best of `repeats`, in CPU seconds of this (single-threaded) work: on a shared machine, wall time would
    also count the other processes' turns."""
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        t0 = time.process_time()
        counted(spec, data)
        best = min(best, time.process_time() - t0)
    return best


def ranking(quick: bool, log: Callable[[str], None]) -> Row:
    """1M (100k quick) residents' rankings of 8 options, drawn from 40,320 (every order) with a fixed seed, added to
    the question's tally and counted both ways: CPU seconds, and how many distinct orders the tally keeps."""
    spec = seed.example()
    q = RankingQuestion(type="ranking", key="bench", prompt="Rank these", options=[f"Option {i}" for i in range(8)])
    keys = [o.key for o in q.options]
    rng = random.Random(seed.SEED)
    n = 100_000 if quick else 1_000_000
    log(f"tally: {n:,} rankings of 8 options")
    pool = [rng.sample(keys, len(keys)) for _ in range(40_320)]
    data = [pool[rng.randrange(len(pool))] for _ in range(n)]
    gc.collect()
    t0 = time.process_time()
    tally = of(q).tally(spec, q)
    for answer in data:
        tally.add(answer)
    figures = tally.figures()
    took = time.process_time() - t0
    assert isinstance(tally, RankingTally)
    kept = len(tally.counts.counted)
    return Row("6 tally", f"{n:,} rankings (Borda + instant-runoff) ÷ 2 s goal", took / GOAL_SECONDS,
               f"{took:.2f} s (CPU), {len(figures.runoff.rounds)} stages; {kept:,} distinct orders kept",
               f"< {GOAL_SECONDS:.0f} s", took < GOAL_SECONDS)


def run(quick: bool, log: Callable[[str], None]) -> list[Row]:
    spec = seed.example()
    keys = [s.key for s in spec.services]
    rng = random.Random(seed.SEED)
    sizes = [10_000, 100_000, 1_000_000]
    log("tally: drawing 1,000,000 allocations")
    everything = allocations(keys, sizes[-1], rng)
    seconds = {}
    for n in sizes:
        log(f"tally: {n:,} allocations")
        seconds[n] = timed(spec, everything[:n], repeats=3)
    per_item = {n: seconds[n] / n for n in sizes}
    one_m = seconds[sizes[-1]]
    growth = per_item[sizes[-1]] / per_item[sizes[0]]
    return [
        Row("6 tally", "1M allocations ÷ 2 s goal", one_m / GOAL_SECONDS,
            f"{one_m:.2f} s (CPU) for 1,000,000 ({len(keys)} services each)", f"< {GOAL_SECONDS:.0f} s",
            one_m < GOAL_SECONDS),
        Row("6 tally", "time per allocation, 1M ÷ 10k", growth,
            "per allocation: " + ", ".join(f"{n // 1000:,}k {per_item[n] * 1e6:.2f} µs" for n in sizes),
            "≤ ~1.2 (linear)", growth <= 1.2),
        ranking(quick, log),
    ]  # fmt: skip
