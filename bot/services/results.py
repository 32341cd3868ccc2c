"""A round's results for group posts and exports: tallies from streamed answers, with small-cell suppression."""

from __future__ import annotations

import operator
from array import array
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from bot.services.common import Deps
from dialogues.rounds import Round
from dialogues.schema import AllocationQuestion, Consultation, FreeTextQuestion, Question
from dialogues.tally import AllocationTally, CountTally, allocation_question, tally_counted, tally_pence_counts
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
        # One C call reads every service's pence from an allocation; a single service needs a 1-tuple.
        getter = operator.itemgetter(*self.keys) if self.keys else (lambda _: ())
        self.pence_of = getter if len(self.keys) != 1 else (lambda a: (getter(a),))
        self.pence = array("B")  # one byte per service per resident: 100,000 residents x 12 services is 1.2 MB
        self.allocations = 0
        self.others: dict[str, Question] = {q.key: q for q in spec.questions if not isinstance(q, AllocationQuestion)}
        self.counts: dict[str, Counter[Hashable]] = {k: Counter() for k in self.others}
        self.texts: Counter[str] = Counter()

    def add(self, key: str, value: Any, times: int = 1) -> None:
        """Takes `times` residents' equal answer to one question."""
        if value is None:
            return
        if self.alloc is not None and key == self.alloc.key:
            if isinstance(value, dict):
                try:  # the usual case, 0-100 whole pence for every service, as one array: nothing half added
                    pence = array("B", self.pence_of(value))
                    if max(pence, default=0) > 100:
                        raise OverflowError
                except (KeyError, TypeError, OverflowError):
                    # Services an older version did not have count as 0; ones the latest dropped are ignored.
                    pence = array("B", [min(100, max(0, _int(value.get(k)))) for k in self.keys])
                self.pence.extend(pence * times)
                self.allocations += times
            return
        q = self.others.get(key)
        if q is None:
            return  # a ".why" comment, or a question the latest version no longer asks
        if isinstance(q, FreeTextQuestion):
            if isinstance(value, str) and value.strip():
                self.texts[key] += times
            return
        try:
            self.counts[key][_hashable(value)] += times
        except TypeError:
            return  # a value of a shape this question never stores

    def allocation_tally(self, minimum: int) -> AllocationTally | None:
        if self.alloc is None or self.allocations < minimum:
            return None
        k = len(self.keys)
        counts = {key: Counter(self.pence[i::k]) for i, key in enumerate(self.keys)}  # a column is every k-th
        return tally_pence_counts(self.spec.services, self.allocations, counts)

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
            try:
                out.append((q, tally_counted(q, counter), n))
            except (TypeError, ValueError):
                out.append((q, None, n))
        return out


def _int(v: Any) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return 0


@dataclass
class RoundTally:
    """A round's results while they are counted: answers go in (from the database, or from the rows an export
    writes anyway, so it reads each answer once), RoundResults come out of `results()`."""

    consultation_id: int
    spec: Consultation
    round: Round
    started: int
    finished: int
    acc: _Accumulator

    def add_answers(self, answers: dict[str, Any]) -> None:
        """One resident's answers in this round."""
        add = self.acc.add
        for key, value in answers.items():
            add(key, value)

    async def results(self, uow: UnitOfWork, minimum: int) -> RoundResults:
        acc = self.acc
        allocation = acc.allocation_tally(minimum)
        comments = await uow.reports.approved_comments(self.round.id, MAX_COMMENTS) if allocation is not None else []
        return RoundResults(
            consultation_id=self.consultation_id,
            code=self.spec.code,
            spec=self.spec,
            round=self.round,
            started=self.started,
            finished=self.finished,
            allocation=allocation,
            allocation_respondents=acc.allocations,
            questions=acc.question_tallies(minimum),
            min_respondents=minimum,
            comments=comments,
        )


async def begin_tally(uow: UnitOfWork, consultation_id: int, rnd: Round) -> RoundTally:
    """A round's tally with nothing counted yet, under the latest version's questions."""
    _, spec = await uow.consultations.latest(consultation_id)
    started, finished = await uow.reports.counts(rnd.id)
    return RoundTally(consultation_id, spec, rnd, started, finished, _Accumulator(spec))


async def tally_round(uow: UnitOfWork, consultation_id: int, rnd: Round, minimum: int) -> RoundResults:
    """The results of one round, read inside the caller's unit of work (so an export sees one snapshot)."""
    tally = await begin_tally(uow, consultation_id, rnd)
    acc = tally.acc
    # Answers nearly all different (shares of the pound, free text) stream past; the rest the database counts.
    streamed = ([acc.alloc.key] if acc.alloc is not None else []) + [
        q.key for q in tally.spec.questions if isinstance(q, FreeTextQuestion)
    ]
    counted = [k for k in acc.others if k not in streamed]
    for key, value, times in await uow.reports.answer_counts(rnd.id, counted):
        acc.add(key, value, times)
    for key in streamed:
        async for values in uow.reports.question_values(rnd.id, key):
            for value in values:
                acc.add(key, value)
    return await tally.results(uow, minimum)


async def round_results(d: Deps, consultation_id: int, round_number: int) -> RoundResults:
    """Results of round `round_number`; LookupError if the consultation has no such round."""
    async with d.uow() as uow:
        rnd = next((r for r in await uow.consultations.rounds(consultation_id) if r.number == round_number), None)
        if rnd is None:
            raise LookupError(f"consultation {consultation_id} has no round {round_number}")
        return await tally_round(uow, consultation_id, rnd, d.config.results.min_respondents)
