"""Participatory budgeting over approval ballots: the Method of Equal Shares (with and without completion), the greedy
rule, and for each project why it won or lost. Pure functions over exact fractions; no I/O.

Each resident approves a set of projects; each project has a whole-pound cost; the council has a budget.

- `greedy` is what most councils run: projects in order of approvals, each funded if it still fits.
- `equal_shares` is the Method of Equal Shares with cost utilities ("Cost_Sat" in pabutools): the budget is split
  equally between the voters, and a project is bought by its supporters out of their own shares.
- `equal_shares_with_completion` raises every share step by step while the outcome stays within the real budget, then
  spends what is left greedily, as councils that use Equal Shares (Wieliczka, Aarau, Swiecie) do.

All money is exact (`fractions.Fraction`), so ties are real ties and every comparison is reproducible. Ties are
broken as follows. Within Equal Shares, between projects with the same rho: the name that sorts first (Python's
string order), which is pabutools' default `lexico_tie_breaking` (it sorts tied projects by `project.name`). In the
greedy rule and the completion step, between projects with as many approvals: the cheaper first, then the name that
sorts first (pabutools' greedy breaks such ties by name alone; the oracle test gives it our rule).

The rules match pabutools 1.2.3 (`method_of_equal_shares(..., sat_class=Cost_Sat, voter_budget_increment=...)`
completed by `greedy_utilitarian_welfare(..., sat_class=Cost_Sat)` through `completion_by_rule_combination`), which
the tests use as an oracle; pabutools (GPL-3.0) is never imported here.
"""

from __future__ import annotations

import enum
import heapq
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cached_property
from operator import itemgetter


class BudgetError(ValueError):
    """An election the rules cannot run: the message says what is wrong."""


@dataclass(frozen=True)
class Project:
    name: str
    cost: int


@dataclass(frozen=True)
class Election:
    """A budget, the projects with their costs, and one approval ballot (a set of project names) per voter."""

    budget: int
    projects: tuple[Project, ...]
    ballots: tuple[frozenset[str], ...]

    def __post_init__(self) -> None:
        if isinstance(self.budget, bool) or not isinstance(self.budget, int) or self.budget <= 0:
            raise BudgetError(f"The budget must be a whole number above zero, not {self.budget!r}.")
        seen: set[str] = set()
        for p in self.projects:
            if not p.name:
                raise BudgetError("A project has no name.")
            if p.name in seen:
                raise BudgetError(f"Two projects are called {p.name!r}.")
            seen.add(p.name)
            if isinstance(p.cost, bool) or not isinstance(p.cost, int) or p.cost <= 0:
                raise BudgetError(f"The cost of {p.name!r} must be a whole number above zero, not {p.cost!r}.")
        for ballot in self.ballots:
            unknown = sorted(ballot - seen)
            if unknown:
                raise BudgetError(f"A ballot approves {', '.join(map(repr, unknown))}, which is not a project.")

    @classmethod
    def of(cls, budget: int, costs: Mapping[str, int], ballots: Iterable[Iterable[str]]) -> Election:
        return cls(budget, tuple(Project(n, c) for n, c in costs.items()), tuple(frozenset(b) for b in ballots))

    def cost(self, name: str) -> int:
        return self._costs[name]

    def votes(self) -> dict[str, int]:
        """Approvals per project, every project present (0 when nobody approved it)."""
        return dict(self._votes)

    # Cached on the instance (cached_property writes the instance's __dict__, which a frozen dataclass allows).
    @cached_property
    def _costs(self) -> dict[str, int]:
        return {p.name: p.cost for p in self.projects}

    @cached_property
    def _votes(self) -> dict[str, int]:
        counts = Counter(name for ballot in self.ballots for name in ballot)
        return {p.name: counts[p.name] for p in self.projects}


# --- the greedy rule ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GreedyStep:
    """One project reached by the greedy rule: whether it was funded and how much was left when its turn came."""

    project: str
    votes: int
    cost: int
    left_before: int
    funded: bool


@dataclass(frozen=True)
class GreedyOutcome:
    budget: int
    funded: tuple[str, ...]  # in the order funded
    spent: int
    steps: tuple[GreedyStep, ...]  # every project with at least one approval, in the order considered

    @property
    def left(self) -> int:
        return self.budget - self.spent


def _greedy_order(
    election: Election, exclude: Iterable[str] = (), scores: Mapping[str, int] | None = None
) -> list[Project]:
    # Most approvals (or points) first; among equal ones the cheaper first (more money stays for the rest), then the
    # name in Python's string order. Projects nobody approved are never funded: no council spends on them.
    votes = election._votes if scores is None else {p.name: scores.get(p.name, 0) for p in election.projects}
    skip = set(exclude)
    candidates = [p for p in election.projects if votes[p.name] > 0 and p.name not in skip]
    return sorted(candidates, key=lambda p: (-votes[p.name], p.cost, p.name))


def _fill(
    election: Election, order: Sequence[Project], left: int, scores: Mapping[str, int] | None = None
) -> tuple[list[str], list[GreedyStep], int]:
    votes = election._votes if scores is None else scores
    funded: list[str] = []
    steps: list[GreedyStep] = []
    for p in order:
        fits = p.cost <= left
        steps.append(GreedyStep(p.name, votes[p.name], p.cost, left, fits))
        if fits:
            funded.append(p.name)
            left -= p.cost
    return funded, steps, left


def greedy(election: Election, scores: Mapping[str, int] | None = None) -> GreedyOutcome:
    """The greedy rule: projects by approvals (ties: cheaper first, then name), each funded if it fits in what is left,
    until none fits. Equals pabutools' `greedy_utilitarian_welfare` with `Cost_Sat` and the tie-breaking rule
    (cost, name), less the projects nobody approved.

    With `scores` (points per project, from cumulative ballots) projects go by points instead of approvals, as
    councils that share points count them; a project with no points is never funded. A step's `votes` is then its
    points."""
    funded, steps, left = _fill(election, _greedy_order(election, (), scores), election.budget, scores)
    return GreedyOutcome(election.budget, tuple(funded), election.budget - left, tuple(steps))


# --- the Method of Equal Shares ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Purchase:
    """A project bought by Equal Shares: each supporter paid min(their money, `price`), `price` = rho * cost, where
    rho is the price of one unit of utility (utility = cost here) and the project with the lowest rho goes first."""

    project: str
    cost: int
    supporters: int
    rho: Fraction

    @property
    def price(self) -> Fraction:
        """The most any one supporter paid."""
        return self.rho * self.cost


class _Voters:
    """The ballots, grouped once per election: voters with the same ballot always hold the same money (they start
    equal and pay the same for the same projects), so a group stands for all of them."""

    def __init__(self, election: Election) -> None:
        counts = Counter(election.ballots)
        self.groups = sorted(counts.items(), key=lambda item: sorted(item[0]))
        self.supporters: dict[str, list[int]] = {}
        for i, (ballot, _) in enumerate(self.groups):
            for name in ballot:
                self.supporters.setdefault(name, []).append(i)
        self.count = {name: sum(self.groups[i][1] for i in idx) for name, idx in self.supporters.items()}
        self.costs = election._costs
        # Per project, a function from the groups' classes to its voters' classes, one per voter (each supporting
        # group's index repeated by its size): counting those by class is one C-level Counter pass.
        self.classes_of = {name: _picker([i for i in idx for _ in range(self.groups[i][1])])
                           for name, idx in self.supporters.items()}


def _picker(idx: list[int]) -> Callable[[list[int]], tuple[int, ...]]:
    """items -> tuple(items[i] for i in idx), in one C call: an itemgetter of many indices returns that tuple, and is
    quicker than mapping list.__getitem__ (it picks the classes of every voter of a project, for a Counter, which is
    most of the work of Equal Shares on large elections). An itemgetter of one index returns the item, not a tuple,
    so one voter gets a tuple of its own."""
    if len(idx) == 1:
        i = idx[0]
        return lambda items: (items[i],)
    return itemgetter(*idx)


@dataclass
class _Run:
    share: Fraction
    purchases: list[Purchase]
    voters: _Voters | None
    # Money is held by classes of groups with the same money: every group starts in class 0 (money = share), and
    # buying a project moves each supporting group to the class of its new money, so arithmetic is per class, not
    # per voter. A class's money is class_money[c] / den: whole numbers over one denominator, so that comparing and
    # adding money is integer arithmetic (exact, as Fractions would be, and several times quicker).
    group_class: list[int]
    class_money: list[int]
    den: int = 1

    @property
    def spent(self) -> int:
        return sum(p.cost for p in self.purchases)

    def money(self, name: str) -> Fraction:
        """What the project's supporters together still hold."""
        if self.voters is None or name not in self.voters.supporters:
            return Fraction(0)
        v = self.voters
        held = sum(self.class_money[self.group_class[i]] * v.groups[i][1] for i in v.supporters[name])
        return Fraction(held, self.den)


def _rho(cost: int, holdings: dict[int, int], money: list[int], den: int, paying: int) -> tuple[int, int] | None:
    """The smallest payment p at which the supporters can pay `cost` with each paying min(their money, p): holdings
    maps a class to how many supporters are in it, `money` is each class's money times den, and `paying` is how
    many supporters hold any money (classes with none are left out of holdings). The answer is (p * den * K, K) for
    the K supporters who pay p in full, or None when all their money together is short.

    Those who cannot pay an equal split pay all they have and the rest split what remains (pabutools'
    `affordability_poor_rich`). The payment solves sum(min(money, p) * k) = cost, which has one solution, so taking
    the poorest first, in order, finds the same p as pabutools' rounds of "who falls short now?"."""
    rest = cost * den  # what is still to pay, times den
    # No shortcut for "even the poorest can pay an equal split": the first turn of the loop is that test, and on
    # large elections it almost never holds (rho is mostly computed once supporters' money has split), so a min()
    # pass before the sort costs more than it saves.
    k_rest = paying
    for c in sorted(holdings, key=money.__getitem__):
        # p = rest / (k_rest * den); this class pays p in full if its money m / den >= p.
        m = money[c]
        if m * k_rest >= rest:
            return rest, k_rest
        k = holdings[c]
        rest -= m * k
        k_rest -= k
    return None  # everyone paid all they had and it is still short


def _run(voters: _Voters, share: Fraction) -> _Run:
    groups, supporters, costs, classes_of = voters.groups, voters.supporters, voters.costs, voters.classes_of
    group_class = [0] * len(groups)
    den = share.denominator
    class_money = [share.numerator]
    class_of: dict[int, int] = {share.numerator: 0}  # classes with the same money are one class

    count = voters.count
    zero: int | None = None  # the class of supporters with no money left, once there is one

    # rho only rises as supporters spend, so a project's last rho is a lower bound of its current one: look at
    # projects in order of that bound and stop once the bound exceeds the best current rho found (pabutools does
    # the same). Ties on rho go to the name that sorts first, pabutools' default (lexicographic) tie-breaking.
    # The bounds are kept in a heap of (bound, name), which pops them in that order; an entry whose bound has
    # since changed is stale and skipped. Projects looked at in one round go back only after it, so each is looked
    # at once per round, as in a sorted pass over them.
    bound = {name: Fraction(1, k) for name, k in voters.count.items()}
    heap = sorted((b, name) for name, b in bound.items())
    purchases: list[Purchase] = []
    while bound:
        best: tuple[Fraction, str] | None = None
        paid: tuple[int, int] = (0, 1)
        seen: list[str] = []
        while heap:
            b, name = heap[0]
            if bound.get(name) != b or name in seen:
                heapq.heappop(heap)
                continue
            if best is not None and b > best[0]:
                break
            heapq.heappop(heap)
            holdings = Counter(classes_of[name](group_class))
            broke = holdings.pop(zero, 0) if zero is not None else 0
            found = _rho(costs[name], holdings, class_money, den, count[name] - broke)
            if found is None:  # money only falls, so its supporters can never afford it
                del bound[name]
                continue
            rho = Fraction(found[0], found[1] * den * costs[name])
            bound[name] = rho
            seen.append(name)
            if best is None or (rho, name) < best:
                best, paid = (rho, name), found
        if best is None:
            break
        for name in seen:
            if name != best[1]:
                heapq.heappush(heap, (bound[name], name))
        rho, name = best
        del bound[name]
        # The payment is rest / (k * den): put every class's money over den * k, so it stays whole numbers.
        rest, k = paid
        if k != 1:
            den *= k
            class_money = [m * k for m in class_money]
        class_of = {m: c for c, m in enumerate(class_money)}
        added = len(class_money)
        moved: dict[int, int] = {}
        for i in supporters[name]:
            c = group_class[i]
            if c not in moved:
                money = class_money[c] - min(class_money[c], rest)
                if money not in class_of:
                    class_of[money] = len(class_money)
                    class_money.append(money)
                moved[c] = class_of[money]
            group_class[i] = moved[c]
        # Keep the numbers small: money over the smallest denominator. Money was in lowest terms before this purchase
        # (den and the classes had no common divisor), so after the scaling by k the old classes and den share k
        # exactly: gcd(den, *class_money) is gcd(k, *the classes just added), a pass over those alone.
        g = math.gcd(k, *class_money[added:])
        if g > 1:
            den //= g
            class_money = [m // g for m in class_money]
        zero = class_of.get(0, zero)
        purchases.append(Purchase(name, costs[name], voters.count[name], rho))
    return _Run(share, purchases, voters, group_class, class_money, den)


class Case(enum.Enum):
    """Why a project won or lost, in the words Equal Shares explanations use."""

    FUNDED_BY_EQUAL_SHARES = "funded by Equal Shares"
    FUNDED_IN_COMPLETION = "funded only in the completion step"
    TOO_FEW_SUPPORTERS = "too few supporters"
    SHARES_RAN_OUT = "supporters' shares ran out"
    WOULD_HAVE_FITTED = "it would have fitted in the unspent money"


@dataclass(frozen=True)
class Explanation:
    """Why one project won or lost.

    `case` is the headline. A project Equal Shares did not buy also has `equal_shares_case`: TOO_FEW_SUPPORTERS when
    even all its supporters' shares together (`supporters` * `share`) fall short of its cost, so that it needed at
    least `needed_supporters`; otherwise SHARES_RAN_OUT, its supporters having only `supporters_money` (£X) left of
    the `cost` (£Y) needed, having spent the rest on other projects they approved. A loser whose cost is within the
    money Equal Shares left unspent (`unspent`) is headed WOULD_HAVE_FITTED: without completion that money stays
    unspent; with completion it went first to projects ahead of it in the greedy order (more approvals, or as many
    and cheaper, or as many, as cheap and a name that sorts first)."""

    project: str
    cost: int
    funded: bool
    case: Case
    supporters: int
    needed_supporters: int | None  # ceil(cost / share) at the final share; None when nobody voted
    supporters_money: Fraction  # what the supporters still held when Equal Shares ended
    share: Fraction
    unspent: int  # money Equal Shares left unspent, before any completion
    equal_shares_case: Case | None = None  # for projects Equal Shares did not buy
    price: Fraction | None = None  # for projects Equal Shares bought: the most a supporter paid


@dataclass(frozen=True)
class EqualSharesOutcome:
    budget: int
    voters: int
    initial_share: Fraction  # budget / voters
    share: Fraction  # the per-voter share of the outcome kept (raised from initial_share by `steps` increments)
    increment: Fraction
    steps: int
    purchases: tuple[Purchase, ...]  # what Equal Shares bought, in order
    completion: tuple[str, ...]  # what the completion step added, in order
    explanations: tuple[Explanation, ...]  # one per project, in the election's order

    @property
    def funded(self) -> tuple[str, ...]:
        return tuple(p.project for p in self.purchases) + self.completion

    @property
    def funded_by_equal_shares(self) -> tuple[str, ...]:
        return tuple(p.project for p in self.purchases)

    @property
    def spent(self) -> int:
        return sum(p.cost for p in self.purchases) + self.spent_in_completion

    @property
    def spent_in_completion(self) -> int:
        costs = {e.project: e.cost for e in self.explanations}
        return sum(costs[n] for n in self.completion)

    @property
    def left(self) -> int:
        return self.budget - self.spent

    def explanation(self, project: str) -> Explanation:
        for e in self.explanations:
            if e.project == project:
                return e
        raise KeyError(project)


def _explain(election: Election, run: _Run, completion: Sequence[str]) -> tuple[Explanation, ...]:
    votes = election._votes
    bought = {p.project: p for p in run.purchases}
    unspent = election.budget - run.spent
    later = set(completion)
    out = []
    for p in election.projects:
        k = votes[p.name]
        needed = math.ceil(p.cost / run.share) if run.share > 0 else None
        held = run.money(p.name)
        why = Case.TOO_FEW_SUPPORTERS if needed is None or k < needed else Case.SHARES_RAN_OUT
        e = Explanation(p.name, p.cost, False, why, k, needed, held, run.share, unspent, equal_shares_case=why)
        if p.name in bought:
            e = replace(e, funded=True, case=Case.FUNDED_BY_EQUAL_SHARES, equal_shares_case=None,
                        price=bought[p.name].price)
        elif p.name in later:
            e = replace(e, funded=True, case=Case.FUNDED_IN_COMPLETION)
        elif p.cost <= unspent:
            e = replace(e, case=Case.WOULD_HAVE_FITTED)
        out.append(e)
    return tuple(out)


def _is_exhaustive(election: Election, run: _Run) -> bool:
    # As pabutools' `is_exhaustive(outcome, available_projects=...)`: no approved project left out fits in what is left.
    left = election.budget - run.spent
    bought = {p.project for p in run.purchases}
    approved = run.voters.supporters if run.voters is not None else {}
    return not any(name not in bought and election.cost(name) <= left for name in approved)


def _outcome(election: Election, run: _Run, initial: Fraction, increment: Fraction, steps: int,
             completion: Sequence[str]) -> EqualSharesOutcome:
    return EqualSharesOutcome(
        budget=election.budget, voters=len(election.ballots), initial_share=initial, share=run.share,
        increment=increment, steps=steps, purchases=tuple(run.purchases), completion=tuple(completion),
        explanations=_explain(election, run, completion),
    )


def equal_shares(election: Election) -> EqualSharesOutcome:
    """The plain Method of Equal Shares: each voter holds budget / voters; repeatedly buy the project whose supporters
    can pay for it at the lowest rho (each paying min(own money, rho * cost)), ties to the name that sorts first, until
    no project's supporters can afford it. Usually leaves money unspent."""
    n = len(election.ballots)
    share = Fraction(election.budget, n) if n else Fraction(0)
    run = _run(_Voters(election), share) if n else _Run(share, [], None, [], [], 1)
    return _outcome(election, run, share, Fraction(0), 0, ())


def default_increment(election: Election) -> Fraction:
    """1% of the initial share (budget / voters / 100) per step: the same step as pabutools'
    `exhaustion_by_budget_increase` default (1% of the budget), whatever the currency or the number of voters."""
    n = len(election.ballots)
    return Fraction(election.budget, 100 * n) if n else Fraction(0)


def equal_shares_with_completion(election: Election, increment: Fraction | int | None = None) -> EqualSharesOutcome:
    """Equal Shares with completion, as pabutools' `method_of_equal_shares(..., voter_budget_increment=increment)`
    then `greedy_utilitarian_welfare` from that outcome.

    Run Equal Shares with each share = budget / voters. While its outcome is not exhaustive (some approved project
    left out would fit in the money left), add `increment` to every share and run it again: the first exhaustive
    outcome is kept, or, as soon as an outcome costs more than the real budget, the one before it. What money is then
    left goes greedily (`greedy`'s order: approvals, then cost, then name) to the approved projects that still fit.
    `increment` defaults to `default_increment` (1% of the initial share)."""
    n = len(election.ballots)
    if n == 0:
        return equal_shares(election)
    initial = Fraction(election.budget, n)
    step = default_increment(election) if increment is None else Fraction(increment)
    if step <= 0:
        raise BudgetError("The increment must be above zero.")
    voters = _Voters(election)
    kept = _run(voters, initial)
    steps = 0
    # Terminates: once a share exceeds every cost, each supporter alone can buy any project they approve, so every
    # approved project is bought, which is either over the budget or exhaustive.
    while not _is_exhaustive(election, kept):
        trial = _run(voters, initial + (steps + 1) * step)
        if trial.spent > election.budget:
            break
        kept, steps = trial, steps + 1
    bought = [p.project for p in kept.purchases]
    completion, _, _ = _fill(election, _greedy_order(election, bought), election.budget - kept.spent)
    return _outcome(election, kept, initial, step, steps, completion)
