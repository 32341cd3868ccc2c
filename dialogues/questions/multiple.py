"""Multiple choice questions: tick several options, up to a maximum, then Done."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from dialogues.questions.base import (
    NOT_HERE,
    Answered,
    Cell,
    Changed,
    Counts,
    Json,
    Line,
    Measure,
    QuestionType,
    Refused,
    Result,
    RoundOutcome,
    Tally,
    register,
)
from dialogues.questions.choice import (
    OptionFigures,
    match_option,
    option_lines,
    option_measures,
    option_summary,
    unique_options,
)
from dialogues.report import INT, ReportTable
from dialogues.schema import Consultation, MultipleChoiceQuestion
from dialogues.screens import Button, Screen
from dialogues.text import Block, Msg, Para, Span, _, join, ngettext

Picks = list[int]  # indexes of the ticked options, in order


def _limit(q: MultipleChoiceQuestion) -> int:
    return q.max_choices or len(q.options)


class MultipleTally(Tally[list[str], OptionFigures]):
    def __init__(self, q: MultipleChoiceQuestion):
        super().__init__()
        self.q = q
        self.counts = Counts()

    def add(self, answer: list[str], times: int = 1) -> None:
        for key in answer:
            self.counts.add(key, times)
        self.respondents += times

    def figures(self) -> OptionFigures:
        by_key = dict(self.counts.items())
        return OptionFigures(self.respondents, tuple((o.label, by_key.get(o.key, 0)) for o in self.q.options))


class MultipleChoice(QuestionType[MultipleChoiceQuestion, list[str], Picks, OptionFigures]):
    name = "multiple_choice"
    code = "mc"
    schema = MultipleChoiceQuestion
    verbs = frozenset({"t", "d"})
    label = _("several choices")

    def decode(self, c: Consultation, q: MultipleChoiceQuestion, raw: Json) -> list[str] | None:
        keys = {o.key for o in q.options}
        if not isinstance(raw, list) or any(v not in keys for v in raw) or len(set(raw)) != len(raw):
            return None
        return raw if len(raw) <= _limit(q) else None

    def describe(self, c: Consultation, q: MultipleChoiceQuestion, answer: list[str]) -> list[Line]:
        labels = {o.key: o.label for o in q.options}
        return [join([labels.get(v, v) for v in answer])] if answer else [(_("none"),)]

    def start(self, c: Consultation, q: MultipleChoiceQuestion, previous: list[str] | None) -> Picks:
        keys = [o.key for o in q.options]
        return [keys.index(v) for v in previous if v in keys] if previous else []

    def draft_to_json(self, draft: Picks) -> Json:
        return {"picks": draft}

    def draft_from_json(self, c: Consultation, q: MultipleChoiceQuestion, raw: Json) -> Picks:
        picks = raw.get("picks", []) if isinstance(raw, dict) else []
        return [i for i in picks if isinstance(i, int) and 0 <= i < len(q.options)]

    def screen(self, c: Consultation, q: MultipleChoiceQuestion, head: Sequence[Block], draft: Picks) -> Screen:
        tick = ngettext("Tap to tick up to {n}, then Done.", "Tap to tick up to {n}, then Done.", _limit(q))
        rows = [
            [Button(Span("✅ " if i in draft else "▫️ ", o.label), self.action("t", i))] for i, o in enumerate(q.options)
        ]
        rows.append([Button(_("Done"), self.action("d"))])
        # What is ticked in words too: a screen reader says "check mark", which is not the same as "ticked".
        names = Span(*join([q.options[i].label for i in draft]))
        ticked = _("Ticked: {count} ({options}).", count=len(draft), options=names) if draft \
            else _("Ticked: {count}.", count=0)
        return Screen([*head, Para(tick, " ", ticked)], rows)

    def _toggle(self, q: MultipleChoiceQuestion, draft: Picks, i: int) -> Result[list[str], Picks]:
        picks = list(draft)
        if i in picks:
            picks.remove(i)
        else:
            if len(picks) >= _limit(q):
                return Refused(_("You can tick up to {most}. Untick one first.", most=_limit(q)))
            picks.append(i)
        return Changed(sorted(picks))

    def _done(self, q: MultipleChoiceQuestion, picks: Picks) -> Result[list[str], Picks]:
        if not picks and q.required:
            return Refused(_("Tick at least one option, then Done."), alert=True)
        return Answered([q.options[i].key for i in sorted(picks)])

    def press(
        self, c: Consultation, q: MultipleChoiceQuestion, draft: Picks, verb: str, args: tuple[int, ...]
    ) -> Result[list[str], Picks]:
        if verb == "t" and len(args) == 1 and 0 <= args[0] < len(q.options):
            return self._toggle(q, draft, args[0])
        if verb == "d":
            return self._done(q, draft)
        return Refused(NOT_HERE)

    def typed(self, c: Consultation, q: MultipleChoiceQuestion, draft: Picks, text: str) -> Result[list[str], Picks]:
        parts = [p for p in re.split(r"[,;\n]+|\s+and\s+", text) if p.strip()]
        if len(parts) == 1 and all(tok.isdigit() for tok in parts[0].split()):
            parts = parts[0].split()
        picks: Picks = []
        for p in parts:
            i = match_option(q.options, p)
            if i is None:
                return Refused(
                    _(
                        "I couldn't match “{text}” to an option. Tap the options, or send their numbers like “1, 3”.",
                        text=p.strip()[:40],
                    )
                )
            if i not in picks:
                picks.append(i)
        if len(picks) > _limit(q):
            return Refused(_("You can choose up to {most}.", most=_limit(q)))
        # Typed numbers tick the options, as taps would; Done still sends them, as the screen says.
        labels = Span(*join([q.options[i].label for i in sorted(picks)]))
        return Changed(sorted(picks), note=_("Ticked: {options}. Tap Done when you are happy with it.", options=labels))

    def check(self, c: Consultation, q: MultipleChoiceQuestion) -> list[Msg]:
        return unique_options(c, q)

    def tally(self, c: Consultation, q: MultipleChoiceQuestion) -> MultipleTally:
        return MultipleTally(q)

    def add_raw(self, c: Consultation, q: MultipleChoiceQuestion, tally: Any, raw: Json, times: int = 1) -> None:
        # The database counts equal answers as tuples; a list is what the journey stores.
        super().add_raw(c, q, tally, list(raw) if isinstance(raw, tuple) else raw, times)

    def result_lines(self, c: Consultation, q: MultipleChoiceQuestion, figures: OptionFigures) -> list[Line]:
        return option_lines(figures)

    def personal_lines(
        self, c: Consultation, q: MultipleChoiceQuestion, answer: list[str], figures: OptionFigures | None
    ) -> list[Line]:
        lines: list[Line] = [(_("You:"), " ", *self.describe(c, q, answer)[0])]
        if figures is not None:
            lines += [("  ", *line) for line in option_lines(figures)]
        return lines

    def summary(
        self, c: Consultation, q: MultipleChoiceQuestion, rounds: Sequence[RoundOutcome[OptionFigures]]
    ) -> ReportTable:
        return option_summary(rounds)

    def columns(self, c: Consultation, q: MultipleChoiceQuestion) -> list[Cell]:
        ticked = _("1 = ticked, 0 = not ticked, empty = not answered")
        return [Cell(_("{question}: {option}", question=q.prompt, option=o.label), INT, 12, f"{q.key}.{o.key}", ticked)
                for o in q.options]

    def cells(self, c: Consultation, q: MultipleChoiceQuestion, answer: list[str] | None) -> list[Any]:
        if answer is None:
            return [None] * len(q.options)
        chosen = set(answer)
        return [1 if o.key in chosen else 0 for o in q.options]

    def measures(self, c: Consultation, q: MultipleChoiceQuestion) -> list[Measure]:
        return option_measures(q.options)

    def measure(self, c: Consultation, q: MultipleChoiceQuestion, answer: list[str]) -> list[float]:
        return [1.0 if o.key in answer else 0.0 for o in q.options]


MULTIPLE_CHOICE = register(MultipleChoice())
