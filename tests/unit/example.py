"""The example consultation, loaded once and shared by the unit tests (hypothesis dislikes fixtures)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from bot.content import Render
from bot.i18n import translations
from dialogues.loader import parse_consultation
from dialogues.questions.base import Line
from dialogues.schema import (
    AllocationQuestion,
    Consultation,
    FreeTextQuestion,
    MultipleChoiceQuestion,
    RankingQuestion,
    RatingQuestion,
    Service,
    SingleChoiceQuestion,
)
from dialogues.screens import Screen
from dialogues.tally import AllocationTally, tally_pence_counts
from dialogues.text import Inline, Lines

Q = TypeVar("Q")

EXAMPLE_PATH = Path(__file__).resolve().parents[2] / "examples" / "council-pound.yaml"
EXAMPLE_TEXT = EXAMPLE_PATH.read_text(encoding="utf-8")
EXAMPLE: Consultation = parse_consultation(EXAMPLE_TEXT)
SERVICES = EXAMPLE.services


def question(key: str, cls: type[Q]) -> Q:
    q = EXAMPLE.question(key)
    assert isinstance(q, cls), (key, cls)
    return q


POUND = question("pound", AllocationQuestion)
RATING = question("satisfaction", RatingQuestion)
CHOICE = question("council_tax", SingleChoiceQuestion)
MULTIPLE = question("priorities", MultipleChoiceQuestion)
RANKING = question("savings", RankingQuestion)
TEXT = question("anything_else", FreeTextQuestion)


def pence_tally(services: Sequence[Service], allocations: Iterable[Mapping[str, int]]) -> AllocationTally:
    """The tally results and exports make of these allocations: each service's pence counted per value."""
    counts: dict[str, Counter[int]] = {s.key: Counter() for s in services}
    n = 0
    for a in allocations:
        n += 1
        for key, counter in counts.items():
            counter[a.get(key, 0)] += 1
    return tally_pence_counts(services, n, counts)


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first line containing `needle`."""
    for n, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(f"{needle!r} not in text")


# Content as an English reader sees it: Telegram HTML (where markup and escaping matter) or plain text.
HTML = Render(translations("en"))
PLAIN = Render(translations("en"), html=False)


def said(x: Inline | None) -> str:
    """A toast, a refusal or a button label as plain English text."""
    assert x is not None
    return PLAIN.text(x)


def html(screen: Screen) -> str:
    """A screen's body as the Telegram HTML an English reader is sent."""
    return HTML.body(screen.body)


def described(lines: Sequence[Line], markup: bool = False) -> str:
    """A question type's `describe` lines as English text, one under the other."""
    return (HTML if markup else PLAIN).block(Lines(lines))
