"""Single choice questions: pick one option from a short list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dialogues.questions.base import (
    NOT_HERE,
    Answered,
    Cell,
    Counts,
    Json,
    Line,
    Measure,
    QuestionType,
    Refused,
    Result,
    RoundOutcome,
    Tally,
    by_round,
    parse_int,
    register,
)
from dialogues.report import INT, PERCENT, TEXT, Column, ReportTable
from dialogues.schema import Consultation, Option, SingleChoiceQuestion, texts_of
from dialogues.screens import Button, Screen
from dialogues.text import Block, Msg, Para, Span, _, join


def match_option(options: Sequence[Option], text: str) -> int | None:
    """An option by its number in the list or by its label (case-insensitive, or an unambiguous start)."""
    n = parse_int(text)
    if n is not None:
        return n - 1 if 1 <= n <= len(options) else None
    t = text.strip().lower()
    labels = [[x.lower() for x in texts_of(o.label)] for o in options]  # in every language of the file
    exact = [i for i, o in enumerate(options) if t in labels[i] or o.key == t]
    if exact:
        return exact[0]
    starts = [i for i in range(len(options)) if any(x.startswith(t) for x in labels[i])] if len(t) >= 2 else []
    return starts[0] if len(starts) == 1 else None


def unique_options(c: Consultation, q: Any) -> list[Msg]:
    """A consultation check for every question with options: no two share a key."""
    seen: set[str] = set()
    for o in q.options:
        if o.key in seen:
            return [_("question {question}: two options have the key {key}; give one of them a key: of its own",
                      question=q.key, key=o.key)]
        seen.add(o.key)
    return []


@dataclass(frozen=True)
class OptionFigures:
    """Residents per option, in the file's order (several per resident for multiple choice)."""

    respondents: int
    counts: tuple[tuple[str, int], ...]  # (option label, residents)


def option_lines(figures: OptionFigures) -> list[Line]:
    total = figures.respondents or 1
    return [
        (_("{label}: {count} ({share:.0f}%)", label=label, count=k, share=100 * k / total),)
        for label, k in figures.counts
    ]


def option_measures(options: Sequence[Option]) -> list[Measure]:
    """One measure per option, whose mean is the share of residents who chose it."""
    return [Measure(o.key, o.label, PERCENT) for o in options]


def option_summary(rounds: Sequence[RoundOutcome[OptionFigures]]) -> ReportTable:
    columns = [
        Column(_("Option"), TEXT, 40),
        Column(_("Residents"), INT, 11),
        Column(_("Share of those who answered"), PERCENT, 14),
        Column(_("Residents who answered"), INT, 12),
    ]
    return by_round(columns, rounds, lambda f, n: [(label, k, k / n if n else None, n) for label, k in f.counts])


class ChoiceTally(Tally[str, OptionFigures]):
    def __init__(self, q: SingleChoiceQuestion):
        super().__init__()
        self.q = q
        self.counts = Counts()

    def add(self, answer: str, times: int = 1) -> None:
        self.counts.add(answer, times)
        self.respondents += times

    def figures(self) -> OptionFigures:
        by_key = dict(self.counts.items())
        return OptionFigures(self.respondents, tuple((o.label, by_key.get(o.key, 0)) for o in self.q.options))


class SingleChoice(QuestionType[SingleChoiceQuestion, str, str | None, OptionFigures]):
    name = "single_choice"
    code = "ch"
    schema = SingleChoiceQuestion
    verbs = frozenset({"o"})
    label = _("one choice")

    def decode(self, c: Consultation, q: SingleChoiceQuestion, raw: Json) -> str | None:
        return raw if isinstance(raw, str) and raw in {o.key for o in q.options} else None

    def describe(self, c: Consultation, q: SingleChoiceQuestion, answer: str) -> list[Line]:
        return [({o.key: o.label for o in q.options}.get(answer, answer),)]

    def start(self, c: Consultation, q: SingleChoiceQuestion, previous: str | None) -> str | None:
        return previous  # shown ticked: an earlier round's answer, or this round's when changing it

    def draft_to_json(self, draft: str | None) -> Json:
        return {"value": draft} if draft is not None else {}

    def draft_from_json(self, c: Consultation, q: SingleChoiceQuestion, raw: Json) -> str | None:
        value = raw.get("value") if isinstance(raw, dict) else None
        return self.decode(c, q, value) if value is not None else None

    def screen(self, c: Consultation, q: SingleChoiceQuestion, head: Sequence[Block], draft: str | None) -> Screen:
        rows = [
            [Button(Span("✅ " if o.key == draft else "", o.label), self.action("o", i))]
            for i, o in enumerate(q.options)
        ]
        chosen = next((o.label for o in q.options if o.key == draft), None)
        earlier = [Para(_("Your answer so far: {answer}", answer=chosen))] if chosen is not None else []
        return Screen([*head, *earlier, Para(_("Tap one option."))], rows)

    def press(
        self, c: Consultation, q: SingleChoiceQuestion, draft: str | None, verb: str, args: tuple[int, ...]
    ) -> Result[str, str | None]:
        if verb != "o" or len(args) != 1 or not 0 <= args[0] < len(q.options):
            return Refused(NOT_HERE)
        return Answered(q.options[args[0]].key)

    def typed(self, c: Consultation, q: SingleChoiceQuestion, draft: str | None, text: str) -> Result[str, str | None]:
        i = match_option(q.options, text)
        if i is None:
            listing = Span(*join([Span(f"{n}. ", o.label) for n, o in enumerate(q.options, 1)], "; "))
            return Refused(_("Please tap one of the options, or send its number: {options}.", options=listing))
        return Answered(q.options[i].key)

    def check(self, c: Consultation, q: SingleChoiceQuestion) -> list[Msg]:
        return unique_options(c, q)

    def tally(self, c: Consultation, q: SingleChoiceQuestion) -> ChoiceTally:
        return ChoiceTally(q)

    def result_lines(self, c: Consultation, q: SingleChoiceQuestion, figures: OptionFigures) -> list[Line]:
        return option_lines(figures)

    def personal_lines(
        self, c: Consultation, q: SingleChoiceQuestion, answer: str, figures: OptionFigures | None
    ) -> list[Line]:
        label = {o.key: o.label for o in q.options}.get(answer, answer)
        lines: list[Line] = [(_("You:"), " ", label)]
        if figures is not None:
            lines += [("  ", *line) for line in option_lines(figures)]
        return lines

    def summary(
        self, c: Consultation, q: SingleChoiceQuestion, rounds: Sequence[RoundOutcome[OptionFigures]]
    ) -> ReportTable:
        return option_summary(rounds)

    def columns(self, c: Consultation, q: SingleChoiceQuestion) -> list[Cell]:
        options = "; ".join(f"{o.label} ({o.key})" for o in q.options)
        return [Cell(q.prompt, code=q.key, values=_("the option chosen, one of: {options}", options=options))]

    def cell(self, c: Consultation, q: SingleChoiceQuestion, answer: str) -> Any:
        return {o.key: o.label for o in q.options}.get(answer, answer)

    def measures(self, c: Consultation, q: SingleChoiceQuestion) -> list[Measure]:
        return option_measures(q.options)

    def measure(self, c: Consultation, q: SingleChoiceQuestion, answer: str) -> list[float]:
        return [1.0 if o.key == answer else 0.0 for o in q.options]


SINGLE_CHOICE = register(SingleChoice())
