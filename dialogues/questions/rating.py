"""Rating scale questions: a number on a scale such as 1-5 or 0-10, with labels at the ends."""

from __future__ import annotations

from typing import Any

from dialogues.questions.base import Answered, Draft, Refused, Result, parse_int, prompt_block
from dialogues.schema import Consultation, RatingQuestion
from dialogues.screens import Action, Button, Screen, h


def _scale(q: RatingQuestion) -> str:
    ends = []
    if q.min_label:
        ends.append(f"{q.scale_min} = {h(q.min_label)}")
    if q.max_label:
        ends.append(f"{q.scale_max} = {h(q.max_label)}")
    return ", ".join(ends)


def screen(c: Consultation, q: RatingQuestion, number: int, draft: Draft) -> Screen:
    values = list(range(q.scale_min, q.scale_max + 1))
    per_row = 6 if len(values) > 6 else len(values)
    rows = [values[i : i + per_row] for i in range(0, len(values), per_row)]
    buttons = [[Button(str(v), Action("rt", (v,))) for v in row] for row in rows]
    text = prompt_block(number, len(c.questions), q.prompt, q.help)
    scale = _scale(q)
    text += f"\n\nTap a number from {q.scale_min} to {q.scale_max}" + (f" ({scale})." if scale else ".")
    return Screen(text, buttons)


def _check(q: RatingQuestion, value: int) -> Result:
    if not q.scale_min <= value <= q.scale_max:
        return Refused(f"Please choose a number from {q.scale_min} to {q.scale_max}.")
    return Answered(value)


def press(c: Consultation, q: RatingQuestion, draft: Draft, action: Action) -> Result:
    if action.name != "rt" or len(action.args) != 1:
        return Refused("That button doesn't belong to this question.")
    return _check(q, action.args[0])


def typed(c: Consultation, q: RatingQuestion, draft: Draft, text: str) -> Result:
    value = parse_int(text)
    if value is None:
        return Refused(f"Please send a whole number from {q.scale_min} to {q.scale_max}, or tap one of the buttons.")
    return _check(q, value)


def describe(c: Consultation, q: RatingQuestion, value: Any) -> str:
    label = {q.scale_min: q.min_label, q.scale_max: q.max_label}.get(value, "")
    return f"{value} out of {q.scale_max}" + (f" ({h(label)})" if label else "")


def problems(c: Consultation, q: RatingQuestion, value: Any) -> list[str]:
    if isinstance(value, bool) or not isinstance(value, int) or not q.scale_min <= value <= q.scale_max:
        return [f"a rating must be a whole number from {q.scale_min} to {q.scale_max}"]
    return []


def start(c: Consultation, q: RatingQuestion, previous: Any) -> Draft:
    return Draft()
