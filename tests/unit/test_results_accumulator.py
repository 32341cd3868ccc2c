"""A round's answers streamed into the results: any stored allocation counts as the clamped whole pence it means."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.results import RoundTally
from dialogues.questions.allocation import PoundTally, _int
from dialogues.rounds import Round
from dialogues.tally import AllocationTally
from tests.unit.example import EXAMPLE, POUND, SERVICES

KEYS = [s.key for s in SERVICES]
ROUND = Round(id=1, consultation_id=1, number=1, title="Round 1", status="open")
pence = st.one_of(
    st.integers(0, 100), st.integers(-50, 300), st.floats(-10, 200, allow_nan=False), st.booleans(), st.none(),
    st.text(max_size=3), st.sampled_from(["12", "7.5", "x"]),
)  # fmt: skip
allocation = st.dictionaries(st.sampled_from([*KEYS, "climate_action"]), pence, max_size=len(KEYS) + 1)


def round_tally() -> RoundTally:
    return RoundTally(1, EXAMPLE, ROUND, started=0, finished=0)


def pound_tally(t: RoundTally) -> PoundTally:
    _q, _type, tally = t.tallies[POUND.key]
    assert isinstance(tally, PoundTally)
    return tally


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(allocation, st.integers(1, 3)), max_size=20))
def test_every_allocation_counts_as_clamped_whole_pence(given_: list[tuple[dict[str, Any], int]]) -> None:
    t = round_tally()
    expected: list[int] = []
    for value, times in given_:
        t.add(POUND.key, value, times)
        expected += [min(100, max(0, _int(value.get(k)))) for k in KEYS] * times
    assert pound_tally(t).respondents == sum(times for _, times in given_)
    assert list(pound_tally(t).pence) == expected


def test_dict_shaped_answers_are_counted() -> None:
    """Five pounds given as dicts count five residents with their means (an old accumulator swallowed a TypeError
    on a dict and reported nobody)."""
    today = {s.key: s.today for s in SERVICES}
    moved = {**today, "adult_social_care": today["adult_social_care"] - 10, "housing": today["housing"] + 10}
    given_ = [today, today, moved, moved, moved]
    t = round_tally()
    for a in given_[:3]:
        t.add(POUND.key, a)
    for a in given_[3:]:
        t.add_answers({POUND.key: a, f"{POUND.key}.why": "Because", "not_a_question": 3})
    [result] = [r for r in t.outcomes(minimum=5) if r.question.key == POUND.key]
    assert result.respondents == 5
    figures = result.figures
    assert isinstance(figures, AllocationTally) and figures.respondents == 5
    means = {s.key: s.mean for s in figures.services}
    for k in KEYS:
        assert means[k] == pytest.approx(sum(a[k] for a in given_) / 5), k
    assert means["housing"] == pytest.approx(today["housing"] + 6)
    assert means["adult_social_care"] == pytest.approx(today["adult_social_care"] - 6)
    assert abs(sum(means.values()) - 100) < 1e-9


def test_too_few_respondents_are_not_shown() -> None:
    t = round_tally()
    for _ in range(4):
        t.add(POUND.key, {s.key: s.today for s in SERVICES})
    t.add(POUND.key, None)
    t.add(POUND.key, "not a pound")
    [result] = [r for r in t.outcomes(minimum=5) if r.question.key == POUND.key]
    assert result.respondents == 4 and result.figures is None
