"""Multiple choice questions: tick several options, up to a maximum, then Done."""

from __future__ import annotations

import re
from typing import Any

from dialogues.questions.base import Answered, Changed, Draft, Refused, Result, prompt_block
from dialogues.questions.choice import match_option
from dialogues.schema import Consultation, MultipleChoiceQuestion
from dialogues.screens import Action, Button, Screen, h


def _limit(q: MultipleChoiceQuestion) -> int:
    return q.max_choices or len(q.options)


def screen(c: Consultation, q: MultipleChoiceQuestion, number: int, draft: Draft) -> Screen:
    limit = _limit(q)
    text = prompt_block(number, len(c.questions), q.prompt, q.help)
    text += f"\n\nTap to tick up to {limit}, then Done. Ticked: {len(draft.picks)}."
    rows = [
        [Button(("✅ " if i in draft.picks else "▫️ ") + o.label, Action("mt", (i,)))] for i, o in enumerate(q.options)
    ]
    rows.append([Button("Done", Action("md"))])
    return Screen(text, rows)


def _toggle(q: MultipleChoiceQuestion, draft: Draft, i: int) -> Result:
    picks = list(draft.picks)
    if i in picks:
        picks.remove(i)
    else:
        if len(picks) >= _limit(q):
            return Refused(f"You can tick up to {_limit(q)}. Untick one first.")
        picks.append(i)
    return Changed(Draft(picks=sorted(picks)))


def _done(q: MultipleChoiceQuestion, picks: list[int]) -> Result:
    if not picks and q.required:
        return Refused("Tick at least one option, then Done.")
    return Answered([q.options[i].key for i in sorted(picks)])


def press(c: Consultation, q: MultipleChoiceQuestion, draft: Draft, action: Action) -> Result:
    if action.name == "mt" and len(action.args) == 1 and 0 <= action.args[0] < len(q.options):
        return _toggle(q, draft, action.args[0])
    if action.name == "md":
        return _done(q, draft.picks)
    return Refused("That button doesn't belong to this question.")


def typed(c: Consultation, q: MultipleChoiceQuestion, draft: Draft, text: str) -> Result:
    parts = [p for p in re.split(r"[,;\n]+|\s+and\s+", text) if p.strip()]
    if len(parts) == 1 and all(tok.isdigit() for tok in parts[0].split()):
        parts = parts[0].split()
    picks: list[int] = []
    for p in parts:
        i = match_option(q.options, p)
        if i is None:
            return Refused(
                f"I couldn't match “{p.strip()[:40]}” to an option. Tap the options, or send their numbers like “1, 3”."
            )
        if i not in picks:
            picks.append(i)
    if len(picks) > _limit(q):
        return Refused(f"You can choose up to {_limit(q)}.")
    return _done(q, picks)


def describe(c: Consultation, q: MultipleChoiceQuestion, value: Any) -> str:
    labels = {o.key: o.label for o in q.options}
    return h(", ".join(labels.get(v, v) for v in value)) if value else "none"


def problems(c: Consultation, q: MultipleChoiceQuestion, value: Any) -> list[str]:
    keys = {o.key for o in q.options}
    if not isinstance(value, list) or any(v not in keys for v in value) or len(set(value)) != len(value):
        return ["choices must be distinct options"]
    if len(value) > _limit(q):
        return [f"at most {_limit(q)} choices"]
    return []


def start(c: Consultation, q: MultipleChoiceQuestion, previous: Any) -> Draft:
    keys = [o.key for o in q.options]
    picks = [keys.index(v) for v in previous if v in keys] if isinstance(previous, list) else []
    return Draft(picks=picks)
