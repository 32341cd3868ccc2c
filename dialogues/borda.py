"""The Borda count over ranked ballots: points for each place, most points first, with a stated tie rule.

With n candidates, a ballot gives the candidate it puts first n - 1 points, the next n - 2, and so on down to 0 for
the one in last place; a candidate a (partial) ballot leaves out gets 0 from it. The candidate with most points is
first. Ties on points are broken by more first places (ballots that put the candidate first), then by name: the name
that sorts first (Python's string order) goes ahead, as in dialogues/ranked.py. Pure functions; no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dialogues.ranked import RankingError


@dataclass(frozen=True)
class Standing:
    """One candidate's place in the count: its points and how many ballots put it first."""

    candidate: str
    points: int
    firsts: int


@dataclass(frozen=True)
class BordaCount:
    """Every candidate, best first. `tie_break` says how the winner was settled against the runner-up when their
    points were equal: None (no tie), "first places" or "name"."""

    candidates: tuple[str, ...]
    ballots: int
    standings: tuple[Standing, ...]
    tie_break: str | None = None

    @property
    def winner(self) -> str | None:
        """None only when no ballot ranks anyone (every candidate has 0 points and 0 first places)."""
        if not self.standings or (self.standings[0].points == 0 and self.standings[0].firsts == 0):
            return None
        return self.standings[0].candidate

    def points(self, candidate: str) -> int:
        for s in self.standings:
            if s.candidate == candidate:
                return s.points
        raise KeyError(candidate)


def borda(candidates: Sequence[str], ballots: Iterable[Sequence[str]]) -> BordaCount:
    """Counts ranked ballots (best first, possibly partial) by the Borda count; see the module's docstring for the
    points and the tie rule. Raises RankingError for a ballot naming an unknown candidate or one candidate twice."""
    return borda_counted(candidates, ((b, 1) for b in ballots))


def borda_counted(candidates: Sequence[str], ballots: Iterable[tuple[Sequence[str], int]]) -> BordaCount:
    """As `borda`, over (ballot, how many residents cast it) pairs."""
    known = set(candidates)
    if len(known) != len(candidates):
        raise RankingError("A candidate is listed twice.")
    n = len(candidates)
    points = dict.fromkeys(candidates, 0)
    firsts = dict.fromkeys(candidates, 0)
    cast = 0
    for ballot, times in ballots:
        b = tuple(ballot)
        unknown = sorted(set(b) - known)
        if unknown:
            raise RankingError(f"A ballot ranks {', '.join(map(repr, unknown))}, which is not a candidate.")
        if len(set(b)) != len(b):
            raise RankingError("A ballot ranks the same candidate twice.")
        if isinstance(times, bool) or not isinstance(times, int) or times < 0:
            raise RankingError(f"A ballot is counted {times!r} times; that must be a whole number, 0 or more.")
        cast += times
        for place, c in enumerate(b):
            points[c] += (n - 1 - place) * times
        if b:
            firsts[b[0]] += times
    everyone = (Standing(c, points[c], firsts[c]) for c in candidates)
    standings = tuple(sorted(everyone, key=lambda s: (-s.points, -s.firsts, s.candidate)))
    how = None
    if len(standings) > 1 and standings[0].points == standings[1].points:
        how = "first places" if standings[0].firsts != standings[1].firsts else "name"
    return BordaCount(tuple(candidates), cast, standings, how)
