"""Runs timed opens, reminders and closes, and the reports that tell a facilitator how their messages went:
APScheduler in memory, re-armed from our own jobs table."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from datetime import timedelta
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.services import rounds
from bot.services.common import Deps
from storage.repositories.jobs import Job
from storage.repositories.ledger import UPDATE_MEMORY

if TYPE_CHECKING:
    from bot.bootstrap import App

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=10)
SWEEP_SECONDS = 30.0  # picks up jobs another worker or the CLI scheduled


class Scheduler:
    """The database is the truth; APScheduler only wakes us at the right moment.

    A job that fell due while the bot was down runs when it comes back: a close always runs (a round must not
    stay open), an open runs unless the round's close time has passed, and a reminder more than
    `scheduler.late_limit_hours` late is marked missed rather than sent at an odd hour.
    """

    def __init__(self, deps: Deps, owner: str | None = None):
        self.d = deps
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}"
        self.aps: AsyncIOScheduler | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self._running: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self.aps = AsyncIOScheduler(timezone=self.d.tz)
        self.aps.start()
        await self.sync()
        self._sweeper = asyncio.create_task(self._sweep())

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
        if self.aps is not None:
            self.aps.shutdown(wait=False)
            self.aps = None
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            try:
                await self.sync()
                await self.tidy()
            except Exception:
                log.exception("could not re-read the schedule")

    async def tidy(self) -> None:
        """Forgets update ids older than Telegram could ever deliver again, so the ledger stays small."""
        async with self.d.uow() as uow:
            await uow.ledger.forget_updates_before(self.d.clock() - UPDATE_MEMORY)
            await uow.commit()

    async def sync(self) -> None:
        """Arms every pending job in the database and forgets the ones that were cancelled."""
        if self.aps is None:
            return
        async with self.d.uow() as uow:
            jobs = await uow.jobs.pending()
        wanted = {f"job-{j.id}": j for j in jobs}
        for aps_job in self.aps.get_jobs():
            if aps_job.id not in wanted:
                aps_job.remove()
        for key, j in wanted.items():
            if self.aps.get_job(key) is None:
                self.aps.add_job(self._fire, "date", run_date=j.due_at, id=key, args=[j.id],
                                 misfire_grace_time=None, coalesce=True)

    def run_now(self, job_id: int) -> asyncio.Task[None]:
        """Runs a job at once in a task of its own (a close's results); awaiting the task is optional."""
        task = asyncio.get_running_loop().create_task(self._fire(job_id), name=f"job-{job_id}")
        self._running.add(task)  # from now, not from its first step: stop() and idle() see it either way
        return task

    async def idle(self) -> None:
        """Waits for the jobs running now (and any they start) to finish."""
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)

    async def _fire(self, job_id: int) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await self.run(job_id)
        except Exception:
            log.exception("scheduled job %s failed; it will be retried when its lease expires", job_id)
        finally:
            if task is not None:
                self._running.discard(task)

    async def run(self, job_id: int) -> str:
        """Claims and runs one job; returns what became of it."""
        now = self.d.clock()
        async with self.d.uow() as uow:
            job = await uow.jobs.claim(job_id, self.owner, now, LEASE)
            await uow.commit()
        if job is None:
            return "taken"
        status = await self._perform(job)
        if status == "again":  # a report postponed itself: pending again, due later
            await self.sync()
            return status
        async with self.d.uow() as uow:
            await uow.jobs.finish(job.id, status, self.d.clock())
            await uow.commit()
        log.info("job %s (%s of round %s) %s", job.id, job.kind, job.round_id, status)
        return status

    async def _perform(self, job: Job) -> str:
        late = self.d.clock() - job.due_at
        limit = timedelta(hours=self.d.config.scheduler.late_limit_hours)
        if job.kind == "report":
            return await rounds.report(self.d, job)
        if job.kind == "publish":  # however late: a closed round's results are always posted
            actor = job.detail.get("actor")
            await rounds.publish_if_due(self.d, job.round_id, again=bool(job.detail.get("again")),
                                        actor=int(actor) if actor is not None else None, tell=job.requested_by)
            return "done"
        if job.kind == "remind":
            if late > limit:
                return "missed"
            await rounds.remind(self.d, job.round_id, job.id, tell=job.requested_by)
            return "done"
        if job.kind == "open":
            async with self.d.uow() as uow:
                r = await uow.consultations.round(job.round_id)
            if r is None or (r.closes_at is not None and r.closes_at <= self.d.clock()):
                return "missed"
        if job.kind in ("open", "close"):
            act = rounds.open_round_id if job.kind == "open" else rounds.close_round_id
            try:
                await act(self.d, job.round_id, None, tell=job.requested_by)
            except rounds.RoundError as e:
                log.warning("could not %s round %s on schedule: %s", job.kind, job.round_id, e)
                await rounds.tell_failure(self.d, job, e.message)
                return "failed"
            return "done"
        return "failed"


def install(app: App) -> None:
    scheduler = Scheduler(app.deps)
    app.background.append(scheduler)
    app.scheduler = scheduler
    app.deps.hooks.setdefault("schedule", []).append(scheduler.sync)
    app.deps.hooks.setdefault("run_now", []).append(scheduler.run_now)
