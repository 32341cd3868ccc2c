"""Read-only queries for results and exports: counts, answers and responses streamed in batches, comments."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AnswerRow, ConsultationRow, ParticipationRow, ResidentRow, RoundRow, VersionRow

BATCH = 1000  # rows per query: big enough to be quick, small enough that 100,000 responses never sit in memory


@dataclass(frozen=True)
class VersionInfo:
    id: int
    version: int
    loaded_at: datetime


@dataclass(frozen=True)
class RoundDates:
    number: int
    opened_at: datetime | None
    closed_at: datetime | None
    published_at: datetime | None


@dataclass(frozen=True)
class Response:
    """One resident's participation in one round. `telegram_id` is only for the pseudonym: never write it out."""

    participation_id: int
    telegram_id: int
    round_id: int
    version_id: int
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    answers: dict[str, Any]
    reviews: dict[str, str | None]


class Reports:
    def __init__(self, session: AsyncSession):
        self.s = session

    async def consultations(self) -> list[tuple[int, str, str]]:
        """(id, code, title) of every consultation, oldest first."""
        rows = await self.s.execute(
            select(ConsultationRow.id, ConsultationRow.code, ConsultationRow.title).order_by(ConsultationRow.id)
        )
        return [(i, c, t) for i, c, t in rows]

    async def counts(self, round_id: int) -> tuple[int, int]:
        """(participations started, participations finished) in a round."""
        row = (
            await self.s.execute(
                select(func.count(), func.count(ParticipationRow.finished_at)).where(
                    ParticipationRow.round_id == round_id
                )
            )
        ).one()
        return int(row[0] or 0), int(row[1] or 0)

    async def _participation_ids(self, round_id: int, after: int, batch: int) -> list[int]:
        # Walks the (round_id, id) index in order: each batch costs the same however far in it is.
        return list(
            await self.s.scalars(
                select(ParticipationRow.id)
                .where(ParticipationRow.round_id == round_id, ParticipationRow.id > after)
                .order_by(ParticipationRow.id)
                .limit(batch)
            )
        )

    async def answer_values(self, round_id: int, batch: int = BATCH) -> AsyncIterator[list[tuple[str, Any]]]:
        """Every answer given in a round as (question key, value), in batches of `batch` participations."""
        last = 0
        while True:
            ids = await self._participation_ids(round_id, last, batch)
            if not ids:
                return
            last = ids[-1]
            # Core, not the ORM: these are plain tuples, and skipping ORM row handling halves the time.
            conn = await self.s.connection()
            rows = await conn.execute(
                select(AnswerRow.question_key, AnswerRow.value).where(AnswerRow.participation_id.in_(ids))
            )
            yield [(k, v) for k, v in rows]
            if len(ids) < batch:
                return

    async def approved_comments(self, round_id: int, limit: int = 20) -> list[str]:
        """Approved "why" comments of a round, newest first."""
        rows = await self.s.scalars(
            select(AnswerRow.value)
            .join(ParticipationRow, ParticipationRow.id == AnswerRow.participation_id)
            .where(
                ParticipationRow.round_id == round_id,
                AnswerRow.question_key.like("%.why"),
                AnswerRow.review == "approved",
            )
            .order_by(AnswerRow.answered_at.desc(), AnswerRow.id.desc())
            .limit(limit)
        )
        return [str(v) for v in rows if isinstance(v, str) and v.strip()]

    async def versions(self, consultation_id: int) -> list[VersionInfo]:
        rows = await self.s.execute(
            select(VersionRow.id, VersionRow.version, VersionRow.loaded_at)
            .where(VersionRow.consultation_id == consultation_id)
            .order_by(VersionRow.version)
        )
        return [VersionInfo(i, v, at) for i, v, at in rows]

    async def versions_used(self, round_ids: Sequence[int]) -> set[int]:
        """Ids of the versions residents answered in these rounds."""
        if not round_ids:
            return set()
        return set(
            await self.s.scalars(
                select(ParticipationRow.version_id).where(ParticipationRow.round_id.in_(round_ids)).distinct()
            )
        )

    async def round_dates(self, consultation_id: int) -> dict[int, RoundDates]:
        """When each round actually opened, closed and had its results published, by round number."""
        rows = await self.s.execute(
            select(RoundRow.number, RoundRow.opened_at, RoundRow.closed_at, RoundRow.published_at).where(
                RoundRow.consultation_id == consultation_id
            )
        )
        return {n: RoundDates(n, o, c, p) for n, o, c, p in rows}

    async def responses(self, round_id: int, batch: int = 500) -> AsyncIterator[list[Response]]:
        """Every participation in a round with its answers, in batches by keyset on the participation id."""
        last = 0
        conn = await self.s.connection()  # Core rows: the ORM's per-row handling would double the time
        while True:
            parts = (
                await conn.execute(
                    select(
                        ParticipationRow.id,
                        ResidentRow.telegram_id,
                        ParticipationRow.round_id,
                        ParticipationRow.version_id,
                        ParticipationRow.started_at,
                        ParticipationRow.updated_at,
                        ParticipationRow.finished_at,
                    )
                    .join(ResidentRow, ResidentRow.id == ParticipationRow.resident_id)
                    .where(ParticipationRow.round_id == round_id, ParticipationRow.id > last)
                    .order_by(ParticipationRow.id)
                    .limit(batch)
                )
            ).all()
            if not parts:
                return
            last = parts[-1][0]
            answers: dict[int, dict[str, Any]] = {p[0]: {} for p in parts}
            reviews: dict[int, dict[str, str | None]] = {p[0]: {} for p in parts}
            rows = await conn.execute(
                select(AnswerRow.participation_id, AnswerRow.question_key, AnswerRow.value, AnswerRow.review).where(
                    AnswerRow.participation_id.in_(list(answers))
                )
            )
            for pid, key, value, review in rows:
                answers[pid][key] = value
                reviews[pid][key] = review
            yield [
                Response(pid, tid, rid, vid, started, updated, finished, answers[pid], reviews[pid])
                for pid, tid, rid, vid, started, updated, finished in parts
            ]
            if len(parts) < batch:
                return
