"""Residents' "why" comments and their moderation: pending, approved, rejected."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AnswerRow, ParticipationRow, RoundRow


@dataclass(frozen=True)
class PendingComment:
    answer_id: int
    text: str
    consultation_id: int
    round_number: int


@dataclass(frozen=True)
class DecidedComment:
    answer_id: int
    text: str
    consultation_id: int
    round_number: int
    review: str  # approved | rejected
    reviewed_by: int | None


class Comments:
    def __init__(self, session: AsyncSession):
        self.s = session

    def _pending(self) -> Select[tuple[int, Any, int, int]]:
        return (
            select(AnswerRow.id, AnswerRow.value, RoundRow.consultation_id, RoundRow.number)
            .join(ParticipationRow, ParticipationRow.id == AnswerRow.participation_id)
            .join(RoundRow, RoundRow.id == ParticipationRow.round_id)
            .where(AnswerRow.review == "pending")
        )

    async def next_pending(self) -> PendingComment | None:
        row = (await self.s.execute(self._pending().order_by(AnswerRow.answered_at, AnswerRow.id).limit(1))).first()
        return PendingComment(row[0], str(row[1]), row[2], row[3]) if row else None

    async def pending_count(self) -> int:
        return int(await self.s.scalar(select(func.count()).where(AnswerRow.review == "pending")) or 0)

    async def review(self, answer_id: int, status: str, by: int) -> bool:
        row = await self.s.get(AnswerRow, answer_id)
        if row is None or row.review != "pending":
            return False
        row.review, row.reviewed_by = status, by
        await self.s.flush()
        return True

    async def decided(self, limit: int = 10) -> list[DecidedComment]:
        """The comments most recently approved or rejected, newest answer first: what an undo can change."""
        rows = await self.s.execute(
            select(AnswerRow.id, AnswerRow.value, RoundRow.consultation_id, RoundRow.number, AnswerRow.review,
                   AnswerRow.reviewed_by)
            .join(ParticipationRow, ParticipationRow.id == AnswerRow.participation_id)
            .join(RoundRow, RoundRow.id == ParticipationRow.round_id)
            .where(AnswerRow.review.in_(["approved", "rejected"]))
            .order_by(AnswerRow.answered_at.desc(), AnswerRow.id.desc())
            .limit(limit)
        )
        return [DecidedComment(r[0], str(r[1]), r[2], r[3], str(r[4]), r[5]) for r in rows.all()]

    async def undo(self, answer_id: int) -> str | None:
        """Puts a decided comment back in the queue; the decision it had, or None if it had none."""
        row = await self.s.get(AnswerRow, answer_id)
        if row is None or row.review not in {"approved", "rejected"}:
            return None
        was = row.review
        row.review, row.reviewed_by = "pending", None
        await self.s.flush()
        return was

    async def approved(self, consultation_id: int, round_number: int, limit: int = 8) -> list[str]:
        rows = await self.s.scalars(
            select(AnswerRow.value)
            .join(ParticipationRow, ParticipationRow.id == AnswerRow.participation_id)
            .join(RoundRow, RoundRow.id == ParticipationRow.round_id)
            .where(RoundRow.consultation_id == consultation_id, RoundRow.number == round_number,
                   AnswerRow.review == "approved")
            .order_by(AnswerRow.answered_at.desc())
            .limit(limit)
        )
        return [str(v) for v in rows]
