"""The example consultation, loaded once and shared by the unit tests (hypothesis dislikes fixtures)."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from dialogues.loader import parse_consultation
from dialogues.schema import (
    AllocationQuestion,
    Consultation,
    FreeTextQuestion,
    MultipleChoiceQuestion,
    RankingQuestion,
    RatingQuestion,
    SingleChoiceQuestion,
)

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


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first line containing `needle`."""
    for n, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(f"{needle!r} not in text")
