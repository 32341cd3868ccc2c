"""Free text questions and comments: a typed answer within a length limit."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dialogues.questions.base import (
    Answered,
    Cell,
    Json,
    Line,
    QuestionType,
    Refused,
    Result,
    RoundOutcome,
    Tally,
    by_round,
    register,
)
from dialogues.report import INT, LONG, TEXT, Column, ReportTable
from dialogues.schema import Consultation, FreeTextQuestion
from dialogues.screens import Screen
from dialogues.text import Block, Para, _


def clean(text: str) -> str:
    # Control and invisible format characters (zero-width spaces, joiners, direction marks) have no place in an
    # answer: they confuse spreadsheets, and an answer made only of them says nothing.
    kept = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cf"})
    return kept.strip()


def check_length(text: str, limit: int) -> Result[str, None]:
    t = clean(text)
    if not t:
        return Refused(_("Please type your answer as a message."))
    if len(t) > limit:
        return Refused(
            _(
                "That is {length:,} characters; the limit is {limit:,}. Please shorten it and send it again.",
                length=len(t),
                limit=limit,
            )
        )
    return Answered(t)


def quoted(text: str, most: int = 200) -> str:
    return "“" + (text if len(text) <= most else text[:most] + "…") + "”"


@dataclass(frozen=True)
class Written:
    """How many residents wrote an answer: what they wrote is read by officers, never published as figures."""

    respondents: int


class WrittenTally(Tally[str, Written]):
    def add(self, answer: str, times: int = 1) -> None:
        self.respondents += times

    def figures(self) -> Written:
        return Written(self.respondents)


class FreeText(QuestionType[FreeTextQuestion, str, None, Written]):
    name = "free_text"
    code = "ft"
    schema = FreeTextQuestion
    verbs = frozenset[str]()
    label = _("free text")
    repeats = False

    def decode(self, c: Consultation, q: FreeTextQuestion, raw: Json) -> str | None:
        return raw if isinstance(raw, str) and raw.strip() and len(raw) <= q.max_length else None

    def describe(self, c: Consultation, q: FreeTextQuestion, answer: str) -> list[Line]:
        return [(quoted(answer),)]

    def start(self, c: Consultation, q: FreeTextQuestion, previous: str | None) -> None:
        return None

    def draft_to_json(self, draft: None) -> Json:
        return {}

    def draft_from_json(self, c: Consultation, q: FreeTextQuestion, raw: Json) -> None:
        return None

    def screen(self, c: Consultation, q: FreeTextQuestion, head: Sequence[Block], draft: None) -> Screen:
        return Screen(
            [*head, Para(_("Type your answer as a message (up to {limit:,} characters).", limit=q.max_length))]
        )

    def press(
        self, c: Consultation, q: FreeTextQuestion, draft: None, verb: str, args: tuple[int, ...]
    ) -> Result[str, None]:
        return Refused(_("Please type your answer as a message."))

    def typed(self, c: Consultation, q: FreeTextQuestion, draft: None, text: str) -> Result[str, None]:
        return check_length(text, q.max_length)

    def tally(self, c: Consultation, q: FreeTextQuestion) -> WrittenTally:
        return WrittenTally()

    def result_lines(self, c: Consultation, q: FreeTextQuestion, figures: Written) -> list[Line]:
        return [(_("{count} written answers (read by the council's officers).", count=figures.respondents),)]

    def columns(self, c: Consultation, q: FreeTextQuestion) -> list[Cell]:
        return [Cell(q.prompt, LONG, 50, q.key, _("the resident's own words"))]

    def summary(self, c: Consultation, q: FreeTextQuestion, rounds: Sequence[RoundOutcome[Written]]) -> ReportTable:
        columns = [Column(_("Residents who answered"), INT, 12), Column(_("Note"), TEXT, 60)]
        where = _("What residents wrote is in the Responses table.")
        return by_round(columns, rounds, lambda f, n: [(n, where)])

    def cell(self, c: Consultation, q: FreeTextQuestion, answer: str) -> Any:
        return answer


FREE_TEXT = register(FreeText())
