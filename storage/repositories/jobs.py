"""Timed jobs (open, remind, close, and reports on how a broadcast went): the schedule's truth, claimed with a lease
so one worker runs each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import JobRow, OutboxRow

TIMED = {"open", "remind", "close"}  # the kinds a facilitator schedules (a report is the bot's own)


@dataclass(frozen=True)
class Job:
    id: int
    round_id: int
    kind: str
    due_at: datetime
    status: str
    requested_by: int | None = None  # who scheduled it (for a report: whom it goes to)
    detail: dict[str, Any] = field(default_factory=dict)


def _job(r: JobRow) -> Job:
    return Job(r.id, r.round_id, r.kind, r.due_at, r.status, r.requested_by, dict(r.detail or {}))


class Jobs:
    def __init__(self, session: AsyncSession):
        self.s = session

    async def replace(
        self, round_id: int, plan: list[tuple[str, datetime]], kinds: set[str], by: int | None = None
    ) -> list[Job]:
        """Cancels the round's pending jobs of these kinds and schedules the plan instead, asked for by `by`."""
        await self.cancel(round_id, kinds)
        rows = []
        for kind, due in plan:
            existing = await self.s.scalar(
                select(JobRow).where(JobRow.round_id == round_id, JobRow.kind == kind, JobRow.due_at == due)
            )
            if existing is not None:
                existing.status, existing.done_at, existing.requested_by = "pending", None, by
                rows.append(existing)
            else:
                row = JobRow(round_id=round_id, kind=kind, due_at=due, requested_by=by)
                self.s.add(row)
                rows.append(row)
        await self.s.flush()
        return [_job(r) for r in rows]

    async def cancel(self, round_id: int, kinds: set[str]) -> int:
        """Cancels the round's pending jobs of these kinds; how many there were."""
        result = await self.s.execute(
            update(JobRow)
            .where(JobRow.round_id == round_id, JobRow.status == "pending", JobRow.kind.in_(kinds))
            .values(status="cancelled")
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def report(self, round_id: int, due: datetime, to: int, detail: dict[str, Any]) -> Job:
        """A report job: at `due`, look at how the messages `detail` names went and tell `to`."""
        while await self.s.scalar(  # two reports for one round in the same instant: a microsecond apart
            select(JobRow.id).where(JobRow.round_id == round_id, JobRow.kind == "report", JobRow.due_at == due)
        ) is not None:
            due += timedelta(microseconds=1)
        row = JobRow(round_id=round_id, kind="report", due_at=due, requested_by=to, detail=detail)
        self.s.add(row)
        await self.s.flush()
        return _job(row)

    async def publish(self, round_id: int, due: datetime, by: int | None, again: bool = False) -> Job:
        """A job to post a closed round's results, committed with the close (or with a facilitator's /publish,
        `again`): if the process dies before the results are out, the job is still pending and runs when a worker
        comes back."""
        while await self.s.scalar(
            select(JobRow.id).where(JobRow.round_id == round_id, JobRow.kind == "publish", JobRow.due_at == due)
        ) is not None:  # closed, reopened and closed again within one clock tick
            due += timedelta(microseconds=1)
        row = JobRow(round_id=round_id, kind="publish", due_at=due, requested_by=by,
                     detail={"again": True, "actor": by} if again else {})
        self.s.add(row)
        await self.s.flush()
        return _job(row)

    async def postpone(self, job_id: int, due: datetime, detail: dict[str, Any]) -> None:
        """Makes a running job pending again, due later (a report whose messages are still being sent)."""
        await self.s.execute(
            update(JobRow).where(JobRow.id == job_id)
            .values(status="pending", due_at=due, lease_until=None, lease_owner=None, detail=detail)
        )

    async def delivery(self, prefixes: Sequence[str]) -> dict[str, int]:
        """How the outbox messages whose dedupe keys start with these prefixes stand, by status (pending, sending,
        sent, blocked, failed): what a report tells the facilitator."""
        out: dict[str, int] = {}
        for prefix in prefixes:
            rows = await self.s.execute(
                select(OutboxRow.status, func.count())
                .where(OutboxRow.dedupe_key.startswith(prefix, autoescape=True))
                .group_by(OutboxRow.status)
            )
            for status, n in rows.all():
                out[status] = out.get(status, 0) + int(n)
        return out

    async def pending_timed(self, round_id: int) -> list[Job]:
        """The round's opens, reminders and closes still to run."""
        rows = await self.s.scalars(
            select(JobRow)
            .where(JobRow.round_id == round_id, JobRow.status == "pending", JobRow.kind.in_(TIMED))
            .order_by(JobRow.due_at)
        )
        return [_job(r) for r in rows]

    async def pending(self) -> list[Job]:
        rows = await self.s.scalars(
            select(JobRow).where(JobRow.status.in_(["pending", "running"])).order_by(JobRow.due_at)
        )
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
