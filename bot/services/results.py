"""A round's results for group posts and exports: tallies from streamed answers, with small-cell suppression."""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from typing import Any

from bot.services.common import Deps
from dialogues.rounds import Round
from dialogues.schema import AllocationQuestion, Consultation, FreeTextQuestion, Question
from dialogues.tally import AllocationTally, CountTally, allocation_question, tally_allocations, tally_question
from storage.uow import UnitOfWork

MAX_COMMENTS = 20


@dataclass(frozen=True)
class RoundResults:
    consultation_id: int
    code: str
    spec: Consultation  # the latest version's spec: its services and questions name the figures
    round: Round
    started: int  # participations in the round
    finished: int
    allocation: AllocationTally | None  # None if there is no allocation question, or too few answered it
    allocation_respondents: int
    questions: list[tuple[Question, CountTally | None, int]]  # (question, tally or None if suppressed, respondents)
    min_respondents: int
    comments: list[str]  # approved "why" comments, newest first; none when the allocation is suppressed

    @property
    def suppressed(self) -> bool:
        """True when the allocation (the headline) has too few respondents to show."""
        return self.allocation is None and allocation_question(self.spec) is not None


def _hashable(value: Any) -> Hashable:
    return tuple(value) if isinstance(value, list) else value


class _Accumulator:
    """Holds a round's answers compactly while they stream past: allocations as bytes, the rest as counts."""

    def __init__(self, spec: Consultation):
        self.spec = spec
        self.alloc = allocation_question(spec)
        self.keys = [s.key for s in spec.services]
        self.pence = array("B")  # one byte per service per resident: 100,000 residents x 12 services is 1.2 MB
        self.allocations = 0
        self.others: dict[str, Question] = {q.key: q for q in spec.questions if not isinstance(q, AllocationQuestion)}
        self.counts: dict[str, Counter[Hashable]] = {k: Counter() for k in self.others}
        self.texts: Counter[str] = Counter()

    def add(self, key: str, value: Any) -> None:
        if value is None:
            return
        if self.alloc is not None and key == self.alloc.key:
            if isinstance(value, dict):
                # Services an older version did not have count as 0; ones the latest dropped are ignored.
                self.pence.extend(min(100, max(0, _int(value.get(k)))) for k in self.keys)
                self.allocations += 1
            return
        q = self.others.get(key)
        if q is None:
            return  # a ".why" comment, or a question the latest version no longer asks
        if isinstance(q, FreeTextQuestion):
            if isinstance(value, str) and value.strip():
                self.texts[key] += 1
            return
        try:
            self.counts[key][_hashable(value)] += 1
        except TypeError:
            return  # a value of a shape this question never stores

    def _allocations(self) -> Iterator[dict[str, int]]:
        k = len(self.keys)
        for i in range(self.allocations):
            yield dict(zip(self.keys, self.pence[i * k : (i + 1) * k], strict=True))

    def allocation_tally(self, minimum: int) -> AllocationTally | None:
        if self.alloc is None or self.allocations < minimum:
            return None
        return tally_allocations(self.spec.services, self._allocations())

    def question_tallies(self, minimum: int) -> list[tuple[Question, CountTally | None, int]]:
        out: list[tuple[Question, CountTally | None, int]] = []
        for key, q in self.others.items():
            if isinstance(q, FreeTextQuestion):
                n = self.texts[key]
                # Free text is never moderated, so results carry how many wrote, not what they wrote.
                out.append((q, CountTally(n, ()) if n >= minimum else None, n))
                continue
            counter = self.counts[key]
            n = sum(counter.values())
            if n < minimum:
                out.append((q, None, n))
                continue
            values = (list(v) if isinstance(v, tuple) else v for v, c in counter.items() for _ in range(c))
            try:
                out.append((q, tally_question(q, values), n))
            except (TypeError, ValueError):
                out.append((q, None, n))
        return out


def _int(v: Any) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return 0


async def tally_round(uow: UnitOfWork, consultation_id: int, rnd: Round, minimum: int) -> RoundResults:
    """The results of one round, read inside the caller's unit of work (so an export sees one snapshot)."""
    _, spec = await uow.consultations.latest(consultation_id)
    started, finished = await uow.reports.counts(rnd.id)
    acc = _Accumulator(spec)
    async for batch in uow.reports.answer_values(rnd.id):
        for key, value in batch:
            acc.add(key, value)
    allocation = acc.allocation_tally(minimum)
    comments = await uow.reports.approved_comments(rnd.id, MAX_COMMENTS) if allocation is not None else []
    return RoundResults(
        consultation_id=consultation_id,
        code=spec.code,
        spec=spec,
        round=rnd,
        started=started,
        finished=finished,
        allocation=allocation,
        allocation_respondents=acc.allocations,
        questions=acc.question_tallies(minimum),
        min_respondents=minimum,
        comments=comments,
    )


async def round_results(d: Deps, consultation_id: int, round_number: int) -> RoundResults:
    """Results of round `round_number`; LookupError if the consultation has no such round."""
    async with d.uow() as uow:
        rnd = next((r for r in await uow.consultations.rounds(consultation_id) if r.number == round_number), None)
        if rnd is None:
            raise LookupError(f"consultation {consultation_id} has no round {round_number}")
        return await tally_round(uow, consultation_id, rnd, d.config.results.min_respondents)
