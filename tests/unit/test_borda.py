"""The Borda count (dialogues/borda.py): a count worked by hand, the tie rule, bad ballots, properties, and two
independent counts: a plain one written here and votelib's."""

from __future__ import annotations

import itertools
import random

import pytest
import votelib.component.rankscore as rankscore
import votelib.convert
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogues.borda import borda, borda_counted
from dialogues.ranked import RankingError, instant_runoff

# Worked by hand: 9 residents rank three uses for a park, best first. With 3 options, first place is worth 2 points,
# second 1, last 0.
#
#   4 x  Playground > Pond > Paths     Playground 4 x 2 = 8   Pond 4 x 1 = 4   Paths 0
#   3 x  Paths > Pond > Playground     Playground 0           Pond 3 x 1 = 3   Paths 3 x 2 = 6
#   2 x  Pond > Playground > Paths     Playground 2 x 1 = 2   Pond 2 x 2 = 4   Paths 0
#                                      ----------------       --------------   ------------
#                                      Playground 10          Pond 11          Paths 6
#
# So Borda puts Pond first (11), then Playground (10), then Paths (6). Instant-runoff disagrees: in its first round
# Pond has the fewest first places (2) and is eliminated, both its ballots go to Playground, which then has 6 of 9.
PARK = ["Playground", "Pond", "Paths"]
PARK_BALLOTS = (
    [["Playground", "Pond", "Paths"]] * 4
    + [["Paths", "Pond", "Playground"]] * 3
    + [["Pond", "Playground", "Paths"]] * 2
)


def test_a_count_worked_by_hand() -> None:
    r = borda(PARK, PARK_BALLOTS)
    assert [(s.candidate, s.points, s.firsts) for s in r.standings] == [
        ("Pond", 11, 2), ("Playground", 10, 4), ("Paths", 6, 3)
    ]
    assert r.winner == "Pond" and r.ballots == 9 and r.tie_break is None
    assert instant_runoff(PARK, PARK_BALLOTS).winner == "Playground"


def test_equal_points_go_to_more_first_places_then_to_the_name_that_sorts_first() -> None:
    # A > C > B gives A 2, C 1; B > A > C twice gives B 4, A 2: A and B both have 4, B has two first places to A's one.
    r = borda(["A", "B", "C"], [["A", "C", "B"], ["B", "A", "C"], ["B", "A", "C"]])
    assert [(s.candidate, s.points) for s in r.standings] == [("B", 4), ("A", 4), ("C", 1)]
    assert r.tie_break == "first places"
    # A > B and B > A: 1 point and one first place each; A sorts first.
    r = borda(["B", "A"], [["A", "B"], ["B", "A"]])
    assert r.winner == "A" and r.tie_break == "name"


def test_a_left_out_candidate_gets_nothing_and_nobody_wins_an_empty_count() -> None:
    r = borda(["A", "B", "C"], [["C"]])
    assert [(s.candidate, s.points) for s in r.standings] == [("C", 2), ("A", 0), ("B", 0)]
    assert borda(["A", "B"], []).winner is None and borda(["A", "B"], [[]]).winner is None


@pytest.mark.parametrize(
    ("candidates", "ballots", "why"),
    [(["A"], [["B"]], "not a candidate"), (["A", "B"], [["A", "A"]], "twice"), (["A", "A"], [], "twice")],
)
def test_bad_ballots_are_refused_with_the_reason(candidates: list[str], ballots: list[list[str]], why: str) -> None:
    with pytest.raises(RankingError, match=why):
        borda(candidates, ballots)


NAMES = ["A", "B", "C", "D", "E"]
full_st = st.lists(st.permutations(NAMES), max_size=40)
partial_st = st.lists(st.permutations(NAMES).flatmap(lambda p: st.integers(0, len(p)).map(lambda k: p[:k])),
                      max_size=40)


def plain_borda(candidates: list[str], ballots: list[list[str]]) -> dict[str, int]:
    """Points written out the long way: for every ballot and every candidate, how many candidates it ranks below."""
    points = dict.fromkeys(candidates, 0)
    for b in ballots:
        for c in candidates:
            if c in b:
                points[c] += len(candidates) - 1 - b.index(c)
    return points


@settings(max_examples=300, deadline=None)
@given(partial_st)
def test_points_equal_a_plain_count_and_the_order_follows_the_rule(ballots: list[list[str]]) -> None:
    r = borda(NAMES, ballots)
    assert {s.candidate: s.points for s in r.standings} == plain_borda(NAMES, ballots)
    keys = [(-s.points, -s.firsts, s.candidate) for s in r.standings]
    assert keys == sorted(keys)
    assert sum(s.firsts for s in r.standings) == sum(1 for b in ballots if b)


@settings(max_examples=300, deadline=None)
@given(full_st)
def test_full_rankings_share_the_same_points_in_all(ballots: list[list[str]]) -> None:
    # Every full ranking hands out 4 + 3 + 2 + 1 + 0 points, and the mean place is n - 1 - points / ballots.
    r = borda(NAMES, ballots)
    assert sum(s.points for s in r.standings) == 10 * len(ballots)
    for s in r.standings:
        if ballots:
            mean_place = sum(b.index(s.candidate) + 1 for b in ballots) / len(ballots)
            assert mean_place == pytest.approx(len(NAMES) - s.points / len(ballots))


@settings(max_examples=200, deadline=None)
@given(partial_st, st.randoms(use_true_random=False))
def test_counting_equal_ballots_together_changes_nothing(ballots: list[list[str]], rnd: random.Random) -> None:
    grouped: dict[tuple[str, ...], int] = {}
    for b in ballots:
        grouped[tuple(b)] = grouped.get(tuple(b), 0) + 1
    pairs = list(grouped.items())
    rnd.shuffle(pairs)
    assert borda_counted(NAMES, pairs) == borda(NAMES, ballots)


def test_points_equal_votelib_on_random_elections() -> None:
    # votelib's Borda with base 0 (last place 0 points, unranked 0) over the candidates the ballots rank: every
    # election here ranks every candidate somewhere (one full ranking is always among its ballots).
    rnd = random.Random(15)
    for _ in range(300):
        names = NAMES[: rnd.randint(2, 5)]
        ballots = [rnd.sample(names, len(names))] + [
            rnd.sample(names, rnd.randint(1, len(names))) for _ in range(rnd.randint(0, 60))
        ]
        grouped: dict[tuple[str, ...], int] = {}
        for b in ballots:
            grouped[tuple(b)] = grouped.get(tuple(b), 0) + 1
        theirs = votelib.convert.RankedToPositionalVotes(rankscore.Borda(base=0)).convert(grouped)
        ours = borda(names, ballots)
        assert {s.candidate: s.points for s in ours.standings} == {n: theirs.get(n, 0) for n in names}, ballots


def test_every_ranking_of_three_puts_the_winner_first_by_the_rule() -> None:
    # Exhaustive over every election of up to three residents on three options: the winner has the most points,
    # and among those the most first places, and among those the name that sorts first.
    rankings = list(itertools.permutations(["A", "B", "C"]))
    for n in range(1, 4):
        for election in itertools.combinations_with_replacement(rankings, n):
            r = borda(["A", "B", "C"], election)
            points = plain_borda(["A", "B", "C"], [list(b) for b in election])
            firsts = {c: sum(1 for b in election if b[0] == c) for c in "ABC"}
            best = min("ABC", key=lambda c: (-points[c], -firsts[c], c))
            assert r.winner == best
