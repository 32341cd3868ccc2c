"""Who took part and what each group said, on a planted consultation with three wards of known population
shares: weighted means equal a hand computation, a ward of 4 residents is withheld everywhere it appears (and
another with it, so it cannot be worked out), and /reach names the under-represented ward."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogues.breakdown import RoundResidents, breakdown, respondent
from dialogues.groups import UNSTATED
from dialogues.questions.base import groupings
from dialogues.reach import reach_screen, under_represented
from dialogues.report import NOT_SHOWN
from dialogues.weighting import Margin, rake
from tests.unit.example import html, said
from tests.unit.planted import PLANTED, PLANTED_BOTH
from tests.unit.test_weighting import ipf_table

# 20 residents in North gave parks 70p, 16 in Central 50p, 4 in South 30p (buses the rest)
PEOPLE: list[dict[str, Any]] = (
    [{"pound": {"parks": 70, "buses": 30}, "ward": "north", "age": "under_45" if i % 2 else "45_or_over"}
     for i in range(20)]
    + [{"pound": {"parks": 50, "buses": 50}, "ward": "central", "age": "under_45" if i % 4 else "45_or_over"}
       for i in range(16)]
    + [{"pound": {"parks": 30, "buses": 70}, "ward": "south", "age": "45_or_over"} for i in range(4)]
)  # fmt: skip


def rows(table: Any, group: str) -> list[list[Any]]:
    return [r for r in table.rows if said(r[2]) == group]


def planted(spec: Any = PLANTED, people: list[dict[str, Any]] = PEOPLE) -> Any:
    gs = groupings(spec)
    residents = [respondent(spec, gs, a) for a in people]
    b = breakdown(spec, [RoundResidents(1, "Round 1", residents)], minimum=10)
    assert b is not None
    return b


def test_weighted_means_equal_a_hand_computation() -> None:
    b = planted()
    (q, table), = b.weighted
    assert q.key == "pound"
    parks, buses = table.rows
    # round, figure, residents, unweighted mean, from, to, weighted mean, from, to, effective sample size
    assert parks[1] == "Parks" and parks[2] == 40
    assert parks[3] == pytest.approx((20 * 70 + 16 * 50 + 4 * 30) / 40)  # 58.0
    assert parks[6] == pytest.approx(0.5 * 70 + 0.3 * 50 + 0.2 * 30)  # 56.0, to the wards' population shares
    assert buses[6] == pytest.approx(0.5 * 30 + 0.3 * 50 + 0.2 * 70)  # 44.0
    # weights 1 (North), 0.75 (Central), 2 (South): (sum w)^2 / sum w^2 = 40^2 / (20 + 16 * 0.5625 + 4 * 4)
    assert parks[9] == pytest.approx(round(1600 / 45, 1))
    assert parks[4] < parks[3] < parks[5] and parks[7] < parks[6] < parks[8]
    assert "post-stratification" in said(table.note)


def test_a_ward_of_four_is_withheld_everywhere_it_appears() -> None:
    b = planted()
    who = b.participation
    south = rows(who, "South")
    assert south[0][:7] == [1, "Ward", "South", NOT_SHOWN, NOT_SHOWN, 0.2, NOT_SHOWN]
    assert said(south[0][7]) == "yes"  # under-represented: the report names it, as /reach does
    assert rows(who, "North")[0][7] is None
    # Central too: otherwise South would be 40 - 20 - 0 - Central
    assert rows(who, "Central")[0][3] == NOT_SHOWN
    assert rows(who, "North")[0][3:5] == [20, 0.5]
    (_q, by_ward), = b.by_group
    assert rows(by_ward, "South")[0][3:] == [NOT_SHOWN, NOT_SHOWN, NOT_SHOWN]
    assert rows(by_ward, "Central")[0][3:] == [NOT_SHOWN, NOT_SHOWN, NOT_SHOWN]
    assert rows(by_ward, "North")[0][3:] == [20, 70.0, 30.0]
    for table in (who, by_ward):  # 4 and 16 (or anything that adds up to them) are written nowhere
        for r in table.rows:
            if said(r[2]) in {"South", "Central"}:
                assert 4 not in r and 16 not in r


def test_raking_to_two_margins_matches_an_independent_fit() -> None:
    b = planted(PLANTED_BOTH)
    (_q, table), = b.weighted
    pairs = [(p["ward"], p["age"]) for p in PEOPLE]
    gs = groupings(PLANTED_BOTH)
    margins = [Margin(str(g.key), g.population()) for g in gs]
    w = ipf_table(pairs, margins[0], margins[1])
    assert rake([list(p) for p in pairs], margins) == pytest.approx(w, rel=1e-6)
    parks = sum(wi * p["pound"]["parks"] for wi, p in zip(w, PEOPLE, strict=True)) / sum(w)
    assert table.rows[0][6] == pytest.approx(parks, abs=1e-3)
    assert "raking" in said(table.note)


def test_residents_who_prefer_not_to_say_are_their_own_row() -> None:
    people = [*PEOPLE, *({"pound": {"parks": 0, "buses": 100}, "ward": "_prefer_not"} for _i in range(30))]
    b = planted(people=people)
    unstated = [r for r in b.participation.rows if r[1] == "Ward" and "no answer" in said(r[2])]
    assert unstated[0][3] == 30 and unstated[0][4] is None  # shares are of those who said
    assert rows(b.participation, "North")[0][4] == pytest.approx(0.5)
    assert respondent(PLANTED, groupings(PLANTED), people[-1]).groups[0] is None
    assert UNSTATED  # the grouping's own key for them never collides with an option's


def test_reach_names_the_under_represented_ward() -> None:
    gs = groupings(PLANTED)
    counts = {"ward": {"north": 20, "central": 16, "south": 4}, "age": {"under_45": 20, "45_or_over": 20}}
    short = under_represented(gs, counts)
    assert [(s.grouping.key, s.group.label) for s in short] == [("ward", "South")]
    assert short[0].needed == 5  # (4 + 5) / (40 + 5) = 20%
    text = html(reach_screen("Three wards", 1, 40, gs, short, 10))
    assert "South" in text and "fewer than 10 residents" in text and "20% of the population" in text
    assert "North" not in text


def test_a_consultation_without_groupings_has_no_breakdown() -> None:
    from tests.unit.example import EXAMPLE

    assert breakdown(EXAMPLE, [], 10) is None


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["north", "central", "south", "_prefer_not", None]),
                       st.sampled_from(["under_45", "45_or_over", None]), st.integers(0, 100)),
             min_size=0, max_size=60),
    st.integers(2, 12),
)  # fmt: skip
def test_no_table_shows_a_group_smaller_than_the_minimum(people: list[tuple[Any, Any, int]], minimum: int) -> None:
    gs = groupings(PLANTED_BOTH)
    answers = [{"pound": {"parks": p, "buses": 100 - p}, "ward": w, "age": a} for w, a, p in people]
    residents = [respondent(PLANTED_BOTH, gs, {k: v for k, v in x.items() if v is not None}) for x in answers]
    b = breakdown(PLANTED_BOTH, [RoundResidents(1, "Round 1", residents)], minimum)
    assert b is not None
    (_q, by_ward), = b.by_group
    # the round's total is the Rounds table's figure; every group's number is either shown in full or withheld
    for table, figures in ((b.participation, [4, 6]), (by_ward, [4, 5])):
        for margin in ("Ward", "Age band"):
            cells = [r for r in table.rows if r[1] == margin and said(r[2]) != "All residents"]
            counts = [r[3] for r in cells]
            assert all(c == NOT_SHOWN or c == 0 or c >= minimum for c in counts)
            assert sum(c == NOT_SHOWN for c in counts) != 1  # one alone could be worked out from the total
            for r in cells:
                if r[3] == NOT_SHOWN:
                    assert all(r[i] == NOT_SHOWN for i in figures if r[i] is not None)  # its share or means too
                    assert r[4] == NOT_SHOWN
    (_q, w), = b.weighted
    for row in w.rows:
        assert row[2] == NOT_SHOWN or row[2] == 0 or row[2] >= minimum
