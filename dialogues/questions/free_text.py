"""Free text questions and comments: a typed answer within a length limit."""

from __future__ import annotations

from typing import Any

from dialogues.questions.base import Answered, Draft, Refused, Result, prompt_block
from dialogues.schema import Consultation, FreeTextQuestion
from dialogues.screens import Action, Screen, h


def clean(text: str) -> str:
    # Control characters other than newlines have no place in an answer and confuse spreadsheets.
    return "".join(ch for ch in text if ch == "\n" or ch >= " " or ch == "\t").strip()


def check_length(text: str, limit: int) -> Result:
    t = clean(text)
    if not t:
        return Refused("Please type your answer as a message.")
    if len(t) > limit:
        return Refused(f"That is {len(t):,} characters; the limit is {limit:,}. Please shorten it and send it again.")
    return Answered(t)


def screen(c: Consultation, q: FreeTextQuestion, number: int, draft: Draft) -> Screen:
    text = prompt_block(number, len(c.questions), q.prompt, q.help)
    text += f"\n\nType your answer as a message (up to {q.max_length:,} characters)."
    return Screen(text)


def press(c: Consultation, q: FreeTextQuestion, draft: Draft, action: Action) -> Result:
    return Refused("Please type your answer as a message.")


def typed(c: Consultation, q: FreeTextQuestion, draft: Draft, text: str) -> Result:
    return check_length(text, q.max_length)


def describe(c: Consultation, q: FreeTextQuestion, value: Any) -> str:
    text = str(value)
    return "“" + h(text if len(text) <= 200 else text[:200] + "…") + "”"


def problems(c: Consultation, q: FreeTextQuestion, value: Any) -> list[str]:
    if not isinstance(value, str) or not value.strip() or len(value) > q.max_length:
        return [f"text must be 1 to {q.max_length} characters"]
    return []


def start(c: Consultation, q: FreeTextQuestion, previous: Any) -> Draft:
    return Draft()
