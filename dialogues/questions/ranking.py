"""Ranking questions: put a short list in order of preference by tapping options in turn."""

from __future__ import annotations

import re
from typing import Any

from dialogues.questions.base import Answered, Changed, Draft, Refused, Result, prompt_block
from dialogues.questions.choice import match_option
from dialogues.schema import Consultation, RankingQuestion
from dialogues.screens import Action, Button, Screen, h


def screen(c: Consultation, q: RankingQuestion, number: int, draft: Draft) -> Screen:
    text = prompt_block(number, len(c.questions), q.prompt, q.help)
    if draft.picks:
        text += "\n\n<b>Your order so far:</b>\n" + "\n".join(
            f"{n}. {h(q.options[i].label)}" for n, i in enumerate(draft.picks, 1)
        )
    rows: list[list[Button]] = []
    if len(draft.picks) < len(q.options):
        which = "first" if not draft.picks else "next"
        text += f"\n\nTap the option you put {which}, or type the order, like “2 1 4 3”."
        rows = [[Button(o.label, Action("rk", (i,)))] for i, o in enumerate(q.options) if i not in draft.picks]
    else:
        rows = [[Button("✅ Confirm this order", Action("rc"))]]
    if draft.picks:
        rows.append([Button("↩ Undo", Action("ru")), Button("Start again", Action("rr"))])
    return Screen(text, rows)


def press(c: Consultation, q: RankingQuestion, draft: Draft, action: Action) -> Result:
    picks = list(draft.picks)
    if action.name == "rk" and len(action.args) == 1 and 0 <= action.args[0] < len(q.options):
        if action.args[0] in picks:
            return Refused("You have already placed that one.")
        picks.append(action.args[0])
        remaining = [i for i in range(len(q.options)) if i not in picks]
        if len(remaining) == 1:
            picks.append(remaining[0])  # the last place is not a choice
        return Changed(Draft(picks=picks))
    if action.name == "ru":
        return Changed(Draft(picks=picks[:-2] if len(picks) == len(q.options) else picks[:-1]))
    if action.name == "rr":
        return Changed(Draft())
    if action.name == "rc":
        if len(picks) != len(q.options):
            return Refused("Place every option first.")
        return Answered([q.options[i].key for i in picks])
    return Refused("That button doesn't belong to this question.")


def typed(c: Consultation, q: RankingQuestion, draft: Draft, text: str) -> Result:
    if re.fullmatch(r"[\d\s,;>]+", text.strip()):
        parts = [p for p in re.split(r"[,;\n>]+|\s+", text.strip()) if p]
    else:
        parts = [p for p in re.split(r"[,;\n>]+", text) if p.strip()]
    order: list[int] = []
    for p in parts:
        i = match_option(q.options, p)
        if i is None or i in order:
            example = " ".join(str(n) for n in range(len(q.options), 0, -1))
            return Refused(f"Send each option's number once, in your order, like “{example}”.")
        order.append(i)
    if len(order) != len(q.options):
        return Refused(f"Please put all {len(q.options)} options in order.")
    return Answered([q.options[i].key for i in order])


def describe(c: Consultation, q: RankingQuestion, value: Any) -> str:
    labels = {o.key: o.label for o in q.options}
    return " › ".join(h(labels.get(v, v)) for v in value)


def problems(c: Consultation, q: RankingQuestion, value: Any) -> list[str]:
    if not isinstance(value, list) or sorted(value) != sorted(o.key for o in q.options):
        return ["a ranking must order every option exactly once"]
    return []


def start(c: Consultation, q: RankingQuestion, previous: Any) -> Draft:
    return Draft()
