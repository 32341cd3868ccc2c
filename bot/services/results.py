"""A round's results for group posts and exports: each question's own tally over streamed answers, with
small-cell suppression."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from bot.services import keepers
from bot.services.common import Deps
from dialogues.questions import AnyType, Outcome, Tally, of
from dialogues.questions.base import kept_per_consultation
from dialogues.rounds import Round
from dialogues.schema import Consultation, Question
from storage.uow import UnitOfWork

MAX_COMMENTS = 20


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    outcome: Outcome[Any]  # its figures, or None when fewer than the minimum answered

    @property
    def respondents(self) -> int:
        return self.outcome.respondents

    @property
    def figures(self) -> Any:
        return self.outcome.figures


@dataclass(frozen=True)
class RoundResults:
    consultation_id: int
    code: str
    spec: Consultation  # the latest version's spec: its services and questions name the figures
    round: Round
    started: int  # participations in the round
    finished: int
    questions: list[QuestionResult]  # every question, in the file's order
    min_respondents: int
    comments: list[str]  # approved "why" comments, newest first; none when the lead question is suppressed

    def result(self, key: str) -> QuestionResult | None:
        return next((r for r in self.questions if r.question.key == key), None)

    @property
    def lead(self) -> QuestionResult | None:
        """The question whose chart heads a results post (the Council Pound), if any type draws one."""
        return next((r for r in self.questions if of(r.question).charted), None)

    @property
    def suppressed(self) -> bool:
        """True when the lead question has too few respondents to show."""
        lead = self.lead
        return lead is not None and lead.figures is None


class RoundTally:
    """A round's results while they are counted: answers go in (from the database, or from the rows an export
    writes anyway, so it reads each answer once), RoundResults come out of `results()`."""

    def __init__(self, consultation_id: int, spec: Consultation, rnd: Round, started: int, finished: int):
        self.consultation_id = consultation_id
        self.spec = spec
        self.round = rnd
        self.started = started
        self.finished = finished
        self.tallies: dict[str, tuple[Question, AnyType, Tally[Any, Any]]] = {
            q.key: (q, of(q), of(q).tally(spec, q)) for q in spec.questions
        }

    def add(self, key: str, raw: Any, times: int = 1) -> None:
        """`times` residents gave this stored answer to question `key` (other keys, like comments, are skipped)."""
        found = self.tallies.get(key)
        if found is not None and raw is not None:
            q, t, tally = found
            t.add_raw(self.spec, q, tally, raw, times)

    def add_values(self, key: str, raws: list[Any]) -> None:
        """Many residents' stored answers to question `key`, one each (the streamed pounds and free texts)."""
        found = self.tallies.get(key)
        if found is not None:
            q, t, tally = found
            t.add_raw_many(self.spec, q, tally, (raw for raw in raws if raw is not None))

    def add_answers(self, answers: dict[str, Any]) -> None:
        """One resident's answers in this round."""
        for key, value in answers.items():
            self.add(key, value)

    def outcomes(self, minimum: int) -> Iterator[QuestionResult]:
        for q, t, tally in self.tallies.values():
            n = tally.respondents
            shown = n >= minimum and n > 0
            yield QuestionResult(q, Outcome(n, t.withheld(self.spec, q, tally.figures(), minimum) if shown else None))

    async def results(self, uow: UnitOfWork, minimum: int) -> RoundResults:
        for q, k in keepers.kept(self.spec):  # types with rows of their own: the keeper reads the round's rows
            self.tallies[q.key][2].rows(await k.rows(uow, self.round, self.spec, q, minimum))
        questions = list(self.outcomes(minimum))
        res = RoundResults(
            self.consultation_id, self.spec.code, self.spec, self.round, self.started, self.finished, questions,
            minimum, [],
        )
        if res.lead is None or res.lead.figures is not None:
            comments = await uow.reports.approved_comments(self.round.id, MAX_COMMENTS)
            res = replace(res, comments=comments)
        return res


async def begin_tally(uow: UnitOfWork, consultation_id: int, rnd: Round) -> RoundTally:
    """A round's tally with nothing counted yet, under the latest version's questions."""
    _version, spec = await uow.consultations.latest(consultation_id)
    started, finished = await uow.reports.counts(rnd.id)
    return RoundTally(consultation_id, spec, rnd, started, finished)


async def tally_round(uow: UnitOfWork, consultation_id: int, rnd: Round, minimum: int) -> RoundResults:
    """The results of one round, read inside the caller's unit of work (so an export sees one snapshot)."""
    tally = await begin_tally(uow, consultation_id, rnd)
    # Answers that repeat (ratings, choices) the database counts; the rest (pounds, free text) stream past.
    # Answers kept for the whole consultation (ward, age band) are counted over the round's residents.
    kept = kept_per_consultation(tally.spec)
    counted = [q.key for q in tally.spec.questions if of(q).repeats and q.key not in kept]
    streamed = [q.key for q in tally.spec.questions if not of(q).repeats and q.key not in kept]
    for key, value, times in await uow.reports.answer_counts(rnd.id, counted):
        tally.add(key, value, times)
    for key, value, times in await uow.reports.profile_counts(rnd.id, kept):
        tally.add(key, value, times)
    for key in streamed:
        async for values in uow.reports.question_values(rnd.id, key):
            tally.add_values(key, values)
    return await tally.results(uow, minimum)


async def round_results(d: Deps, consultation_id: int, round_number: int) -> RoundResults:
    """Results of round `round_number`; LookupError if the consultation has no such round."""
    async with d.uow() as uow:
        rnd = next((r for r in await uow.consultations.rounds(consultation_id) if r.number == round_number), None)
        if rnd is None:
            raise LookupError(f"consultation {consultation_id} has no round {round_number}")
        return await tally_round(uow, consultation_id, rnd, d.config.results.min_respondents)


async def panel(
    uow: UnitOfWork, spec: Consultation, q: Question, round_ids: list[int], minimum: int
) -> dict[int, Outcome[Any]]:
    """Question `q`'s figures in each of these rounds from only the residents who answered it in all of them, by
    round id: the same people in each round, so a change between rounds is a change of view. Suppressed (figures
    None) below the minimum, as any figure is."""
    values = await uow.reports.panel_values(round_ids, q.key)
    t = of(q)
    out: dict[int, Outcome[Any]] = {}
    for rid in round_ids:
        tally = t.tally(spec, q)
        for raw in values.get(rid, []):
            t.add_raw(spec, q, tally, raw)
        n = tally.respondents
        out[rid] = Outcome(n, tally.figures() if n >= minimum and n > 0 else None)
    return out
