"""Ranking questions: put a short list in order of preference by tapping options in turn."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dialogues.questions.base import (
    NOT_HERE,
    Answered,
    Changed,
    Counts,
    Json,
    Line,
    QuestionType,
    Refused,
    Result,
    RoundOutcome,
    Tally,
    by_round,
    register,
)
from dialogues.questions.choice import match_option, unique_options
from dialogues.report import DECIMAL, INT, TEXT, Column, ReportTable
from dialogues.schema import Consultation, RankingQuestion
from dialogues.screens import Button, Screen
from dialogues.text import Block, Items, Para, Strong, _, join

Order = list[int]  # option indexes placed so far, first place first


@dataclass(frozen=True)
class RankingFigures:
    respondents: int
    places: tuple[tuple[str, float], ...]  # (option label, mean place), best first


class RankingTally(Tally[list[str], RankingFigures]):
    def __init__(self, q: RankingQuestion):
        super().__init__()
        self.q = q
        self.counts = Counts()

    def add(self, answer: list[str], times: int = 1) -> None:
        self.counts.add(tuple(answer), times)
        self.respondents += times

    def figures(self) -> RankingFigures:
        sums = {o.key: 0 for o in self.q.options}
        times = {o.key: 0 for o in self.q.options}
        for order, k in self.counts.items():
            for place, key in enumerate(order, 1):
                if key in sums:
                    sums[key] += place * k
                    times[key] += k
        mean = {key: sums[key] / times[key] if times[key] else 0.0 for key in sums}
        ranked = sorted(self.q.options, key=lambda o: mean[o.key] if times[o.key] else 99)
        return RankingFigures(self.respondents, tuple((o.label, mean[o.key]) for o in ranked))


class Ranking(QuestionType[RankingQuestion, list[str], Order, RankingFigures]):
    name = "ranking"
    code = "rk"
    schema = RankingQuestion
    verbs = frozenset({"p", "u", "r", "c"})
    label = _("ranking")

    def decode(self, c: Consultation, q: RankingQuestion, raw: Json) -> list[str] | None:
        if not isinstance(raw, list | tuple) or sorted(raw) != sorted(o.key for o in q.options):
            return None
        return list(raw)

    def describe(self, c: Consultation, q: RankingQuestion, answer: list[str]) -> list[Line]:
        labels = {o.key: o.label for o in q.options}
        return [join([labels.get(v, v) for v in answer], " › ")]

    def start(self, c: Consultation, q: RankingQuestion, previous: list[str] | None) -> Order:
        keys = [o.key for o in q.options]
        return [keys.index(k) for k in previous] if previous is not None else []  # decoded: every option once

    def draft_to_json(self, draft: Order) -> Json:
        return {"picks": draft}

    def draft_from_json(self, c: Consultation, q: RankingQuestion, raw: Json) -> Order:
        picks = raw.get("picks", []) if isinstance(raw, dict) else []
        return [i for i in picks if isinstance(i, int) and 0 <= i < len(q.options)]

    def screen(self, c: Consultation, q: RankingQuestion, head: Sequence[Block], draft: Order) -> Screen:
        body: list[Block] = list(head)
        if draft:
            body.append(Para(Strong(_("Your order so far:"))))
            body.append(Items([q.options[i].label for i in draft], numbered=True))
        rows: list[list[Button]] = []
        if len(draft) < len(q.options):
            example = " ".join(str(n) for n in range(len(q.options), 0, -1))
            if not draft:  # numbered, so the order can be typed by number
                body.append(Items([o.label for o in q.options], numbered=True))
            tap = (
                _(
                    "Tap the option you put first, or type their numbers in your order, like “{example}”.",
                    example=example,
                )
                if not draft
                else _("Tap the option you put next.")
            )
            body.append(Para(tap))
            rows = [[Button(o.label, self.action("p", i))] for i, o in enumerate(q.options) if i not in draft]
        else:
            rows = [[Button(_("✅ Confirm this order"), self.action("c"))]]
        if draft:
            rows.append([Button(_("↩ Undo"), self.action("u")), Button(_("Start again"), self.action("r"))])
        return Screen(body, rows)

    def press(
        self, c: Consultation, q: RankingQuestion, draft: Order, verb: str, args: tuple[int, ...]
    ) -> Result[list[str], Order]:
        picks = list(draft)
        if verb == "p" and len(args) == 1 and 0 <= args[0] < len(q.options):
            if args[0] in picks:
                return Refused(_("You have already placed that one."))
            picks.append(args[0])
            remaining = [i for i in range(len(q.options)) if i not in picks]
            if len(remaining) == 1:
                picks.append(remaining[0])  # the last place is not a choice
            return Changed(picks)
        if verb == "u":
            return Changed(picks[:-2] if len(picks) == len(q.options) else picks[:-1])
        if verb == "r":
            return Changed([])
        if verb == "c":
            if len(picks) != len(q.options):
                return Refused(_("Place every option first."), alert=True)
            return Answered([q.options[i].key for i in picks])
        return Refused(NOT_HERE)

    def typed(self, c: Consultation, q: RankingQuestion, draft: Order, text: str) -> Result[list[str], Order]:
        if re.fullmatch(r"[\d\s,;>]+", text.strip()):
            parts = [p for p in re.split(r"[,;\n>]+|\s+", text.strip()) if p]
        else:
            parts = [p for p in re.split(r"[,;\n>]+", text) if p.strip()]
        order: Order = []
        for p in parts:
            i = match_option(q.options, p)
            if i is None or i in order:
                example = " ".join(str(n) for n in range(len(q.options), 0, -1))
                return Refused(_("Send each option's number once, in your order, like “{example}”.", example=example))
            order.append(i)
        if len(order) != len(q.options):
            return Refused(_("Please put all {count} options in order.", count=len(q.options)))
        return Answered([q.options[i].key for i in order])

    def check(self, c: Consultation, q: RankingQuestion) -> list[str]:
        return unique_options(c, q)

    def tally(self, c: Consultation, q: RankingQuestion) -> RankingTally:
        return RankingTally(q)

    def result_lines(self, c: Consultation, q: RankingQuestion, figures: RankingFigures) -> list[Line]:
        return [
            (_("{place}. {label} (average place {mean:.1f})", place=i, label=label, mean=mean),)
            for i, (label, mean) in enumerate(figures.places, 1)
        ]

    def personal_lines(
        self, c: Consultation, q: RankingQuestion, answer: list[str], figures: RankingFigures | None
    ) -> list[Line]:
        lines: list[Line] = [(_("You:"), " ", *self.describe(c, q, answer)[0])]
        if figures is not None:
            everyone = join([label for label, _mean in figures.places], " › ")
            lines.append((_("Everyone, by average place:"), " ", *everyone))
        return lines

    def summary(
        self, c: Consultation, q: RankingQuestion, rounds: Sequence[RoundOutcome[RankingFigures]]
    ) -> ReportTable:
        columns = [
            Column(_("Option"), TEXT, 40),
            Column(_("Average position (1 = first)"), DECIMAL, 14),
            Column(_("Overall rank"), INT, 10),
            Column(_("Residents who answered"), INT, 12),
        ]
        return by_round(
            columns,
            rounds,
            lambda f, n: [
                (label, round(mean, 2) if mean else None, rank, n) for rank, (label, mean) in enumerate(f.places, 1)
            ],
        )

    def cell(self, c: Consultation, q: RankingQuestion, answer: list[str]) -> Any:
        labels = {o.key: o.label for o in q.options}
        return " > ".join(labels.get(k, k) for k in answer)


RANKING = register(Ranking())
