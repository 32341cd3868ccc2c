"""Rating scale questions: a number on a scale such as 1-5 or 0-10, with labels at the ends."""

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
from dialogues.report import DECIMAL, INT, PERCENT, TEXT, Column, ReportTable
from dialogues.schema import Consultation, RatingQuestion
from dialogues.screens import Button, Screen
from dialogues.text import Block, Inline, Localised, Para, Span, _, join


@dataclass(frozen=True)
class RatingFigures:
    respondents: int
    counts: tuple[tuple[int, int], ...]  # (value, residents) for every value on the scale
    mean: float


class RatingTally(Tally[int, RatingFigures]):
    def __init__(self, q: RatingQuestion):
        super().__init__()
        self.q = q
        self.counts = Counts()

    def add(self, answer: int, times: int = 1) -> None:
        self.counts.add(answer, times)
        self.respondents += times

    def figures(self) -> RatingFigures:
        n = self.respondents
        by_value = dict(self.counts.items())
        counts = tuple((v, by_value.get(v, 0)) for v in range(self.q.scale_min, self.q.scale_max + 1))
        return RatingFigures(n, counts, sum(v * k for v, k in counts) / n if n else 0.0)


def value_label(q: RatingQuestion, value: int) -> str:
    """A value with its end label where it has one: '5 (Very satisfied)'."""
    label = {q.scale_min: q.min_label, q.scale_max: q.max_label}.get(value, "")
    if isinstance(label, Localised) and label:
        return Localised({k: f"{value} ({v})" for k, v in label.texts.items()}, label.default)
    return f"{value} ({label})" if label else str(value)


class Rating(QuestionType[RatingQuestion, int, int | None, RatingFigures]):
    name = "rating"
    code = "rt"
    schema = RatingQuestion
    verbs = frozenset({"v"})
    label = _("rating")

    def decode(self, c: Consultation, q: RatingQuestion, raw: Json) -> int | None:
        if isinstance(raw, bool) or not isinstance(raw, int) or not q.scale_min <= raw <= q.scale_max:
            return None
        return raw

    def describe(self, c: Consultation, q: RatingQuestion, answer: int) -> list[Line]:
        label = {q.scale_min: q.min_label, q.scale_max: q.max_label}.get(answer, "")
        said: Inline = _("{value} out of {most}", value=answer, most=q.scale_max)
        return [(said, f" ({label})") if label else (said,)]

    def start(self, c: Consultation, q: RatingQuestion, previous: int | None) -> int | None:
        return previous  # shown ticked: an earlier round's answer, or this round's when changing it

    def draft_to_json(self, draft: int | None) -> Json:
        return {"value": draft} if draft is not None else {}

    def draft_from_json(self, c: Consultation, q: RatingQuestion, raw: Json) -> int | None:
        value = raw.get("value") if isinstance(raw, dict) else None
        return self.decode(c, q, value) if value is not None else None

    def screen(self, c: Consultation, q: RatingQuestion, head: Sequence[Block], draft: int | None) -> Screen:
        values = list(range(q.scale_min, q.scale_max + 1))
        per_row = 6 if len(values) > 6 else len(values)
        rows = [values[i : i + per_row] for i in range(0, len(values), per_row)]
        buttons = [[Button(f"✅ {v}" if v == draft else str(v), self.action("v", v)) for v in row] for row in rows]
        ends = [Span(f"{v} = ", label) for v, label in ((q.scale_min, q.min_label), (q.scale_max, q.max_label))
                if label]
        tap = (
            _("Tap a number from {low} to {high} ({ends}).", low=q.scale_min, high=q.scale_max, ends=Span(*join(ends)))
            if ends
            else _("Tap a number from {low} to {high}.", low=q.scale_min, high=q.scale_max)
        )
        earlier = (
            [Para(_("Your answer so far: {answer}", answer=Span(*self.describe(c, q, draft)[0])))] if draft else []
        )
        return Screen([*head, *earlier, Para(tap)], buttons)

    def _check(self, q: RatingQuestion, value: int) -> Result[int, int | None]:
        if not q.scale_min <= value <= q.scale_max:
            return Refused(_("Please choose a number from {low} to {high}.", low=q.scale_min, high=q.scale_max))
        return Answered(value)

    def press(
        self, c: Consultation, q: RatingQuestion, draft: int | None, verb: str, args: tuple[int, ...]
    ) -> Result[int, int | None]:
        if verb != "v" or len(args) != 1:
            return Refused(NOT_HERE)
        return self._check(q, args[0])

    def typed(self, c: Consultation, q: RatingQuestion, draft: int | None, text: str) -> Result[int, int | None]:
        value = parse_int(text)
        if value is None:
            return Refused(
                _(
                    "Please send a whole number from {low} to {high}, or tap one of the buttons.",
                    low=q.scale_min,
                    high=q.scale_max,
                )
            )
        return self._check(q, value)

    def tally(self, c: Consultation, q: RatingQuestion) -> RatingTally:
        return RatingTally(q)

    def result_lines(self, c: Consultation, q: RatingQuestion, figures: RatingFigures) -> list[Line]:
        total = figures.respondents or 1
        lines: list[Line] = [
            (_("{label}: {count} ({share:.0f}%)", label=str(v), count=k, share=100 * k / total),)
            for v, k in figures.counts
        ]
        lines.append((_("Average: {mean:.1f} out of {most}", mean=figures.mean, most=q.scale_max),))
        return lines

    def personal_lines(
        self, c: Consultation, q: RatingQuestion, answer: int, figures: RatingFigures | None
    ) -> list[Line]:
        lines: list[Line] = [(_("You:"), " ", *self.describe(c, q, answer)[0])]
        if figures is not None:
            lines.append((_("Everyone: an average of {mean:.1f} out of {most}", mean=figures.mean, most=q.scale_max),))
        return lines

    def summary(self, c: Consultation, q: RatingQuestion, rounds: Sequence[RoundOutcome[RatingFigures]]) -> ReportTable:
        columns = [
            Column(_("Rating"), TEXT, 24),
            Column(_("Residents"), INT, 11),
            Column(_("Share of those who answered"), PERCENT, 14),
            Column(_("Residents who answered"), INT, 12),
            Column(_("Average rating"), DECIMAL, 11),
        ]
        return by_round(
            columns,
            rounds,
            lambda f, n: [(value_label(q, v), k, k / n if n else None, n, round(f.mean, 2)) for v, k in f.counts],
        )

    def columns(self, c: Consultation, q: RatingQuestion) -> list[Cell]:
        ends = _("a whole number from {low} to {high}", low=q.scale_min, high=q.scale_max)
        if q.min_label or q.max_label:
            ends = _("a whole number from {low} ({low_label}) to {high} ({high_label})", low=q.scale_min,
                     high=q.scale_max, low_label=q.min_label or "–", high_label=q.max_label or "–")
        return [Cell(q.prompt, INT, 12, q.key, ends)]

    def cell(self, c: Consultation, q: RatingQuestion, answer: int) -> Any:
        return answer

    def measures(self, c: Consultation, q: RatingQuestion) -> list[Measure]:
        return [Measure(q.key, _("Average rating"), DECIMAL)]

    def measure(self, c: Consultation, q: RatingQuestion, answer: int) -> list[float]:
        return [float(answer)]


RATING = register(Rating())
