"""Opinion groups and common ground (dialogues.opinion): a hand-worked example, an independent numpy-only
re-implementation of the projection, red-dwarf (the polis-community re-implementation of Pol.is) as a second
opinion on the same reactions, and properties that hold for any reactions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dialogues import opinion
from dialogues.opinion import Counts

nan = float("nan")


def camps(per_camp: int = 15, noise: int = 0, seed: int = 1) -> np.ndarray:
    """Two planted camps over 8 statements: camp A agrees with 0-3 and disagrees with 4-6, camp B the opposite;
    everyone agrees with 7. `noise` reactions per resident are flipped to a pass; some are left unseen."""
    rng = np.random.default_rng(seed)
    a = [1, 1, 1, 1, -1, -1, -1, 1]
    b = [-1, -1, -1, -1, 1, 1, 1, 1]
    m = np.array([a] * per_camp + [b] * per_camp, dtype=float)
    for row in m:
        for j in rng.choice(7, size=noise, replace=False):
            row[j] = 0
    m[0, 2] = nan  # someone who left one out still counts (7 of 8 seen)
    return m


def test_counts_and_consensus_by_hand() -> None:
    # Group A: 3 of 4 agree; group B: 2 of 2 agree. (3+1)/(4+2) * (2+1)/(2+2) = 4/6 * 3/4 = 0.5
    a = [Counts(3, 1, 0)]
    b = [Counts(2, 0, 0)]
    assert opinion.consensus([a, b]) == (pytest.approx(0.5),)
    # all four agree inside, none of four outside: p1 = 5/5, p2 = 1/5, pooled 6/10, z = 0.8 / sqrt(.24 * .4)
    assert opinion.two_prop_z(4, 4, 0, 4) == pytest.approx(0.8 / math.sqrt(0.6 * 0.4 * 0.4))


def test_filled_with_the_statement_mean_and_who_counts() -> None:
    m = np.array([[1, nan, 1, 1, 1, 1, 1, 1], [-1, 1, nan, nan, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1]])
    f = opinion.filled(m)
    assert f[0, 1] == 1.0  # mean of column 1 among those who reacted: (1 + 1) / 2
    assert f[1, 2] == 1.0 and not np.isnan(f).any()
    # min(7, 8) = 7 reactions needed: the second resident has 6
    assert opinion.counted(m).tolist() == [0, 2]
    # with 3 statements all 3 are needed: only the third resident reacted to each of the first three
    assert opinion.counted(m[:, :3]).tolist() == [2]
    assert opinion.threshold(3) == 3 and opinion.threshold(300) == 7


def test_planted_camps_are_found_with_the_common_ground() -> None:
    m = camps(noise=1)
    a = opinion.analyse(m, minimum=3)
    assert len(a.groups) == 2
    found = {frozenset(g.members) for g in a.groups}
    assert found == {frozenset(range(15)), frozenset(range(15, 30))}
    assert a.common[0] == 7  # the statement both camps agree with
    assert set(a.divisive) <= set(range(7)) and a.divisive
    for g in a.groups:
        assert g.distinct, "each camp has a statement that sets it apart"
        camp_a = 0 in g.members
        d = g.distinct[0]
        # camp A agrees more with 0-3 or disagrees more with 4-6; camp B the other way round
        assert (d.statement < 4) == (d.agree == camp_a)
        assert d.z > opinion.Z_90


def test_small_groups_are_merged_then_withheld() -> None:
    m = camps(per_camp=15)
    loner = np.array([[0, 0, 0, 0, 0, 0, 0, -1]], dtype=float)
    labels = opinion.merge_small(np.array([[0.0, 0], [0.1, 0], [5, 5], [5.1, 5], [5, 5.2], [-3, 9]]),
                                 np.array([0, 0, 1, 1, 1, 2]), minimum=2)
    # the lone point joins the nearer group's centre ((5, 5.07) is nearer (-3, 9) than (0.05, 0)), then sizes
    # are renumbered largest first
    assert labels.tolist() == [1, 1, 0, 0, 0, 0]
    assert opinion.merge_small(np.zeros((3, 2)), np.array([0, 0, 1]), minimum=2).tolist() == [-1, -1, -1]
    a = opinion.analyse(np.vstack([m, loner]), minimum=16)
    assert a.groups == () and all(x == -1 for x in a.labels)  # 15 a camp: fewer than 16, so no groups are shown


def numpy_pca(x: np.ndarray) -> np.ndarray:
    """Principal components by singular value decomposition of the centred matrix, nothing of scikit-learn."""
    centred = x - x.mean(axis=0)
    _u, _s, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[:2].T


def test_projection_matches_a_numpy_only_implementation() -> None:
    m = camps(noise=2, seed=5)
    x = opinion.filled(m[opinion.counted(m)])
    ours, theirs = opinion.project(x), numpy_pca(x)
    for k in range(2):  # a component's sign is arbitrary
        sign = np.sign(ours[:, k] @ theirs[:, k]) or 1.0
        np.testing.assert_allclose(ours[:, k], sign * theirs[:, k], atol=1e-9)


def test_red_dwarf_finds_the_same_groups_and_consensus() -> None:
    """red-dwarf (MPL-2.0) runs the Pol.is pipeline on the same votes: same two groups, same group-aware
    consensus on every statement."""
    polis = pytest.importorskip("reddwarf.implementations.polis")
    m = camps(noise=2, seed=3)
    votes = [{"participant_id": i, "statement_id": j, "vote": int(m[i, j]), "modified": 0}
             for i in range(m.shape[0]) for j in range(m.shape[1]) if not np.isnan(m[i, j])]
    theirs = polis.run_pipeline(votes=votes, random_state=0)
    ours = opinion.analyse(m, minimum=3)
    labels = theirs.participants_df["cluster_id"]
    their_groups = {frozenset(int(p) for p in labels.index[labels == g]) for g in set(labels.dropna().tolist())}
    assert their_groups == {frozenset(g.members) for g in ours.groups}
    gac = theirs.group_aware_consensus["agree"]
    for j in range(m.shape[1]):
        assert ours.consensus[j] == pytest.approx(gac[j], rel=1e-9)


reactions = st.sampled_from([1.0, -1.0, 0.0, nan])


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(0, 24), st.integers(0, 9)), elements=reactions),
       st.integers(1, 8))
def test_properties_hold_for_any_reactions(m: np.ndarray, minimum: int) -> None:
    a = opinion.analyse(m, minimum)
    rows = set(a.counted)
    assert rows == set(opinion.counted(m).tolist())
    assert all(int((~np.isnan(m[r])).sum()) >= opinion.threshold(m.shape[1]) for r in rows)
    members = [r for g in a.groups for r in g.members]
    if a.groups:
        assert len(a.groups) >= 2 and sorted(members) == sorted(rows)  # a partition of who counts
        assert all(len(g.members) >= minimum for g in a.groups)  # no group below the minimum is shown
    else:
        assert all(x == -1 for x in a.labels)
    for j in range(m.shape[1]):
        assert 0 < a.consensus[j] <= 1
        if a.groups:  # the counts per group add up to those of everyone who counts
            assert sum(g.counts[j].agree for g in a.groups) == int((m[sorted(rows), j] == 1).sum())
    for s in a.common:
        assert all(g.counts[s].p_agree() > 0.5 for g in a.groups)
    assert a.overall == opinion.counts(m)
