"""Weighting residents' answers to the population: post-stratification for one margin (wards, or age bands),
raking (iterative proportional fitting) for several, Kish's effective sample size, and a weighted mean with its
95% interval. Pure functions over plain lists; the weights always add up to the number of residents.

Residents who did not say which group they belong to (no answer, or "prefer not to say") are kept: in each
margin they form a group of their own whose target is its share of the residents, so they keep their weight in
that margin and the population shares are applied to the rest."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054  # the standard normal's 97.5th percentile
UNKNOWN = None  # a resident's group in a margin when they did not say


class WeightingError(ValueError):
    """Results cannot be weighted; the message says why, in words an officer can act on."""


@dataclass(frozen=True)
class Margin:
    """One margin to weight to: each group's population share (adding up to 1), by group key."""

    name: str
    shares: Mapping[str, float]


def check_shares(margin: Margin) -> None:
    """Refuses a margin with a missing, zero or negative share, or shares not adding up to 1."""
    if not margin.shares:
        raise WeightingError(f"{margin.name}: no population shares are given")
    for key, share in margin.shares.items():
        if share is None or not math.isfinite(share):
            raise WeightingError(f"{margin.name}: the group {key!r} has no population share")
        if share <= 0:
            raise WeightingError(f"{margin.name}: the group {key!r} has a population share of {share:g}")
    total = sum(margin.shares.values())
    if abs(total - 1) > 1e-6:
        raise WeightingError(f"{margin.name}: the population shares add up to {total:g}, not 1")


def _targets(margin: Margin, groups: Sequence[str | None]) -> dict[str | None, float]:
    """Each group's target total of weight: its population share of the residents who said, and for those who did
    not, their own number. A group with a population share but no resident in it cannot be weighted to."""
    check_shares(margin)
    n = len(groups)
    counts = Counter(groups)
    for g in groups:
        if g is not UNKNOWN and g not in margin.shares:
            raise WeightingError(f"{margin.name}: residents answered {g!r}, which has no population share")
    empty = [k for k in margin.shares if counts.get(k, 0) == 0]
    if empty:
        raise WeightingError(f"{margin.name}: no resident is in the group {empty[0]!r}, so it cannot be weighted to")
    known = n - counts.get(UNKNOWN, 0)
    targets: dict[str | None, float] = {k: share * known for k, share in margin.shares.items()}
    if counts.get(UNKNOWN):
        targets[UNKNOWN] = float(counts[UNKNOWN])
    return targets


def post_stratify(groups: Sequence[str | None], margin: Margin) -> list[float]:
    """One weight per resident, from their group in one margin: population share / sample share."""
    if not groups:
        return []
    targets = _targets(margin, groups)
    counts = Counter(groups)
    return [targets[g] / counts[g] for g in groups]


def rake(
    groups: Sequence[Sequence[str | None]], margins: Sequence[Margin], tolerance: float = 1e-9, rounds: int = 1000
) -> list[float]:
    """One weight per resident matching every margin at once (`groups[i][m]` is resident i's group in margin m),
    by adjusting to each margin in turn until none is off by more than `tolerance` (a share of the residents).
    Raises WeightingError if the margins cannot all be met (they never settle)."""
    n = len(groups)
    if n == 0:
        return []
    if any(len(row) != len(margins) for row in groups):
        raise ValueError("every resident needs a group (or None) in every margin")
    columns = [[row[m] for row in groups] for m in range(len(margins))]
    targets = [_targets(margin, col) for margin, col in zip(margins, columns, strict=True)]
    w = [1.0] * n
    for _round in range(rounds):
        worst = 0.0
        for col, target in zip(columns, targets, strict=True):
            totals: dict[str | None, float] = {}
            for g, wi in zip(col, w, strict=True):
                totals[g] = totals.get(g, 0.0) + wi
            worst = max(worst, max(abs(totals[g] - t) for g, t in target.items()) / n)
            factor = {g: target[g] / totals[g] for g in totals}
            w = [wi * factor[g] for g, wi in zip(col, w, strict=True)]
        if worst <= tolerance:
            return w
    raise WeightingError("the population shares of the margins cannot all be met together (raking did not settle)")


def weights(groups: Sequence[Sequence[str | None]], margins: Sequence[Margin]) -> list[float]:
    """Post-stratification for one margin, raking for several."""
    if len(margins) == 1:
        return post_stratify([row[0] for row in groups], margins[0])
    return rake(groups, margins)


def kish(w: Sequence[float]) -> float:
    """Kish's effective sample size: (sum of weights)^2 / sum of squared weights; n when every weight is equal."""
    total = math.fsum(w)
    squares = math.fsum(x * x for x in w)
    return total * total / squares if squares > 0 else 0.0


@dataclass(frozen=True)
class Estimate:
    """A (weighted) mean with its standard error and 95% interval."""

    mean: float
    se: float
    low: float
    high: float


def weighted_mean(values: Sequence[float], w: Sequence[float] | None = None) -> Estimate:
    """The weighted mean and its 95% interval, the standard error by linearisation (the "sandwich" estimator a
    survey package uses for a weighted mean with the weights taken as given): with equal weights it is s/sqrt(n)."""
    n = len(values)
    if n == 0:
        raise ValueError("no values")
    ws = list(w) if w is not None else [1.0] * n
    total = math.fsum(ws)
    mean = math.fsum(wi * y for wi, y in zip(ws, values, strict=True)) / total
    if n < 2:
        return Estimate(mean, math.nan, math.nan, math.nan)
    variance = n / (n - 1) * math.fsum((wi * (y - mean)) ** 2 for wi, y in zip(ws, values, strict=True)) / total**2
    se = math.sqrt(variance)
    return Estimate(mean, se, mean - Z95 * se, mean + Z95 * se)
