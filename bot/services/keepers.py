"""Keepers of question types' own rows (statements, reactions): what the services do for a type whose `keeper`
names one. Looked up by the type's own declaration, so nothing here knows any type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from dialogues.questions import Effect, of
from dialogues.questions.base import Json
from dialogues.report import ReportTable
from dialogues.rounds import Round
from dialogues.schema import Consultation, Question
from dialogues.text import Block
from storage.uow import UnitOfWork


class Keeper(Protocol):
    async def live(self, uow: UnitOfWork, rnd: Round, resident_id: int, c: Consultation, q: Question) -> Json:
        """What the type sees for this resident now (given to `QuestionType.bound`)."""

    async def apply(
        self, uow: UnitOfWork, rnd: Round, resident_id: int, c: Consultation, q: Question, effect: Effect
    ) -> None:
        """Makes a change the type asked for, in the caller's transaction."""

    async def rows(self, uow: UnitOfWork, rnd: Round, c: Consultation, q: Question, minimum: int) -> Json:
        """What the type's tally needs of its rows for a round's results (given to `Tally.rows`)."""

    async def mydata(self, uow: UnitOfWork, resident_id: int) -> list[Block]:
        """What /mydata shows of the rows about this resident (their erasure is the storage's, with the resident)."""

    async def tables(
        self, uow: UnitOfWork, consultation_id: int, c: Consultation, q: Question,
        pseudonym: Callable[[int], str], minimum: int,
    ) -> list[ReportTable]:
        """Tables of the rows for officers' exports (a sheet or CSV file each); residents only by `pseudonym` of
        their Telegram id."""


KEEPERS: dict[str, Keeper] = {}


def keeper_of(q: Question) -> Keeper | None:
    name = of(q).keeper
    return KEEPERS.get(name) if name else None


def kept(c: Consultation) -> list[tuple[Question, Keeper]]:
    """The file's questions whose type keeps rows of its own, with their keepers."""
    return [(q, k) for q in c.questions if (k := keeper_of(q)) is not None]


async def live(uow: UnitOfWork, rnd: Round, resident_id: int, c: Consultation) -> dict[str, Json]:
    return {q.key: await k.live(uow, rnd, resident_id, c, q) for q, k in kept(c)}


async def apply(
    uow: UnitOfWork, rnd: Round, resident_id: int, c: Consultation, effects: list[tuple[str, Effect]]
) -> None:
    for key, effect in effects:
        q = c.question(key)
        k = keeper_of(q)
        if k is not None:
            await k.apply(uow, rnd, resident_id, c, q, effect)


async def mydata(uow: UnitOfWork, resident_id: int) -> list[Block]:
    out: list[Block] = []
    for k in {id(k): k for k in KEEPERS.values()}.values():
        out += await k.mydata(uow, resident_id)
    return out


from bot.services.statements import KEEPER as _STATEMENTS  # noqa: E402  - statements.py imports nothing of this

KEEPERS["statements"] = _STATEMENTS
