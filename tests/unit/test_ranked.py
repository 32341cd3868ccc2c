"""Instant-runoff voting (dialogues/ranked.py): a count worked by hand, ties, bad ballots, properties, and two
independent counts: a deliberately simple one written here (it recounts every ballot from scratch each round) and
pyrankvote's."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyrankvote import Ballot, Candidate, instant_runoff_voting

from dialogues.ranked import RankingError, instant_runoff, instant_runoff_counted

# Worked by hand: 9 residents rank four uses for the old library, best first (some stop early).
#
#   4 x  Cafe > Hub            -> round 1: Cafe 4, Hub 2, Museum 2, Garden 1 (9 live; a majority needs 5)
#   2 x  Hub > Museum             Garden has fewest (1): eliminated; its ballot ranks nobody else: exhausted
#   2 x  Museum > Hub          -> round 2: Cafe 4, Hub 2, Museum 2 (8 live, 1 exhausted; majority needs 5)
#   1 x  Garden                   Hub and Museum tie on 2; in round 1 they also tied (2, 2); so by name the one
#                                 that sorts last goes: Museum; its 2 ballots move to Hub
#                             -> round 3: Cafe 4, Hub 4 (8 live); nobody has more than 4; tie again, and in rounds
#                                 2 and 1 Cafe had 4 and Hub 2: Hub has fewest in the round before, so Hub goes;
#                                 Hub's 4 ballots (2 Hub > Museum, 2 Museum > Hub) rank nobody left: exhausted
#                             -> round 4: Cafe 4 of 4 live (5 exhausted): Cafe wins
LIBRARY = ["Cafe", "Hub", "Museum", "Garden"]
LIBRARY_BALLOTS = (
    [["Cafe", "Hub"]] * 4 + [["Hub", "Museum"]] * 2 + [["Museum", "Hub"]] * 2 + [["Garden"]]
)


def test_a_count_worked_by_hand() -> None:
    r = instant_runoff(LIBRARY, LIBRARY_BALLOTS)
    assert r.winner == "Cafe" and r.ballots == 9
    one, two, three, four = r.rounds
    assert one.counts == (("Cafe", 4), ("Hub", 2), ("Museum", 2), ("Garden", 1))
    assert (one.continuing, one.exhausted, one.eliminated, one.tie_break) == (9, 0, "Garden", None)
    assert (one.transfers, one.newly_exhausted) == ((), 1)
    assert two.counts == (("Cafe", 4), ("Hub", 2), ("Museum", 2))
    assert (two.continuing, two.exhausted, two.eliminated, two.tie_break) == (8, 1, "Museum", "name")
    assert two.transfers == (("Hub", 2),)
    assert three.counts == (("Cafe", 4), ("Hub", 4))
    assert (three.eliminated, three.tie_break, three.newly_exhausted) == ("Hub", "earlier rounds", 4)
    assert four.counts == (("Cafe", 4),) and (four.continuing, four.exhausted, four.winner) == (4, 5, "Cafe")


def test_a_majority_in_the_first_round_ends_the_count() -> None:
    r = instant_runoff(["A", "B", "C"], [["A"], ["A", "B"], ["B"]])
    assert r.winner == "A" and len(r.rounds) == 1 and r.rounds[0].counts == (("A", 2), ("B", 1), ("C", 0))


def test_transfers_decide_a_winner_who_was_behind() -> None:
    # Round 1: A 3, B 2, C 2 (7 live, majority 4): B and C tie, and tied in no earlier round: C (sorts last) goes.
    # Both C ballots rank B next: round 2: B 4, A 3: B wins with 4 of 7.
    r = instant_runoff(["A", "B", "C"], [["A"]] * 3 + [["B"]] * 2 + [["C", "B"]] * 2)
    assert r.winner == "B"
    assert r.rounds[0].eliminated == "C" and r.rounds[0].transfers == (("B", 2),)
    assert r.rounds[1].counts == (("B", 4), ("A", 3))


def test_half_is_not_a_majority() -> None:
    r = instant_runoff(["A", "B"], [["A"], ["B"]])
    assert r.rounds[0].winner is None and r.rounds[0].eliminated == "B" and r.rounds[0].tie_break == "name"
    assert r.winner == "A" and r.rounds[1].continuing == 1 and r.rounds[1].exhausted == 1


def test_nobody_wins_when_no_ballot_ranks_anyone() -> None:
    assert instant_runoff(["A", "B"], []).winner is None
    assert instant_runoff(["A", "B"], [[], []]).rounds[0].exhausted == 2
    assert instant_runoff([], []).winner is None


@pytest.mark.parametrize(
    ("candidates", "ballots", "why"),
    [(["A"], [["B"]], "not a candidate"), (["A", "B"], [["A", "A"]], "twice"), (["A", "A"], [], "twice")],
)
def test_bad_ballots_are_refused_with_the_reason(candidates: list[str], ballots: list[list[str]], why: str) -> None:
    with pytest.raises(RankingError, match=why):
        instant_runoff(candidates, ballots)


NAMES = ["A", "B", "C", "D", "E"]
ballots_st = st.lists(st.permutations(NAMES).flatmap(lambda p: st.integers(0, len(p)).map(lambda k: p[:k])),
                      max_size=40)


@settings(max_examples=300, deadline=None)
@given(ballots_st)
def test_the_winner_has_a_majority_of_continuing_ballots_in_the_last_round(ballots: list[list[str]]) -> None:
    r = instant_runoff(NAMES, ballots)
    last = r.rounds[-1]
    if r.winner is None:
        assert all(len(b) == 0 for b in ballots)
        return
    assert last.winner == r.winner and 2 * last.votes(r.winner) > last.continuing


@settings(max_examples=300, deadline=None)
@given(ballots_st)
def test_every_round_accounts_for_every_ballot(ballots: list[list[str]]) -> None:
    r = instant_runoff(NAMES, ballots)
    eliminated: list[str] = []
    for before, after in zip(r.rounds, r.rounds[1:], strict=False):
        assert before.continuing + before.exhausted == len(ballots)
        assert sum(n for _, n in before.counts) == before.continuing
        assert after.exhausted == before.exhausted + before.newly_exhausted
        assert before.eliminated is not None and before.eliminated not in eliminated
        eliminated.append(before.eliminated)
        lost = before.votes(before.eliminated)
        assert sum(n for _, n in before.transfers) + before.newly_exhausted == lost
        for name, n in before.transfers:
            assert after.votes(name) == before.votes(name) + n
        assert min(n for _, n in before.counts) == lost  # the eliminated one had fewest
    assert r.rounds[-1].continuing + r.rounds[-1].exhausted == len(ballots)


@settings(max_examples=100, deadline=None)
@given(ballots_st, st.randoms(use_true_random=False))
def test_the_order_of_the_ballots_does_not_matter(ballots: list[list[str]], rnd: random.Random) -> None:
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    assert instant_runoff(NAMES, shuffled) == instant_runoff(NAMES, ballots)


@settings(max_examples=200, deadline=None)
@given(ballots_st, st.randoms(use_true_random=False))
def test_counting_equal_ballots_together_changes_nothing(ballots: list[list[str]], rnd: random.Random) -> None:
    # The ranking tally keeps each distinct ranking once with how many residents gave it.
    grouped: dict[tuple[str, ...], int] = {}
    for b in ballots:
        grouped[tuple(b)] = grouped.get(tuple(b), 0) + 1
    pairs = list(grouped.items())
    rnd.shuffle(pairs)
    assert instant_runoff_counted(NAMES, pairs) == instant_runoff(NAMES, ballots)


def test_a_ballot_counted_a_negative_number_of_times_is_refused() -> None:
    with pytest.raises(RankingError, match="whole number"):
        instant_runoff_counted(["A", "B"], [(["A"], -1)])


def simple_runoff(candidates: list[str], ballots: list[list[str]]) -> tuple[str | None, list[str]]:
    """The rule written as plainly as possible, independently of dialogues/ranked.py: each round recounts every
    ballot for its first candidate still in; a majority of the ballots that count wins; else the fewest go, ties
    settled by fewest in the round before (and before that), then by the name that sorts last. (winner, eliminated
    in order)."""
    out: list[str] = []
    history: list[dict[str, int]] = []
    while True:
        left = [c for c in candidates if c not in out]
        tally = dict.fromkeys(left, 0)
        for b in ballots:
            for c in b:
                if c in tally:
                    tally[c] += 1
                    break
        history.append(tally)
        live = sum(tally.values())
        if not left or live == 0:
            return None, out
        for c in left:
            if 2 * tally[c] > live:
                return c, out
        fewest = min(tally.values())
        tied = [c for c in left if tally[c] == fewest]
        for past in reversed(history[:-1]):
            if len(tied) == 1:
                break
            least = min(past[c] for c in tied)
            tied = [c for c in tied if past[c] == least]
        out.append(max(tied))


@settings(max_examples=500, deadline=None)
@given(ballots_st)
def test_the_count_equals_a_simple_independent_count(ballots: list[list[str]]) -> None:
    r = instant_runoff(NAMES, ballots)
    winner, eliminated = simple_runoff(NAMES, ballots)
    assert r.winner == winner
    assert [x.eliminated for x in r.rounds if x.eliminated is not None] == eliminated


def test_the_count_equals_pyrankvote_on_elections_without_ties() -> None:
    # pyrankvote settles a tie for fewest by second choices, then at random: so only elections where no round
    # needed the tie rule are compared. Its winner is ours on every one of them.
    rnd = random.Random(15)
    compared = 0
    for _ in range(400):
        names = NAMES[: rnd.randint(2, 5)]
        ballots = [rnd.sample(names, rnd.randint(1, len(names))) for _ in range(rnd.randint(1, 60))]
        r = instant_runoff(names, ballots)
        if any(x.tie_break is not None for x in r.rounds):
            continue
        people = {n: Candidate(n) for n in names}
        theirs = instant_runoff_voting(
            list(people.values()), [Ballot(ranked_candidates=[people[n] for n in b]) for b in ballots]
        )
        assert [c.name for c in theirs.get_winners()] == [r.winner], ballots
        compared += 1
    assert compared >= 250  # most random elections need no tie rule
