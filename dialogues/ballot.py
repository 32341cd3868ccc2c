"""A participatory-budgeting ballot's figures after close: Equal Shares with completion beside the greedy rule, and
why each project won or lost, in words; money in the council's currency. Pure: the rules are dialogues.budgeting."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from dialogues.budgeting import (
    Case,
    Election,
    EqualSharesOutcome,
    Explanation,
    GreedyOutcome,
    equal_shares_with_completion,
    greedy,
)
from dialogues.text import Msg, _, ngettext

SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}
Ballot = tuple[tuple[str, int], ...]  # (project key, points) in key order; 1 point each on an approval ballot


def money(amount: int | Fraction, currency: str) -> str:
    """£1,500,000: whole units, rounded down (a share of £41,666.67 reads £41,666; nobody held more than shown)."""
    whole = math.floor(amount)
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{whole:,}" if symbol else f"{whole:,} {currency}"


@dataclass(frozen=True)
class BallotFigures:
    """A ballot's outcome: supporters (and points) per project, both rules' outcomes over the same ballots."""

    respondents: int
    budget: int
    supporters: dict[str, int]
    points: dict[str, int] | None  # cumulative ballots only
    greedy: GreedyOutcome
    shares: EqualSharesOutcome

    def score(self, key: str) -> int:
        """What the greedy rule ranks by: points on a points ballot, supporters otherwise."""
        return (self.points or self.supporters)[key]


def figures(budget: int, costs: Mapping[str, int], counted: Iterable[tuple[Ballot, int]], points: bool,
            respondents: int) -> BallotFigures:
    """Both rules over the ballots, each given by how many residents cast it. Equal Shares counts a resident as a
    supporter of every project they gave anything (a tick, or at least one point); the greedy rule ranks by
    supporters, or by points on a points ballot."""
    ballots: list[frozenset[str]] = []
    totals: dict[str, int] = dict.fromkeys(costs, 0)
    for ballot, times in counted:
        chosen = frozenset(k for k, v in ballot if v > 0 and k in costs)
        ballots += [chosen] * times
        for k, v in ballot:
            if k in totals:
                totals[k] += v * times
    election = Election.of(budget, dict(costs), ballots)
    supporters = election.votes()
    return BallotFigures(
        respondents=respondents,
        budget=budget,
        supporters=supporters,
        points=totals if points else None,
        greedy=greedy(election, totals if points else None),
        shares=equal_shares_with_completion(election),
    )


def why(e: Explanation, currency: str) -> Msg:
    """Why Equal Shares (with completion) funded a project or not, in one sentence."""
    if e.case is Case.FUNDED_BY_EQUAL_SHARES:
        assert e.price is not None
        return _("Funded by Equal Shares: each supporter paid at most {price}.", price=money(e.price, currency))
    if e.case is Case.FUNDED_IN_COMPLETION:
        return _("Funded only in the completion step, from the money Equal Shares left unspent.")
    if e.case is Case.WOULD_HAVE_FITTED and e.supporters > 0:  # the completion passes over projects nobody chose
        return _(
            "It would have fitted in the {unspent} Equal Shares left unspent, but the completion step gave that money "
            "to projects ahead of it (more votes first). {reason}",
            unspent=money(e.unspent, currency),
            reason=_lost(e, currency),
        )
    return _lost(e, currency)


def _lost(e: Explanation, currency: str) -> Msg:
    if e.equal_shares_case is Case.TOO_FEW_SUPPORTERS or e.case is Case.TOO_FEW_SUPPORTERS:
        if e.needed_supporters is None or e.supporters == 0:
            return _("Too few supporters: nobody voted for it.")
        return ngettext(
            "Too few supporters: it needed at least {needed}, and had {n}.",
            "Too few supporters: it needed at least {needed}, and had {n}.",
            e.supporters,
            needed=e.needed_supporters,
        )
    return _(
        "Supporters' shares ran out: they had {left} left of the {cost} it costs.",
        left=money(e.supporters_money, currency),
        cost=money(e.cost, currency),
    )


def greedy_why(f: BallotFigures, key: str, currency: str) -> Msg:
    """What the greedy rule did with a project."""
    step = next((s for s in f.greedy.steps if s.project == key), None)
    if step is None:
        return _("greedy: no votes")
    if step.funded:
        return _("greedy: funded")
    return _("greedy: not funded, only {left} was left at its turn", left=money(step.left_before, currency))


def funded_titles(funded: Sequence[str], titles: Mapping[str, str]) -> str:
    return ", ".join(titles.get(k, k) for k in funded) or "—"
