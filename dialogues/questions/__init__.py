"""Question types: one module each, registered by its `type:` name (see base.QuestionType for the contract)."""

from __future__ import annotations

from dialogues.questions import allocation, choice, free_text, multiple, profile, ranking, rating
from dialogues.questions.base import (
    Answered,
    AnyType,
    Changed,
    Outcome,
    QuestionType,
    Refused,
    Result,
    RoundOutcome,
    Tally,
    actions,
    by_code,
    by_name,
    of,
    register,
    registered,
    unregister,
)

__all__ = [
    "Answered",
    "AnyType",
    "Changed",
    "Outcome",
    "QuestionType",
    "Refused",
    "Result",
    "RoundOutcome",
    "Tally",
    "actions",
    "allocation",
    "by_code",
    "by_name",
    "choice",
    "free_text",
    "multiple",
    "of",
    "profile",
    "ranking",
    "rating",
    "register",
    "registered",
    "unregister",
]
