"""What a question handler returns, and the draft a resident builds before answering."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Draft:
    """Work in progress on the current question: pence per service, or picked option indexes."""

    pence: dict[str, int] = field(default_factory=dict)
    picks: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Answered:
    value: Any


@dataclass(frozen=True)
class Changed:
    draft: Draft
    note: str | None = None


@dataclass(frozen=True)
class Refused:
    message: str


Result = Answered | Changed | Refused


def parse_int(text: str) -> int | None:
    t = text.strip().rstrip(".")
    # \d is exactly what int() reads; str.isdigit() also admits "²", which int() refuses.
    if re.fullmatch(r"-?\d{1,5}", t):
        return int(t)
    return None


def prompt_block(number: int, total: int, prompt: str, help_text: str) -> str:
    from dialogues.screens import h

    out = f"<b>Question {number} of {total}</b>\n{h(prompt)}"
    if help_text:
        out += f"\n<i>{h(help_text)}</i>"
    return out
