"""Weighting to the population: a hand-worked example, raking against an independent implementation (proportional
fitting of the contingency table with numpy), refusals, and properties (weights add up, margins are matched)."""

from __future__ import annotations

import math
import statistics
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogues.weighting import Margin, WeightingError, kish, post_stratify, rake, weighted_mean, weights

WARDS = Margin("ward", {"a": 0.5, "b": 0.3, "c": 0.2})
# Ten residents: 2 in ward a, 2 in b, 6 in c, and the pence each gave one service.
GROUPS = ["a", "a", "b", "b", "c", "c", "c", "c", "c", "c"]
PENCE = [10.0, 20.0, 30.0, 30.0, 40.0, 40.0, 40.0, 40.0, 40.0, 40.0]


def test_post_stratification_by_hand() -> None:
    w = post_stratify(GROUPS, WARDS)
    # population share x n / residents in the ward: a 0.5*10/2, b 0.3*10/2, c 0.2*10/6
    assert w[:2] == pytest.approx([2.5, 2.5])
    assert w[2:4] == pytest.approx([1.5, 1.5])
    assert w[4:] == pytest.approx([1 / 3] * 6)
    assert sum(w) == pytest.approx(10)
    est = weighted_mean(PENCE, w)
    # the wards' means weighted by their population shares: 15 * 0.5 + 30 * 0.3 + 40 * 0.2
    assert est.mean == pytest.approx(24.5)
    assert weighted_mean(PENCE).mean == pytest.approx(33.0)  # unweighted: 330 / 10
    # Kish: 10^2 / (2 * 2.5^2 + 2 * 1.5^2 + 6 * (1/3)^2) = 100 / 17.6667
    assert kish(w) == pytest.approx(100 / (12.5 + 4.5 + 6 / 9))
    # the linearised standard error by hand: n/(n-1) * sum((w (y - mean))^2) / (sum w)^2
    residuals = [2.5 * -14.5, 2.5 * -4.5, 1.5 * 5.5, 1.5 * 5.5] + [15.5 / 3] * 6
    se = math.sqrt(10 / 9 * sum(r * r for r in residuals) / 100)
    assert est.se == pytest.approx(se)
    assert (est.low, est.high) == pytest.approx((24.5 - 1.959964 * se, 24.5 + 1.959964 * se))


def test_equal_weights_give_the_textbook_interval() -> None:
    est = weighted_mean(PENCE)
    assert est.mean == pytest.approx(statistics.fmean(PENCE))
    assert est.se == pytest.approx(statistics.stdev(PENCE) / math.sqrt(len(PENCE)))
    assert kish([1.0] * 10) == pytest.approx(10)


def test_residents_who_did_not_say_keep_their_share() -> None:
    groups = ["a", "b", "c", None, None]
    w = post_stratify(groups, WARDS)
    assert w[3:] == [1.0, 1.0]  # 2 of 5 did not say: their weight stays theirs
    assert sum(w[:3]) == pytest.approx(3)
    assert w[:3] == pytest.approx([1.5, 0.9, 0.6])  # the rest split 0.5/0.3/0.2 of the 3 who said


def ipf_table(residents: list[tuple[str, str]], rows: Margin, cols: Margin) -> list[float]:
    """An independent raking: proportional fitting of the two-way table of counts, then each resident's weight
    is their cell's fitted total over its count."""
    r_keys, c_keys = sorted(rows.shares), sorted(cols.shares)
    counts = np.zeros((len(r_keys), len(c_keys)))
    for a, b in residents:
        counts[r_keys.index(a), c_keys.index(b)] += 1
    n = counts.sum()
    row_t = np.array([rows.shares[k] for k in r_keys]) * n
    col_t = np.array([cols.shares[k] for k in c_keys]) * n
    fitted = counts.copy()
    for _ in range(5000):
        fitted *= (row_t / fitted.sum(axis=1))[:, None]
        fitted *= (col_t / fitted.sum(axis=0))[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        cell = np.where(counts > 0, fitted / counts, 0)
    return [float(cell[r_keys.index(a), c_keys.index(b)]) for a, b in residents]


AGES = Margin("age", {"young": 0.55, "old": 0.45})
TWO_WAY = [("a", "young")] * 3 + [("a", "old")] * 1 + [("b", "young")] * 1 + [("b", "old")] * 3 + [
    ("c", "young")
] * 4 + [("c", "old")] * 2


def test_raking_matches_proportional_fitting_of_the_table() -> None:
    ours = rake([list(r) for r in TWO_WAY], [WARDS, AGES])
    assert ours == pytest.approx(ipf_table(TWO_WAY, WARDS, AGES), rel=1e-6)
    n = len(TWO_WAY)
    for margin, index in ((WARDS, 0), (AGES, 1)):
        for key, share in margin.shares.items():
            assert sum(w for w, r in zip(ours, TWO_WAY, strict=True) if r[index] == key) == pytest.approx(share * n)


def test_one_margin_raked_is_post_stratified() -> None:
    assert weights([[g] for g in GROUPS], [WARDS]) == pytest.approx(rake([[g] for g in GROUPS], [WARDS]))


@pytest.mark.parametrize(
    ("margin", "groups", "reason"),
    [
        (Margin("ward", {"a": 0.5, "b": 0.5, "c": 0.0}), ["a", "b", "c"], "population share of 0"),
        (Margin("ward", {"a": 0.7, "b": 0.3}), ["a", "b", "c"], "'c', which has no population share"),
        (Margin("ward", {"a": 0.5, "b": 0.3, "c": 0.2}), ["a", "b", "b"], "no resident is in the group 'c'"),
        (Margin("ward", {"a": 0.5, "b": 0.4}), ["a", "b"], "add up to 0.9"),
        (Margin("ward", {}), ["a"], "no population shares"),
    ],
)
def test_refusals_say_why(margin: Margin, groups: list[str], reason: str) -> None:
    with pytest.raises(WeightingError, match=reason):
        post_stratify(groups, margin)


@st.composite
def samples(draw: st.DrawFn) -> tuple[list[list[str | None]], list[Margin]]:
    sizes = draw(st.lists(st.integers(2, 4), min_size=1, max_size=3))
    margins = []
    for m, k in enumerate(sizes):
        raw = draw(st.lists(st.integers(1, 50), min_size=k, max_size=k))
        margins.append(Margin(f"m{m}", {f"g{i}": v / sum(raw) for i, v in enumerate(raw)}))
    n = draw(st.integers(max(sizes) * 2, 60))
    rows: list[list[str | None]] = [
        [draw(st.sampled_from([*m.shares, None])) for m in margins] for _i in range(n)
    ]
    for m, margin in enumerate(margins):  # every group has at least one resident
        for i, key in enumerate(margin.shares):
            rows[i][m] = key
    return rows, margins


@settings(max_examples=60, deadline=None)
@given(samples())
def test_weights_add_up_and_match_every_margin(sample: tuple[list[list[str | None]], list[Margin]]) -> None:
    rows, margins = sample
    try:
        w = weights(rows, margins)
    except WeightingError as e:  # margins that cannot all be met are refused, never half met
        assert "raking did not settle" in str(e)
        return
    n = len(rows)
    assert sum(w) == pytest.approx(n)
    assert all(x > 0 for x in w)
    assert 0 < kish(w) <= n + 1e-9
    for m, margin in enumerate(margins):
        unstated = Counter(r[m] for r in rows)[None]
        for key, share in margin.shares.items():
            total = sum(x for x, r in zip(w, rows, strict=True) if r[m] == key)
            assert total == pytest.approx(share * (n - unstated), rel=1e-6, abs=1e-6)
        assert sum(x for x, r in zip(w, rows, strict=True) if r[m] is None) == pytest.approx(unstated, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 100), min_size=2, max_size=40), st.data())
def test_weighted_mean_lies_within_the_values(values: list[float], data: st.DataObject) -> None:
    w = data.draw(st.lists(st.floats(0.01, 10), min_size=len(values), max_size=len(values)))
    est = weighted_mean(values, w)
    assert min(values) - 1e-9 <= est.mean <= max(values) + 1e-9
    assert est.low <= est.mean <= est.high
