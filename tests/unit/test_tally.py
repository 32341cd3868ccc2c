"""Tallies: allocations per service, and counts for ratings, choices, multiple choices and rankings."""

from __future__ import annotations

import random
import statistics
from collections import Counter
from collections.abc import Iterable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogues.questions import Tally, of
from dialogues.questions.free_text import Written
from dialogues.schema import Service
from dialogues.tally import AllocationTally, tally_pence_counts
from tests.unit.example import CHOICE, EXAMPLE, MULTIPLE, POUND, RANKING, RATING, SERVICES, TEXT, pence_tally
from tests.unit.test_allocation import valid_allocations

TWO = [Service(name="Roads", today=60), Service(name="Parks", today=40)]


def by_statistics(services: list[Service], allocations: list[dict[str, int]]) -> list[float]:
    """An independent count: each service's column built whole and handed to the statistics module."""
    out = []
    for s in services:
        column = [a.get(s.key, 0) for a in allocations]
        q1, _q2, q3 = statistics.quantiles(column, n=4, method="inclusive") if len(column) > 1 else [column[0]] * 3
        out += [statistics.mean(column), statistics.median(column), min(column), max(column), q1, q3]
    return out


def figures_of(t: AllocationTally) -> list[float]:
    """Each service's mean, median, lowest, highest and quartiles, one after another."""
    return [x for s in t.services for x in (s.mean, s.median, s.low, s.high, s.q1, s.q3)]


def test_allocations_on_a_hand_example() -> None:
    t = pence_tally(TWO, [{"roads": 50, "parks": 50}, {"roads": 70, "parks": 30}, {"roads": 90, "parks": 10}])
    assert t.respondents == 3
    roads, parks = t.services
    assert (roads.mean, roads.median, roads.low, roads.high) == (70.0, 70.0, 50, 90)
    assert (parks.mean, parks.median, parks.low, parks.high) == (30.0, 30.0, 10, 50)
    assert (roads.q1, roads.q3) == (60.0, 80.0)
    assert roads.change == 10.0 and parks.change == -10.0


def test_a_missing_service_counts_as_zero() -> None:
    t = pence_tally(TWO, [{"roads": 100}])
    assert [s.mean for s in t.services] == [100.0, 0.0]


def test_no_allocations_tally_to_zero() -> None:
    t = pence_tally(TWO, [])
    assert t.respondents == 0 and all(s.mean == 0 for s in t.services)
    assert t.raise_most() == [] and t.cut_most() == []


def test_raise_most_and_cut_most() -> None:
    t = pence_tally(SERVICES, [{
        "adult_social_care": 24, "childrens_services": 23, "public_health": 7, "bins_and_recycling": 6,
        "roads_and_transport": 6, "housing": 13, "parks_and_leisure": 8, "libraries_and_culture": 5,
        "community_safety": 2, "running_the_council": 6,
    }])
    assert [s.key for s in t.raise_most()] == ["housing", "parks_and_leisure", "libraries_and_culture"]
    assert [s.change for s in t.raise_most()] == [8.0, 4.0, 2.0]
    assert [s.key for s in t.raise_most(1)] == ["housing"]
    assert [s.key for s in t.cut_most()] == ["adult_social_care", "running_the_council"]
    assert [s.change for s in t.cut_most()] == [-10.0, -4.0]
    unchanged = {s.key for s in t.services} - {s.key for s in t.raise_most(10) + t.cut_most(10)}
    assert "childrens_services" in unchanged


def tally(q: Any, values: Iterable[Any]) -> Tally[Any, Any]:
    """A question's tally of stored answers, one resident each; None (no answer) is not counted, as in a round."""
    t = of(q).tally(EXAMPLE, q)
    for v in values:
        if v is not None:
            of(q).add_raw(EXAMPLE, q, t, v)
    return t


def test_ratings_are_counted_per_value() -> None:
    q = RATING
    t = tally(q, [5, 4, 4, None, 1])
    assert t.respondents == 4
    f = t.figures()
    assert f.counts == ((1, 1), (2, 0), (3, 0), (4, 2), (5, 1))
    assert f.mean == pytest.approx(3.5)
    assert tally(q, []).respondents == 0


def test_single_choices_are_counted_per_option() -> None:
    q = CHOICE
    t = tally(q, ["no_rise", "up_to_3", "no_rise", None])
    assert t.respondents == 3
    assert t.figures().counts == (("No rise", 2), ("Up to 3%", 1), ("Up to 5%", 0), ("Don't know", 0))


def test_multiple_choices_count_every_tick() -> None:
    q = MULTIPLE
    t = tally(q, [["cleaner_streets", "affordable_housing"], ["affordable_housing"], []])
    assert t.respondents == 3
    counts = dict(t.figures().counts)
    assert counts["Affordable housing"] == 2 and counts["Cleaner streets"] == 1
    assert counts["Jobs and skills"] == 0 and len(counts) == 6


def test_rankings_are_ordered_by_mean_position() -> None:
    q = RANKING
    share, charge, volunteers, online = (o.key for o in q.options)
    t = tally(q, [
        [online, share, charge, volunteers],
        [online, charge, share, volunteers],
        [share, online, volunteers, charge],
    ])
    assert t.respondents == 3
    places = t.figures().places
    assert [label for label, _ in places] == [
        "Move more services online", "Share buildings with other public bodies",
        "Charge more for some services", "Use more volunteers",
    ]
    assert [pos for _, pos in places] == pytest.approx([4 / 3, 2.0, 3.0, 11 / 3])


def test_free_text_counts_who_wrote() -> None:
    q = TEXT
    t = tally(q, ["More buses", None, "Fix potholes"])
    assert t.respondents == 2 and t.figures() == Written(2)  # what they wrote is read, never published as figures


def test_the_allocation_question_leads() -> None:
    assert [q for q in EXAMPLE.questions if of(q).charted] == [POUND]


def test_an_allocation_is_streamed_not_counted() -> None:
    # The database counts equal answers only for types whose answers repeat; every pound is streamed.
    assert not of(POUND).repeats
    assert all(of(q).repeats for q in (RATING, CHOICE, MULTIPLE, RANKING))
    today = {s.key: s.today for s in SERVICES}
    moved = {**today, "adult_social_care": today["adult_social_care"] - 10, "housing": today["housing"] + 10}
    allocations = [today, moved]
    t = tally(POUND, allocations)
    assert t.respondents == 2
    assert t.figures() == pence_tally(SERVICES, allocations)
    assert [s.key for s in t.figures().raise_most()] == ["housing"]


# Property tests


@settings(max_examples=200, deadline=None)
@given(st.lists(valid_allocations(), min_size=1, max_size=30))
def test_per_service_means_of_valid_allocations_sum_to_100(allocations: list[dict[str, int]]) -> None:
    t = pence_tally(SERVICES, allocations)
    assert t.respondents == len(allocations)
    assert abs(sum(s.mean for s in t.services) - 100) < 1e-6
    for s, service in zip(t.services, SERVICES, strict=True):
        assert service.min <= s.low <= s.q1 <= s.median <= s.q3 <= s.high <= service.max
        assert s.low <= s.mean <= s.high


@settings(max_examples=200, deadline=None)
@given(st.lists(valid_allocations(), min_size=0, max_size=30), st.randoms(use_true_random=False))
def test_the_order_of_residents_changes_nothing(allocations: list[dict[str, int]], rnd: random.Random) -> None:
    shuffled = list(allocations)
    rnd.shuffle(shuffled)
    assert pence_tally(SERVICES, shuffled) == pence_tally(SERVICES, allocations)
    assert pence_tally(SERVICES, reversed(allocations)) == pence_tally(SERVICES, allocations)


# Counted answers (as the database counts them for results and exports) tally as the answers themselves


def _answers(q: object) -> st.SearchStrategy[list[object]]:
    if q is RATING:
        one: st.SearchStrategy[object] = st.integers(RATING.scale_min, RATING.scale_max)
    elif q is CHOICE:
        one = st.sampled_from([o.key for o in CHOICE.options])
    elif q is MULTIPLE:
        one = st.lists(st.sampled_from([o.key for o in MULTIPLE.options]), min_size=1, max_size=3, unique=True)
    else:
        one = st.permutations([o.key for o in RANKING.options])
    return st.lists(st.none() | one, max_size=40)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([RATING, CHOICE, MULTIPLE, RANKING]).flatmap(lambda q: st.tuples(st.just(q), _answers(q))))
def test_counted_answers_tally_as_the_answers(case: tuple[Any, list[object]]) -> None:
    q, values = case
    counted = Counter(tuple(v) if isinstance(v, list) else v for v in values if v is not None)
    t = of(q).tally(EXAMPLE, q)
    for value, times in counted.items():
        of(q).add_raw(EXAMPLE, q, t, value, times)
    one_by_one = tally(q, values)
    assert t.respondents == one_by_one.respondents == sum(v is not None for v in values)
    assert t.figures() == one_by_one.figures()


@settings(max_examples=100, deadline=None)
@given(st.lists(valid_allocations(), max_size=30))
def test_pence_counts_tally_as_the_statistics_module_counts(allocations: list[dict[str, int]]) -> None:
    counts = {s.key: Counter(a.get(s.key, 0) for a in allocations) for s in SERVICES}
    t = tally_pence_counts(SERVICES, len(allocations), counts)
    assert t.respondents == len(allocations)
    if allocations:
        assert figures_of(t) == pytest.approx(by_statistics(SERVICES, allocations))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(valid_allocations(), st.integers(1, 3)), max_size=30))
def test_the_pound_tally_is_the_allocations_tally(given_: list[tuple[dict[str, int], int]]) -> None:
    t = of(POUND).tally(EXAMPLE, POUND)
    for a, times in given_:
        of(POUND).add_raw(EXAMPLE, POUND, t, a, times)
    allocations = [a for a, times in given_ for _ in range(times)]
    assert t.respondents == len(allocations)
    if allocations:
        assert figures_of(t.figures()) == pytest.approx(by_statistics(SERVICES, allocations))


odd_pounds = st.one_of(
    valid_allocations(),
    st.dictionaries(st.sampled_from([s.key for s in SERVICES] + ["gone_service"]),
                    st.one_of(st.integers(-5, 300), st.text(max_size=3), st.none()), max_size=12),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(odd_pounds, max_size=40))
def test_a_batch_of_pounds_counts_as_the_pounds_one_by_one(pounds: list[dict[str, Any]]) -> None:
    """Results add the streamed pounds a batch at a time; a batch with an odd pound in it (a service dropped or
    added by a later version, a value out of range) counts exactly as adding each pound would."""
    one_by_one = of(POUND).tally(EXAMPLE, POUND)
    for p in pounds:
        of(POUND).add_raw(EXAMPLE, POUND, one_by_one, p)
    batched = of(POUND).tally(EXAMPLE, POUND)
    of(POUND).add_raw_many(EXAMPLE, POUND, batched, pounds)
    assert batched.respondents == one_by_one.respondents == len(pounds)
    assert batched.figures() == one_by_one.figures()
