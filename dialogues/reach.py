"""Which wards and groups have taken part less than their share of the population, while a round is open, so a
facilitator can reach out to them before it closes (/reach)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dialogues.groups import Group, Grouping
from dialogues.screens import Screen
from dialogues.text import Block, Inline, Lines, Para, Strong, _, ngettext

THRESHOLD = 0.8  # a group is under-represented when its share of residents is under 80% of its population share


@dataclass(frozen=True)
class Shortfall:
    grouping: Grouping
    group: Group
    residents: int
    share: float  # of the residents who said which group they belong to
    population: float
    needed: int  # more residents of the group who would bring its share up to its population share


def under_represented(
    gs: Sequence[Grouping], counts: Mapping[str, Mapping[str, int]], threshold: float = THRESHOLD
) -> list[Shortfall]:
    """Groups with population shares whose share of the residents who said falls under `threshold` times it, the
    furthest behind first. `counts[grouping key][group key]` is how many residents said they belong to it."""
    out: list[Shortfall] = []
    for g in gs:
        population = g.population()
        if not population:
            continue
        mine = counts.get(str(g.key), {})
        said = sum(mine.get(x.key, 0) for x in g.groups)
        for group in g.groups:
            p = population[group.key]
            n = mine.get(group.key, 0)
            share = n / said if said else 0.0
            if share < threshold * p:
                needed = math.ceil((p * said - n) / (1 - p)) if p < 1 else 0
                out.append(Shortfall(g, group, n, share, p, max(needed, 1)))
    return sorted(out, key=lambda s: (s.share / s.population, -s.population))


def reach_screen(
    title: str, round_number: int, residents: int, gs: Sequence[Grouping], shortfalls: Sequence[Shortfall],
    minimum: int,
) -> Screen:
    """What /reach tells a facilitator. Numbers under the minimum are said as "fewer than N": this is a working
    view for staff, but it names no one and counts no one small enough to be picked out."""
    head = _("Who has taken part so far in “{title}”, round {number}:", title=title, number=round_number)
    body: list[Block] = [Para(Strong(head), " ", ngettext("{n} resident.", "{n} residents.", residents))]
    if not gs:
        body.append(Para(_("The consultation asks residents no question about themselves (type: profile), such as "
                           "their ward, so there is nothing to compare with the population.")))
        return Screen(body)
    compared = [g for g in gs if g.population()]
    if not compared:
        body.append(Para(_("The consultation file gives no population shares to compare with: give each group of "
                           "a question of type profile its `population` (in percent).")))
        return Screen(body)
    if not shortfalls:
        body.append(Para(_("No ward or group is under-represented: each has at least four-fifths of its share of "
                           "the population.")))
        return Screen(body)
    lines: list[tuple[Inline, ...]] = [(Strong(_("Under-represented against the population:")),)]
    for s in shortfalls:
        count: Inline = (
            ngettext("{n} resident", "{n} residents", s.residents)
            if s.residents >= minimum or s.residents == 0
            else _("fewer than {n} residents", n=minimum)
        )
        lines.append((
            "• ",
            _("{breakdown} {group}: {count}, {share:.0f}% of those who said, against {population:.0f}% of the "
              "population; about {needed} more would match it.",
              breakdown=s.grouping.title, group=Strong(s.group.label), count=count, share=100 * s.share,
              population=100 * s.population, needed=s.needed),
        ))
    body.append(Lines(lines))
    body.append(Para(_("A group counts as under-represented when its share of the residents who said is under "
                       "four-fifths of its share of the population.")))
    return Screen(body)
