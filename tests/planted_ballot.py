"""A planted participatory-budgeting election where Equal Shares and the greedy rule differ, worked by hand, shared
by the unit and scenario tests. Every one of the four explanation cases occurs in it.

Budget £1,000; 20 residents, so each starts with a share of £1,000 / 20 = £50.

    project              key       cost   ballots
    Sports arena         arena     £500   10 residents tick arena, benches and gym   (the majority)
    Park benches         benches   £150   5 residents tick cafe
    Outdoor gym          gym       £300   1 resident ticks cafe and fountain
    Lakeside café        cafe      £300   4 residents tick eco
    Eco garden           eco       £250
    Drinking fountain    fountain  £100

Votes: arena 10, benches 10, gym 10, cafe 6, eco 4, fountain 1.

Greedy (most votes first; equal votes: the cheaper first): benches £150 (left £850), gym £300 (left £550), arena £500
(left £50); cafe £300, eco £250 and fountain £100 no longer fit. Funded: benches, gym, arena: £950. The majority's
three projects take it all; the six café voters get nothing.

Equal Shares at a share of £50. A project's supporters pay for it, each min(own money, rho x cost); with cost as the
utility an equal split has rho = 1 / supporters, and the lowest rho goes first (ties: the key that sorts first).
    arena, benches, gym: rho 1/10 each (10 supporters) -> arena (its key sorts first); each of the 10 pays £50 and
        has £0 left, so benches and gym can no longer be paid for.
    cafe: rho 1/6, 6 x £50 = £300 -> bought; its 6 supporters pay £50 each, £0 left.
    eco: its 4 supporters hold 4 x £50 = £200 < £250: never affordable. fountain: 1 supporter, £0 left.
    Outcome arena + cafe = £800, £200 unspent; benches (£150) would fit, so it is not exhaustive.
Completion raises every share by 1% of £50 = £0.50 a step. Nothing changes until the share reaches £62.50, when eco's
    4 supporters hold 4 x £62.50 = £250 and eco is bought too: arena + cafe + eco = £1,050, over the budget. So the
    outcome at the step before, a share of £62 (24 steps), is kept: still arena + cafe, £200 unspent. At £62 the
    majority each hold £12 after paying £50 for arena (10 x £12 = £120); the café voters £12 each (6 x £12 = £72).
Then the greedy completion spends the £200: benches (10 votes, £150) fits -> funded, £50 left; gym (10 votes, £300),
    eco (£250) and fountain (£100) do not fit.
Equal Shares with completion funds arena, cafe, benches: £950, £50 left.

Why each lost or won (at the final share of £62):
    arena, cafe   funded by Equal Shares, each supporter paying at most £50.
    benches       funded only in the completion step.
    gym           supporters' shares ran out: they had £120 left of the £300 it costs.
    eco           too few supporters: it needed at least ceil(250 / 62) = 5, and had 4.
    fountain      it would have fitted in the £200 Equal Shares left unspent (but the completion gave that to benches,
                  which had more votes); under Equal Shares alone it had too few supporters: it needed at least
                  ceil(100 / 62) = 2, and had 1.
"""

from __future__ import annotations

BUDGET = 1000
COSTS = {"arena": 500, "benches": 150, "gym": 300, "cafe": 300, "eco": 250, "fountain": 100}
TITLES = {"arena": "Sports arena", "benches": "Park benches", "gym": "Outdoor gym", "cafe": "Lakeside café",
          "eco": "Eco garden", "fountain": "Drinking fountain"}
BALLOTS: list[tuple[int, tuple[str, ...]]] = [
    (10, ("arena", "benches", "gym")),
    (5, ("cafe",)),
    (1, ("cafe", "fountain")),
    (4, ("eco",)),
]
GREEDY = ("benches", "gym", "arena")
EQUAL_SHARES = ("arena", "cafe")
COMPLETION = ("benches",)

FILE = f"""
code: park-fund
title: The park fund
organiser: Heaton Ward Council
purpose: Residents decide which park projects share the ward's £1,000 fund.
minutes: 2
privacy:
  notice: Your ballot is kept until the vote's results are published, then deleted.
questions:
  - key: fund
    type: ballot
    kind: within_budget
    prompt: Which projects should the park fund pay for?
    budget: {BUDGET}
    projects:
""" + "".join(
    f"      - key: {k}\n        title: {TITLES[k]}\n        cost: {c}\n        ward: Heaton\n" for k, c in COSTS.items()
)
