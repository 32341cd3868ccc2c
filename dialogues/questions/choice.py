"""Single choice questions: pick one option from a short list."""

from __future__ import annotations

from typing import Any

from dialogues.questions.base import Answered, Draft, Refused, Result, parse_int, prompt_block
from dialogues.schema import Consultation, Option, SingleChoiceQuestion
from dialogues.screens import Action, Button, Screen, h


def match_option(options: list[Option], text: str) -> int | None:
    """An option by its number in the list or by its label (case-insensitive, or an unambiguous start)."""
    n = parse_int(text)
    if n is not None:
        return n - 1 if 1 <= n <= len(options) else None
    t = text.strip().lower()
    exact = [i for i, o in enumerate(options) if o.label.lower() == t or o.key == t]
    if exact:
        return exact[0]
    starts = [i for i, o in enumerate(options) if o.label.lower().startswith(t)] if len(t) >= 2 else []
    return starts[0] if len(starts) == 1 else None


def screen(c: Consultation, q: SingleChoiceQuestion, number: int, draft: Draft) -> Screen:
    text = prompt_block(number, len(c.questions), q.prompt, q.help) + "\n\nTap one option."
    return Screen(text, [[Button(o.label, Action("ch", (i,)))] for i, o in enumerate(q.options)])


def press(c: Consultation, q: SingleChoiceQuestion, draft: Draft, action: Action) -> Result:
    if action.name != "ch" or len(action.args) != 1 or not 0 <= action.args[0] < len(q.options):
        return Refused("That button doesn't belong to this question.")
    return Answered(q.options[action.args[0]].key)


def typed(c: Consultation, q: SingleChoiceQuestion, draft: Draft, text: str) -> Result:
    i = match_option(q.options, text)
    if i is None:
        listing = "; ".join(f"{n}. {o.label}" for n, o in enumerate(q.options, 1))
        return Refused(f"Please tap one of the options, or send its number: {listing}.")
    return Answered(q.options[i].key)


def describe(c: Consultation, q: SingleChoiceQuestion, value: Any) -> str:
    labels = {o.key: o.label for o in q.options}
    return h(labels.get(value, value))


def problems(c: Consultation, q: SingleChoiceQuestion, value: Any) -> list[str]:
    return [] if value in {o.key for o in q.options} else ["not one of the options"]


def start(c: Consultation, q: SingleChoiceQuestion, previous: Any) -> Draft:
    return Draft()
