"""A round's answers streamed into the results: any stored allocation counts as the clamped whole pence it means."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.results import _Accumulator, _int
from tests.unit.example import EXAMPLE, POUND, SERVICES

KEYS = [s.key for s in SERVICES]
pence = st.one_of(
    st.integers(0, 100), st.integers(-50, 300), st.floats(-10, 200, allow_nan=False), st.booleans(), st.none(),
    st.text(max_size=3), st.sampled_from(["12", "7.5", "x"]),
)  # fmt: skip
allocation = st.dictionaries(st.sampled_from([*KEYS, "climate_action"]), pence, max_size=len(KEYS) + 1)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(allocation, st.integers(1, 3)), max_size=20))
def test_every_allocation_counts_as_clamped_whole_pence(given_: list[tuple[dict[str, Any], int]]) -> None:
    acc = _Accumulator(EXAMPLE)
    expected: list[int] = []
    for value, times in given_:
        acc.add(POUND.key, value, times)
        expected += [min(100, max(0, _int(value.get(k)))) for k in KEYS] * times
    assert acc.allocations == sum(t for _, t in given_)
    assert list(acc.pence) == expected
