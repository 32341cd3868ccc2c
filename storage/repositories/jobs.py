"""Timed jobs (open, remind, close): the schedule's truth, claimed with a lease so one worker runs each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import JobRow


@dataclass(frozen=True)
class Job:
    id: int
    round_id: int
    kind: str
    due_at: datetime
    status: str


def _job(r: JobRow) -> Job:
    return Job(r.id, r.round_id, r.kind, r.due_at, r.status)


class Jobs:
    def __init__(self, session: AsyncSession):
        self.s = session

    async def replace(self, round_id: int, plan: list[tuple[str, datetime]], kinds: set[str]) -> list[Job]:
        """Cancels the round's pending jobs of these kinds and schedules the plan instead."""
        await self.s.execute(
            update(JobRow)
            .where(JobRow.round_id == round_id, JobRow.status == "pending", JobRow.kind.in_(kinds))
            .values(status="cancelled")
        )
        rows = []
        for kind, due in plan:
            existing = await self.s.scalar(
                select(JobRow).where(JobRow.round_id == round_id, JobRow.kind == kind, JobRow.due_at == due)
            )
            if existing is not None:
                existing.status, existing.done_at = "pending", None
                rows.append(existing)
            else:
                row = JobRow(round_id=round_id, kind=kind, due_at=due)
                self.s.add(row)
                rows.append(row)
        await self.s.flush()
        return [_job(r) for r in rows]

    async def pending(self) -> list[Job]:
        rows = await self.s.scalars(
            select(JobRow).where(JobRow.status.in_(["pending", "running"])).order_by(JobRow.due_at)
        )
        return [_job(r) for r in rows]

    async def for_round(self, round_id: int) -> list[Job]:
        rows = await self.s.scalars(select(JobRow).where(JobRow.round_id == round_id).order_by(JobRow.due_at))
        return [_job(r) for r in rows]

    async def claim(self, job_id: int, owner: str, now: datetime, lease: timedelta) -> Job | None:
        """Takes a due job for this worker; None if another worker has it or it is no longer pending."""
        result = await self.s.execute(
            update(JobRow)
            .where(
                JobRow.id == job_id,
                or_(JobRow.status == "pending", (JobRow.status == "running") & (JobRow.lease_until < now)),
            )
            .values(status="running", lease_owner=owner, lease_until=now + lease)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            return None
        row = await self.s.get(JobRow, job_id, populate_existing=True)
        return _job(row) if row else None

    async def finish(self, job_id: int, status: str, now: datetime) -> None:
        await self.s.execute(
            update(JobRow).where(JobRow.id == job_id).values(status=status, done_at=now, lease_until=None)
        )
