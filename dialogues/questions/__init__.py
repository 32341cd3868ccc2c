"""Question types: one module each, registered by its `type:` name (see base.QuestionType for the contract)."""

from __future__ import annotations

from dialogues.questions import allocation, ballot, choice, free_text, multiple, profile, ranking, rating, statements
from dialogues.questions.base import (
    Answered,
    AnyType,
    Changed,
    Effect,
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
    "Effect",
    "Outcome",
    "QuestionType",
    "Refused",
    "Result",
    "RoundOutcome",
    "Tally",
    "actions",
    "allocation",
    "ballot",
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
    "statements",
    "unregister",
]
