"""Small-cell suppression with complementary suppression: no figure under the minimum can be read, not even as a
shown total minus the shown cells."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dialogues.suppression import hidden


def test_a_small_cell_and_its_complement_are_hidden() -> None:
    # 4 is under 10; alone it would be 59 - 30 - 25, so the smallest other cell goes too
    assert hidden([4, 30, 25], 10) == [True, False, True]


def test_nothing_small_nothing_hidden() -> None:
    assert hidden([10, 30, 0], 10) == [False, False, False]


def test_two_small_cells_that_together_reach_the_minimum() -> None:
    assert hidden([6, 5, 40], 10) == [True, True, False]


def test_two_small_cells_below_the_minimum_together_take_a_third() -> None:
    assert hidden([2, 3, 12, 40], 10) == [True, True, True, False]


def test_a_total_under_the_minimum_hides_everything() -> None:
    assert hidden([3, 4], 10) == [True, True]


@given(st.lists(st.integers(0, 40), min_size=1, max_size=12), st.integers(1, 15))
def test_no_small_figure_can_be_read(counts: list[int], minimum: int) -> None:
    hide = hidden(counts, minimum)
    assert len(hide) == len(counts)
    if sum(counts) < minimum:
        assert all(hide)
        return
    assert not any(0 < c < minimum and not h for c, h in zip(counts, hide, strict=True))
    held = [c for c, h in zip(counts, hide, strict=True) if h]
    # what the hidden cells add up to (the total minus the shown ones) is never a small number on its own
    assert not held or sum(held) >= minimum
    if any(0 < c < minimum for c in counts):
        assert sum(hide) >= 2
