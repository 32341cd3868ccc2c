"""Opinion groups and common ground from residents' reactions to statements, after Pol.is's published method.

Pure functions over a reaction matrix (+1 agree, -1 disagree, 0 pass, NaN not seen): who counts, the statement
means filled in, PCA to two components, k-means for k = 2..5 chosen by silhouette, small groups merged or
withheld, then each statement's counts per group, group-aware consensus (common ground), the statements that set a
group apart (representativeness with a two-proportion test) and the most divisive ones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

AGREE, DISAGREE, PASS = 1, -1, 0
MIN_REACTIONS = 7  # Pol.is counts a participant once they voted on min(7, statements)
KS = range(2, 6)
Z_90 = 1.2816  # one-sided 90%: Pol.is's threshold for a representative statement
SEED = 0  # k-means starts from the same place every time: the same reactions give the same groups
# The silhouette compares every pair of points: past this many residents it is scored on a fixed sample of them
# (the same every time), which keeps choosing k linear in the number of residents.
SILHOUETTE_SAMPLE = 1_000

Matrix = NDArray[np.float64]


@dataclass(frozen=True)
class Counts:
    """One statement's reactions among some residents."""

    agree: int
    disagree: int
    passed: int

    @property
    def votes(self) -> int:
        return self.agree + self.disagree + self.passed

    def p_agree(self) -> float:
        """Agree share with Laplace smoothing, (agree + 1) / (votes + 2), as Pol.is computes it."""
        return (self.agree + 1) / (self.votes + 2)

    def p_disagree(self) -> float:
        return (self.disagree + 1) / (self.votes + 2)


@dataclass(frozen=True)
class Distinct:
    """A statement that sets a group apart: it agrees (or disagrees) `ratio` times as often as everyone else."""

    statement: int  # column index
    agree: bool  # True: the group agrees more; False: it disagrees more
    share: float  # the group's (smoothed) share reacting that way
    others: float  # everyone else's
    ratio: float
    z: float  # two-proportion z score against everyone else
    plain: float = 0.0  # the group's share reacting that way, without smoothing: what a post says
    plain_others: float = 0.0


@dataclass(frozen=True)
class Group:
    members: tuple[int, ...]  # row indices of the matrix
    counts: tuple[Counts, ...]  # per statement
    distinct: tuple[Distinct, ...]  # most distinctive first


@dataclass(frozen=True)
class Analysis:
    counted: tuple[int, ...]  # rows that reacted to enough statements to be placed
    points: tuple[tuple[float, float], ...]  # their position on the two components, in `counted` order
    labels: tuple[int, ...]  # their group (index into groups), or -1 where groups are withheld
    groups: tuple[Group, ...]  # empty when fewer than two groups are big enough to show
    overall: tuple[Counts, ...]  # every resident's reactions, per statement
    consensus: tuple[float, ...]  # group-aware consensus on agreeing, per statement
    common: tuple[int, ...]  # common ground: statements every group leans to agree with, strongest first
    divisive: tuple[int, ...]  # statements the groups split on, most divided first


def threshold(statements: int) -> int:
    return min(MIN_REACTIONS, statements)


def counted(m: Matrix) -> NDArray[np.intp]:
    """Rows with at least min(7, statements) reactions (a pass is a reaction)."""
    if m.shape[1] == 0:
        return np.arange(0)
    seen = (~np.isnan(m)).sum(axis=1)
    return np.flatnonzero(seen >= threshold(m.shape[1]))


def filled(m: Matrix) -> Matrix:
    """Missing reactions become the statement's mean among those who reacted (0 where nobody did)."""
    out = m.copy()
    with np.errstate(invalid="ignore"):
        means = np.nanmean(np.where(np.isnan(m).all(axis=0), 0.0, m), axis=0) if m.size else np.zeros(m.shape[1])
    means = np.nan_to_num(means)
    rows, cols = np.nonzero(np.isnan(out))
    out[rows, cols] = means[cols]
    return out


def project(x: Matrix) -> Matrix:
    """Two principal components (fewer when the data has fewer dimensions, padded with zeros)."""
    n, s = x.shape
    k = min(2, n, s)
    out = np.zeros((n, 2))
    if k == 0 or n < 2 or np.ptp(x, axis=0).max() == 0:  # everyone reacted alike: nothing to tell them apart
        return out
    from sklearn.decomposition import PCA  # scikit-learn is imported when groups are first found, not at start

    out[:, :k] = PCA(n_components=k, random_state=SEED).fit_transform(x)
    return out


def cluster(points: Matrix) -> NDArray[np.intp]:
    """k-means for k = 2..5, keeping the k with the best silhouette; one group when the points cannot be split."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    n = len(points)
    distinct = len(np.unique(np.round(points, 9), axis=0))
    best: tuple[float, NDArray[np.intp]] | None = None
    for k in KS:
        if k >= n or k > distinct:
            break
        labels = KMeans(n_clusters=k, n_init=10, random_state=SEED).fit_predict(points)
        if len(set(labels.tolist())) < 2:
            continue
        sample = SILHOUETTE_SAMPLE if n > SILHOUETTE_SAMPLE else None
        score = float(silhouette_score(points, labels, sample_size=sample, random_state=SEED))
        if best is None or score > best[0] + 1e-12:
            best = (score, labels.astype(np.intp))
    return best[1] if best is not None else np.zeros(n, dtype=np.intp)


def merge_small(points: Matrix, labels: NDArray[np.intp], minimum: int) -> NDArray[np.intp]:
    """Groups under `minimum` members join the group whose centre is nearest theirs, smallest first, while more
    than two groups are left; if one of the last two is still too small, groups are withheld (all -1). Labels come
    back numbered 0.. by size, largest first."""
    labels = labels.copy()
    while True:
        names, sizes = np.unique(labels, return_counts=True)
        if len(names) < 2:
            return np.full(len(labels), -1, dtype=np.intp)
        small = [(int(sz), int(g)) for g, sz in zip(names, sizes, strict=True) if sz < minimum]
        if not small:
            break
        if len(names) == 2:
            return np.full(len(labels), -1, dtype=np.intp)
        _size, g = min(small)
        centre = points[labels == g].mean(axis=0)
        others = [h for h in names.tolist() if h != g]
        nearest = min(others, key=lambda h: float(np.linalg.norm(points[labels == h].mean(axis=0) - centre)))
        labels[labels == g] = nearest
    order = sorted(np.unique(labels).tolist(), key=lambda g: (-int((labels == g).sum()), g))
    renumber = {g: i for i, g in enumerate(order)}
    return np.array([renumber[int(g)] for g in labels], dtype=np.intp)


def counts(m: Matrix) -> tuple[Counts, ...]:
    """Each statement's reactions among the matrix's rows."""
    return tuple(
        Counts(int((col == AGREE).sum()), int((col == DISAGREE).sum()), int((col == PASS).sum())) for col in m.T
    )


def consensus(per_group: Sequence[Sequence[Counts]]) -> tuple[float, ...]:
    """Group-aware consensus: the product over groups of (agrees + 1) / (votes + 2), per statement."""
    if not per_group:
        return ()
    return tuple(math.prod(g[s].p_agree() for g in per_group) for s in range(len(per_group[0])))


def two_prop_z(succ_in: int, n_in: int, succ_out: int, n_out: int) -> float:
    """Pol.is's two-proportion test, with one added to each count (stats.clj two-prop-test)."""
    s1, s2, n1, n2 = succ_in + 1, succ_out + 1, n_in + 1, n_out + 1
    p1, p2, pooled = s1 / n1, s2 / n2, (s1 + s2) / (n1 + n2)
    if pooled >= 1:
        return 0.0
    return (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))


def distinct(inside: Sequence[Counts], outside: Sequence[Counts], most: int = 3) -> tuple[Distinct, ...]:
    """Statements on which a group agrees (or disagrees) significantly more than everyone else, by the ratio of
    the shares times the z score (Pol.is's repness), best first; at most one direction per statement."""
    found: list[tuple[float, Distinct]] = []
    for s, (i, o) in enumerate(zip(inside, outside, strict=True)):
        best: tuple[float, Distinct] | None = None
        for agree in (True, False):
            share = i.p_agree() if agree else i.p_disagree()
            others = o.p_agree() if agree else o.p_disagree()
            z = two_prop_z(i.agree if agree else i.disagree, i.votes, o.agree if agree else o.disagree, o.votes)
            if z < Z_90 or share <= 0.5:
                continue
            hits_in, hits_out = (i.agree, o.agree) if agree else (i.disagree, o.disagree)
            d = Distinct(s, agree, share, others, share / others, z, hits_in / max(1, i.votes),
                         hits_out / max(1, o.votes))
            if best is None or d.ratio * z > best[0]:
                best = (d.ratio * z, d)
        if best is not None:
            found.append(best)
    found.sort(key=lambda t: (-t[0], t[1].statement))
    return tuple(d for _score, d in found[:most])


def divisive(per_group: Sequence[Sequence[Counts]], most: int = 3) -> tuple[int, ...]:
    """Statements where one group's agree share is furthest from another's, at least 0.3 apart, widest first."""
    if len(per_group) < 2:
        return ()
    spread = []
    for s in range(len(per_group[0])):
        shares = [g[s].p_agree() for g in per_group]
        gap = max(shares) - min(shares)
        if gap >= 0.3:
            spread.append((-gap, s))
    return tuple(s for _gap, s in sorted(spread)[:most])


def common_ground(per_group: Sequence[Sequence[Counts]], scores: Sequence[float], most: int = 3) -> tuple[int, ...]:
    """Statements every group leans to agree with (smoothed agree share above a half in each), by consensus."""
    chosen = [s for s in range(len(scores)) if all(g[s].p_agree() > 0.5 for g in per_group)]
    chosen.sort(key=lambda s: (-scores[s], s))
    return tuple(chosen[:most])


def analyse(m: Matrix, minimum: int) -> Analysis:
    """The whole method on a matrix of residents × statements; `minimum` is the smallest group that may be shown."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):  # one thread: the bot shares its cores, and more threads only contend
        return _analyse(m, minimum)


def _analyse(m: Matrix, minimum: int) -> Analysis:
    rows = counted(m)
    overall = counts(m)
    labels = np.full(len(rows), -1, dtype=np.intp)
    points = np.zeros((len(rows), 2))
    if len(rows) >= 2 and m.shape[1] >= 1:
        x = filled(m[rows])
        points = project(x)
        labels = merge_small(points, cluster(points), max(1, minimum))
    groups: list[Group] = []
    if (labels >= 0).any():
        sub = m[rows]
        for g in range(int(labels.max()) + 1):
            inside, outside = counts(sub[labels == g]), counts(sub[labels != g])
            groups.append(Group(tuple(int(rows[i]) for i in np.flatnonzero(labels == g)), inside,
                                distinct(inside, outside)))
    per_group = [g.counts for g in groups] or ([counts(m[rows])] if len(rows) else [overall])
    scores = consensus(per_group)
    return Analysis(
        counted=tuple(int(r) for r in rows),
        points=tuple((float(a), float(b)) for a, b in points),
        labels=tuple(int(x) for x in labels),
        groups=tuple(groups),
        overall=overall,
        consensus=scores,
        common=common_ground(per_group, scores),
        divisive=divisive([g.counts for g in groups]),
    )


def matrix(reactions: Sequence[tuple[int, int, int]], residents: Sequence[int], statements: Sequence[int]) -> Matrix:
    """The matrix from (resident, statement, reaction) triples, rows and columns in the orders given."""
    row = {r: i for i, r in enumerate(residents)}
    col = {s: j for j, s in enumerate(statements)}
    m = np.full((len(residents), len(statements)), np.nan)
    for r, s, v in reactions:
        if r in row and s in col:
            m[row[r], col[s]] = v
    return m
