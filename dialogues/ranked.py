"""Instant-runoff voting over ranked ballots, round by round, so that the count can be shown and explained.

A ballot ranks some or all of the candidates, best first. Each round counts every ballot for its highest-ranked
candidate still in the count ("continuing"); a ballot that ranks no continuing candidate is exhausted and counts for
nobody from then on. A candidate with more than half of the continuing ballots wins. Otherwise the candidate with the
fewest votes is eliminated and its ballots move to their next continuing preference.

Ties for fewest are broken backwards: among the tied, the one with fewest votes in the round before is eliminated,
then the round before that, and so on back to the first round; if they are still tied, the one whose name sorts last
(Python's string order) is eliminated, so that, as in the budgeting rules, the name that sorts first is favoured.
Pure functions; no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class RankingError(ValueError):
    """Ballots the count cannot use: the message says what is wrong."""


@dataclass(frozen=True)
class Round:
    """One round of the count.

    `counts` holds every continuing candidate with its votes, most votes first (ties by name). `exhausted` is how many
    ballots count for nobody at this round (all rounds so far); `continuing` is how many still count. The round ends
    with a `winner` (more than half of `continuing`) or with `eliminated` and `transfers`: where that candidate's
    ballots went in the next round, (candidate, ballots) by candidate name, and how many of them became exhausted.
    `tie_break` says how a tie for fewest was settled: None (no tie), "earlier rounds" or "name"."""

    number: int
    counts: tuple[tuple[str, int], ...]
    continuing: int
    exhausted: int
    winner: str | None = None
    eliminated: str | None = None
    transfers: tuple[tuple[str, int], ...] = ()
    newly_exhausted: int = 0
    tie_break: str | None = None

    def votes(self, candidate: str) -> int:
        for name, n in self.counts:
            if name == candidate:
                return n
        raise KeyError(candidate)


@dataclass(frozen=True)
class InstantRunoff:
    """The result of a count: the winner (None only when no ballot ranks anyone) and every round."""

    candidates: tuple[str, ...]
    ballots: int
    winner: str | None
    rounds: tuple[Round, ...]


Counted = list[tuple[tuple[str, ...], int]]  # (ballot, how many cast it)


def _check(candidates: Sequence[str], ballots: Iterable[tuple[Sequence[str], int]]) -> Counted:
    known = set(candidates)
    if len(known) != len(candidates):
        raise RankingError("A candidate is listed twice.")
    out = []
    for ballot, times in ballots:
        b = tuple(ballot)
        unknown = sorted(set(b) - known)
        if unknown:
            raise RankingError(f"A ballot ranks {', '.join(map(repr, unknown))}, which is not a candidate.")
        if len(set(b)) != len(b):
            raise RankingError("A ballot ranks the same candidate twice.")
        if isinstance(times, bool) or not isinstance(times, int) or times < 0:
            raise RankingError(f"A ballot is counted {times!r} times; that must be a whole number, 0 or more.")
        if times:
            out.append((b, times))
    return out


def _top(ballot: tuple[str, ...], continuing: set[str]) -> str | None:
    for name in ballot:
        if name in continuing:
            return name
    return None


def _loser(tied: list[str], history: list[dict[str, int]]) -> tuple[str, str | None]:
    if len(tied) == 1:
        return tied[0], None
    for counts in reversed(history[:-1]):  # the rounds before this one, latest first
        fewest = min(counts[c] for c in tied)
        tied = [c for c in tied if counts[c] == fewest]
        if len(tied) == 1:
            return tied[0], "earlier rounds"
    return max(tied), "name"


def instant_runoff(candidates: Sequence[str], ballots: Iterable[Sequence[str]]) -> InstantRunoff:
    """Counts ranked ballots (best first, possibly partial) by instant-runoff; see the module's docstring for the rule
    and how ties are broken. Raises RankingError for a ballot naming an unknown candidate or one candidate twice."""
    return instant_runoff_counted(candidates, ((b, 1) for b in ballots))


def instant_runoff_counted(candidates: Sequence[str], ballots: Iterable[tuple[Sequence[str], int]]) -> InstantRunoff:
    """As `instant_runoff`, over (ballot, how many residents cast it) pairs: a tally that keeps each distinct ranking
    once with its count (at most 8! = 40,320 of them for 8 options) counts any number of residents in that memory."""
    cast = _check(candidates, ballots)
    continuing = set(candidates)
    piles: dict[str, list[tuple[tuple[str, ...], int]]] = {c: [] for c in candidates}
    exhausted = 0
    for b, times in cast:
        top = _top(b, continuing)
        if top is None:
            exhausted += times
        else:
            piles[top].append((b, times))
    cast_count = sum(times for _b, times in cast)
    history: list[dict[str, int]] = []
    rounds: list[Round] = []
    while continuing:
        counts = {c: sum(times for _b, times in piles[c]) for c in continuing}
        history.append(counts)
        live = sum(counts.values())
        ordered = tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        number = len(rounds) + 1
        if live == 0:
            rounds.append(Round(number, ordered, 0, exhausted))
            return InstantRunoff(tuple(candidates), cast_count, None, tuple(rounds))
        leader, most = ordered[0]
        if 2 * most > live:
            rounds.append(Round(number, ordered, live, exhausted, winner=leader))
            return InstantRunoff(tuple(candidates), cast_count, leader, tuple(rounds))
        fewest = min(counts.values())
        out, how = _loser(sorted(c for c in continuing if counts[c] == fewest), history)
        continuing.discard(out)
        moved: dict[str, int] = {}
        lost = 0
        for b, times in piles.pop(out):
            top = _top(b, continuing)
            if top is None:
                lost += times
            else:
                piles[top].append((b, times))
                moved[top] = moved.get(top, 0) + times
        rounds.append(Round(number, ordered, live, exhausted, eliminated=out, transfers=tuple(sorted(moved.items())),
                            newly_exhausted=lost, tie_break=how))
        exhausted += lost
    return InstantRunoff(tuple(candidates), cast_count, None, tuple(rounds))  # no candidates at all
