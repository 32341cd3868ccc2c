"""Question types: each module renders its screen, reads presses and typed text, and describes answers."""

from __future__ import annotations

from types import ModuleType

from dialogues.questions import allocation, choice, free_text, multiple, ranking, rating
from dialogues.questions.base import Answered, Changed, Draft, Refused, Result

_BY_TYPE: dict[str, ModuleType] = {
    "allocation": allocation,
    "rating": rating,
    "single_choice": choice,
    "multiple_choice": multiple,
    "ranking": ranking,
    "free_text": free_text,
}


def kind(question_type: str) -> ModuleType:
    """The module that handles a question type."""
    return _BY_TYPE[question_type]


__all__ = ["Answered", "Changed", "Draft", "Refused", "Result", "kind"]
