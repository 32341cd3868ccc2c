"""The Council Pound: see today's split of a pound, then share 100p across the services."""

from __future__ import annotations

from typing import Any

from dialogues import allocation as rules
from dialogues.questions.base import Answered, Changed, Draft, Refused, Result, prompt_block
from dialogues.schema import AllocationQuestion, Consultation
from dialogues.screens import Action, Button, Chart, Screen, h


def today_screens(c: Consultation, q: AllocationQuestion) -> list[Screen]:
    """How every penny of a pound is spent today: a chart, then each service in words."""
    chart = Chart(
        title="How each penny of a council pound is spent today",
        labels=tuple(s.name for s in c.services),
        series=(("Today", tuple(float(s.today) for s in c.services)),),
    )
    caption = f"<b>{h(c.title)}: today</b>"
    if c.figures_note:
        caption += f"\n<i>{h(c.figures_note)}</i>"
    lines = [f"<b>{h(q.today_intro or 'How each penny of a council pound is spent today:')}</b>", ""]
    for s in sorted(c.services, key=lambda s: -s.today):
        lines.append(f"<b>{s.today}p</b> {h(s.name)}" + (f": {h(s.description)}" if s.description else ""))
    lines += ["", "Next, you share 100p your way."]
    return [
        Screen(caption, chart=chart),
        Screen("\n".join(lines), [[Button("Next: share your 100p ›", Action("go"))]]),
    ]


def screen(c: Consultation, q: AllocationQuestion, number: int, draft: Draft) -> Screen:
    pence = draft.pence or rules.empty(c.services)
    left = rules.left(pence)
    text = prompt_block(number, len(c.questions), q.prompt, q.help)
    text += "\n<i>Your pence, with today's in brackets.</i>\n"
    for s in c.services:
        text += f"\n{h(s.name)}: <b>{pence.get(s.key, 0)}p</b> ({s.today}p)"
    text += f"\n\n<b>Left to allocate: {left}p</b>" if left else "\n\n<b>All 100p shared.</b> Tap Submit to save."
    text += "\n<i>Tip: you can also type “Libraries 12”, or several lines at once.</i>"
    small, big = (q.steps[0], q.steps[-1])
    rows: list[list[Button]] = []
    for i, s in enumerate(c.services):
        row = [Button(f"−{big}", Action("ad", (i, -big)))] if big != small else []
        row += [
            Button(f"−{small}", Action("ad", (i, -small))),
            Button(f"{_short(s.name)} {pence.get(s.key, 0)}", Action("ai", (i,))),
            Button(f"+{small}", Action("ad", (i, small))),
        ]
        row += [Button(f"+{big}", Action("ad", (i, big)))] if big != small else []
        rows.append(row)
    rows.append([Button("Reset", Action("ar")), Button("Start from today's split", Action("at"))])
    rows.append([Button("✅ Submit" if left == 0 else f"Submit ({left}p left)", Action("as"))])
    return Screen(text, rows)


def _short(name: str) -> str:
    return name if len(name) <= 14 else name[:13] + "…"


def press(c: Consultation, q: AllocationQuestion, draft: Draft, action: Action) -> Result:
    pence = draft.pence or rules.empty(c.services)
    try:
        if action.name == "ad" and len(action.args) == 2 and abs(action.args[1]) in q.steps:
            return Changed(Draft(pence=rules.adjust(c.services, pence, action.args[0], action.args[1])))
        if action.name == "ai" and len(action.args) == 1 and 0 <= action.args[0] < len(c.services):
            s = c.services[action.args[0]]
            return Refused(f"{s.name}: {s.description or ''} Today {s.today}p."[:200])
        if action.name == "ar":
            return Changed(Draft(pence=rules.empty(c.services)))
        if action.name == "at":
            return Changed(Draft(pence=rules.today(c.services)))
        if action.name == "as":
            wrong = rules.problems(c.services, pence)
            return Refused(" ".join(wrong)) if wrong else Answered(dict(pence))
    except rules.AllocationError as e:
        return Refused(str(e))
    return Refused("That button doesn't belong to this question.")


def typed(c: Consultation, q: AllocationQuestion, draft: Draft, text: str) -> Result:
    pence = draft.pence or rules.empty(c.services)
    try:
        entries = rules.parse_typed(c.services, text)
        new = rules.apply_typed(c.services, pence, entries)
    except rules.AllocationError as e:
        return Refused(str(e))
    names = c.service_names()
    note = ", ".join(f"{names[k]} {v}p" for k, v in entries.items())
    return Changed(Draft(pence=new), note=f"Set {note}.")


def describe(c: Consultation, q: AllocationQuestion, value: Any) -> str:
    return "\n".join(f"  {h(s.name)}: {value.get(s.key, 0)}p" for s in c.services)


def problems(c: Consultation, q: AllocationQuestion, value: Any) -> list[str]:
    if not isinstance(value, dict):
        return ["an allocation must map services to pence"]
    return rules.problems(c.services, value)


def start(c: Consultation, q: AllocationQuestion, previous: Any) -> Draft:
    if isinstance(previous, dict) and not rules.problems(c.services, previous):
        return Draft(pence=dict(previous))
    return Draft(pence=rules.empty(c.services))
