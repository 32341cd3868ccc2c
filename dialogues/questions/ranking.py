"""Ranking questions: put a short list in order of preference by tapping options in turn."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dialogues.borda import BordaCount, borda_counted
from dialogues.questions.base import (
    NOT_HERE,
    Answered,
    Cell,
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
from dialogues.ranked import InstantRunoff, Round, instant_runoff_counted
from dialogues.report import DECIMAL, INT, LONG, TEXT, Column, ReportTable
from dialogues.schema import Consultation, RankingQuestion
from dialogues.screens import Button, Chart, Screen
from dialogues.text import Block, Em, Inline, Items, Msg, Para, Span, Strong, _, join, ngettext

Order = list[int]  # option indexes placed so far, first place first


@dataclass(frozen=True)
class RankingFigures:
    """A ranking's figures, counted two ways: the Borda count (points for places) and instant-runoff (first places,
    the last out each stage). The counts name options by their place on the question ("0", "1", ...: one digit,
    at most 8 options), so each count's tie rule by name reads "the option listed earlier goes ahead"."""

    respondents: int
    places: tuple[tuple[str, float], ...]  # (option label, mean place), in the Borda count's order, best first
    borda: BordaCount
    runoff: InstantRunoff
    labels: tuple[str, ...]  # the option labels in the question's order: candidate "i" is labels[int(i)]

    def label(self, candidate: str) -> str:
        return self.labels[int(candidate)]


class RankingTally(Tally[list[str], RankingFigures]):
    """Each distinct order once, with how many residents gave it: at most 8! = 40,320 entries for 8 options,
    whatever the number of residents, and both counts need no more than that."""

    def __init__(self, q: RankingQuestion):
        super().__init__()
        self.q = q
        self.counts = Counts()

    def add(self, answer: list[str], times: int = 1) -> None:
        self.counts.add(tuple(answer), times)
        self.respondents += times

    def figures(self) -> RankingFigures:
        index = {o.key: str(i) for i, o in enumerate(self.q.options)}
        candidates = list(index.values())
        ballots = [(tuple(index[k] for k in order if k in index), n) for order, n in self.counts.items()]
        count = borda_counted(candidates, ballots)
        runoff = instant_runoff_counted(candidates, ballots)
        labels = tuple(o.label for o in self.q.options)
        places = tuple(
            (labels[int(s.candidate)], len(candidates) - s.points / self.respondents if self.respondents else 0.0)
            for s in count.standings
        )
        return RankingFigures(self.respondents, places, count, runoff, labels)


def _votes(n: int) -> Msg:
    return ngettext("{n} vote", "{n} votes", n)


def _counted(f: RankingFigures, pairs: Sequence[tuple[str, int]]) -> list[Inline]:
    """Each option (in the reader's language) with its number of votes."""
    return [Span(f.label(c), f" {n}") for c, n in pairs]


def _stage_counts(f: RankingFigures, r: Round) -> Span:
    return Span(*join(_counted(f, r.counts)))


def _stage_alt(f: RankingFigures, r: Round) -> Inline:
    """One stage of the count in a sentence, for the chart's caption (0 on the chart is also "out")."""
    counts = _("Stage {number}: {counts}", number=r.number, counts=_stage_counts(f, r))
    if r.winner is not None:
        return Span(counts, "; ", _("{option} wins.", option=f.label(r.winner)))
    if r.eliminated is None:
        return Span(counts, ".")
    if r.transfers:
        return Span(counts, "; ", _("{option} is out, its votes to {where}.", option=f.label(r.eliminated),
                                    where=Span(*join(_counted(f, r.transfers)))))
    return Span(counts, "; ", _("{option} is out.", option=f.label(r.eliminated)))


def stage_lines(f: RankingFigures) -> list[Line]:
    """The instant-runoff count stage by stage: everyone's first places still in, who went out and where their
    votes went, how a tie was settled."""
    lines: list[Line] = []
    for r in f.runoff.rounds:
        line: list[Inline] = [Strong(_("Stage {number}:", number=r.number)), " ", _stage_counts(f, r), "."]
        if r.winner is not None:
            line += [" ", _("{option} has more than half of the {n} votes, and wins.", option=f.label(r.winner),
                           n=r.continuing)]
        elif r.eliminated is not None:
            out = f.label(r.eliminated)
            if r.tie_break == "earlier rounds":
                line += [" ", _("{option} is out (tied for fewest; it had fewer at an earlier stage).", option=out)]
            elif r.tie_break == "name":
                line += [" ", _("{option} is out (tied for fewest at every stage; of the tied options it is "
                                "listed last on the question).", option=out)]
            else:
                line += [" ", _("{option} has fewest and is out.", option=out)]
            went = _counted(f, r.transfers)
            if r.newly_exhausted:
                went.append(ngettext("{n} to no option (its ranking had none left)",
                                     "{n} to no option (their rankings had none left)", r.newly_exhausted))
            if went:
                line += [" ", _("Its votes went to: {where}.", where=Span(*join(went, "; ")))]
        if r.exhausted:
            line += [" ", ngettext("({n} ballot ranks no option still in.)", "({n} ballots rank no option still in.)",
                                   r.exhausted)]
        lines.append(tuple(line))
    return lines


def borda_lines(f: RankingFigures, n_options: int) -> list[Line]:
    lines: list[Line] = [
        (Strong(_("Borda count")), " ",
         _("(each ranking gives first place {top} points, the next one fewer, last place 0):", top=n_options - 1))
    ]
    means = dict(f.places)
    for i, s in enumerate(f.borda.standings, 1):
        label = f.label(s.candidate)
        lines.append((ngettext("{place}. {label}: {n} point (average place {mean:.1f})",
                               "{place}. {label}: {n} points (average place {mean:.1f})",
                               s.points, place=i, label=label, mean=means[label]),))
    if f.borda.tie_break == "first places":
        lines.append((Em(_("Tied on points at the top: more first places goes ahead.")),))
    elif f.borda.tie_break == "name":
        lines.append((Em(_("Tied on points and first places at the top: the option listed first goes ahead.")),))
    return lines


def runoff_lines(f: RankingFigures) -> list[Line]:
    r = f.runoff
    if r.winner is None:
        head: Inline = _("Nobody ranked any option.")
    else:
        last = r.rounds[-1]
        head = ngettext(
            "{option} wins at stage {n}, with {votes} of {of}.",
            "{option} wins at stage {n}, with {votes} of {of}.",
            last.number, option=f.label(r.winner), votes=last.votes(r.winner), of=_votes(last.continuing),
        )
    lines: list[Line] = [
        (Strong(_("Instant-runoff count")), " ", _("(first places count; the option with fewest goes out and its "
                                                   "votes move to each ranking's next choice):")),
        (head,),
        *stage_lines(f),
    ]
    borda_first = f.borda.winner
    if r.winner is not None and borda_first is not None and borda_first != r.winner:
        lines.append((Em(_("The two counts disagree: the Borda count puts {borda} first, instant-runoff {runoff}.",
                           borda=f.label(borda_first), runoff=f.label(r.winner))),))
    return lines


def _outcome(f: RankingFigures, candidate: str) -> Inline:
    """How the instant-runoff count ended for one option, for the export."""
    for r in f.runoff.rounds:
        if r.winner == candidate:
            return _("wins at stage {number}", number=r.number)
        if r.eliminated == candidate:
            went = _counted(f, r.transfers)
            if r.newly_exhausted:
                went.append(ngettext("{n} to no option", "{n} to no option", r.newly_exhausted))
            why = {"earlier rounds": _(" (tie settled by an earlier stage)"),
                   "name": _(" (tie settled by the question's order)")}.get(r.tie_break or "", "")
            if not went:
                return Span(_("out at stage {number}", number=r.number), why)
            return Span(_("out at stage {number}", number=r.number), why, "; ",
                        _("its votes went to: {where}", where=Span(*join(went, "; "))))
    return _("still in when the count ended")


RULES = _(
    "Borda count: with n options, first place gets n − 1 points, second n − 2, down to 0 for last; ties on points "
    "go to more first places, then to the option listed first on the question. Instant-runoff: each ranking counts "
    "for its highest option still in; an option with more than half of those votes wins; otherwise the option with "
    "fewest goes out and its votes move on. A tie for fewest is settled by fewer votes at the stage before (and "
    "before that); if still tied, the option listed last on the question goes out."
)


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

    def check(self, c: Consultation, q: RankingQuestion) -> list[Msg]:
        return unique_options(c, q)

    def tally(self, c: Consultation, q: RankingQuestion) -> RankingTally:
        return RankingTally(q)

    def result_lines(self, c: Consultation, q: RankingQuestion, figures: RankingFigures) -> list[Line]:
        return [*borda_lines(figures, len(q.options)), ("",), *runoff_lines(figures)]

    def chart(self, c: Consultation, q: RankingQuestion, figures: RankingFigures, title: Inline) -> Chart | None:
        """The instant-runoff count: each option's votes at each stage (0 once it is out), the winner on top and
        the first out at the bottom. A long count shows its first stage and its last three."""
        rounds = figures.runoff.rounds
        if figures.runoff.winner is None:
            return None
        out = [r.eliminated for r in reversed(rounds) if r.eliminated is not None]  # the last out first
        order = [c for c, _n in rounds[-1].counts]  # those still in at the end, the winner first
        order += out + [str(i) for i in range(len(q.options)) if str(i) not in order and str(i) not in out]
        shown = rounds if len(rounds) <= 4 else (rounds[0], *rounds[-3:])

        def votes(r: Round, candidate: str) -> float:
            return float(dict(r.counts).get(candidate, 0))

        return Chart(
            title=_("Instant-runoff count, stage by stage: {title}", title=title),
            labels=tuple(figures.label(x) for x in order),
            series=tuple((_("Stage {number}", number=r.number), tuple(votes(r, x) for x in order)) for r in shown),
            unit="",
            axis=_("votes (first places among the options still in)"),
            alt=Span(*join([_stage_alt(figures, r) for r in rounds], " ")),
        )

    def personal_lines(
        self, c: Consultation, q: RankingQuestion, answer: list[str], figures: RankingFigures | None
    ) -> list[Line]:
        lines: list[Line] = [(_("You:"), " ", *self.describe(c, q, answer)[0])]
        if figures is not None:
            everyone = join([label for label, _mean in figures.places], " › ")
            lines.append((_("Everyone, by Borda count:"), " ", *everyone))
            if figures.runoff.winner is not None:
                lines.append((_("Instant-runoff winner:"), " ", figures.label(figures.runoff.winner)))
        return lines

    def summary(
        self, c: Consultation, q: RankingQuestion, rounds: Sequence[RoundOutcome[RankingFigures]]
    ) -> ReportTable:
        """A row per option and round: its Borda points and place, its votes at each stage of the instant-runoff
        count (blank once it is out), and how the count ended for it."""
        stages = len(q.options)  # a count of n options has at most n stages
        columns = [
            Column(_("Option"), TEXT, 40),
            Column(_("Average position (1 = first)"), DECIMAL, 14),
            Column(_("Overall rank (Borda count)"), INT, 10),
            Column(_("Borda points"), INT, 10),
            Column(_("First places"), INT, 10),
            *(Column(_("Instant-runoff stage {number} (votes)", number=k), INT, 12) for k in range(1, stages + 1)),
            Column(_("Instant-runoff result"), LONG, 50),
            Column(_("Residents who answered"), INT, 12),
        ]

        def rows(f: RankingFigures, n: int) -> list[tuple[Any, ...]]:
            means = dict(f.places)
            out = []
            for rank, s in enumerate(f.borda.standings, 1):
                label = f.label(s.candidate)
                votes = [dict(r.counts).get(s.candidate) for r in f.runoff.rounds]
                votes += [None] * (stages - len(votes))
                mean = means[label]
                out.append((label, round(mean, 2) if mean else None, rank, s.points, s.firsts, *votes,
                            _outcome(f, s.candidate), n))
            return out

        t = by_round(columns, rounds, rows)
        t.note = RULES
        return t

    def columns(self, c: Consultation, q: RankingQuestion) -> list[Cell]:
        place = _("1 = ranked first, 2 = second, and so on; empty = not ranked")
        return [Cell(_("{question}: position of {option}", question=q.prompt, option=o.label), INT, 12,
                     f"{q.key}.{o.key}", place) for o in q.options]

    def cells(self, c: Consultation, q: RankingQuestion, answer: list[str] | None) -> list[Any]:
        if answer is None:
            return [None] * len(q.options)
        position = {k: i for i, k in enumerate(answer, 1)}
        return [position.get(o.key) for o in q.options]


RANKING = register(Ranking())
