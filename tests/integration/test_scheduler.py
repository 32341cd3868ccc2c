"""The schedule lives in the database: re-armed on start, run once, and late jobs handled by a stated rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.scheduler import Scheduler
from bot.services import rounds
from storage.models import JobRow
from tests.harness import Harness


@pytest.fixture
async def pound(moot: Harness) -> Harness:
    await moot.load()
    return moot


async def _schedule(moot: Harness, **offsets: float) -> None:
    now = moot.deps.clock()
    at = {k: now + timedelta(hours=v) for k, v in offsets.items()}
    await rounds.set_schedule(moot.deps, "council-pound", 1, at.get("open"), at["close"],
                              [at["remind"]] if "remind" in at else [], actor=None)


async def jobs_of_round(moot: Harness, round_id: int) -> list[tuple[int, str, str]]:
    """(id, kind, status) of every job of the round, whatever its status, read from the table itself."""
    async with moot.deps.uow() as uow:
        rows = await uow.session.execute(
            select(JobRow.id, JobRow.kind, JobRow.status).where(JobRow.round_id == round_id).order_by(JobRow.due_at))
        return [(i, k, s) for i, k, s in rows]


async def _jobs(moot: Harness) -> dict[str, tuple[int, str]]:
    async with moot.deps.uow() as uow:
        rnd = (await uow.consultations.rounds(1))[0]
    return {kind: (i, status) for i, kind, status in await jobs_of_round(moot, rnd.id)}


async def test_past_and_overlapping_schedules_are_refused_with_the_reason(pound: Harness) -> None:
    with pytest.raises(rounds.RoundError, match="in the past"):
        await _schedule(pound, open=-1, close=2)
    with pytest.raises(rounds.RoundError, match="close after it opens"):
        await _schedule(pound, open=3, close=2)
    await _schedule(pound, open=1, close=5)
    with pytest.raises(rounds.RoundError, match="overlaps"):
        await rounds.set_schedule(pound.deps, "council-pound", 2, pound.deps.clock() + timedelta(hours=2),
                                  pound.deps.clock() + timedelta(hours=6), [], actor=None)


async def test_jobs_that_fell_due_while_the_bot_was_down(pound: Harness) -> None:
    """A reminder over the late limit (24 h by default) is missed; an open and a close still run when late."""
    await _schedule(pound, open=1, remind=2, close=30)
    jobs = await _jobs(pound)
    later = pound.deps.clock() + timedelta(hours=27)  # the bot was down for a day and more
    pound.deps.clock = lambda: later
    runner = Scheduler(pound.deps, owner="test")
    assert await runner.run(jobs["open"][0]) == "done"
    assert await runner.run(jobs["remind"][0]) == "missed"
    assert await runner.run(jobs["open"][0]) == "taken"  # a job runs once, whoever asks again
    late_close = pound.deps.clock() + timedelta(days=3)
    pound.deps.clock = lambda: late_close
    assert await runner.run(jobs["close"][0]) == "done"
    async with pound.deps.uow() as uow:
        assert [r.status for r in await uow.consultations.rounds(1)] == ["closed", "draft"]


async def test_a_late_open_after_the_close_time_is_missed(pound: Harness) -> None:
    await _schedule(pound, open=1, close=2)
    jobs = await _jobs(pound)
    later = pound.deps.clock() + timedelta(hours=3)
    pound.deps.clock = lambda: later
    assert await Scheduler(pound.deps, owner="test").run(jobs["open"][0]) == "missed"


async def test_extending_moves_the_close_job(pound: Harness) -> None:
    await pound.open()
    await _schedule(pound, close=2)
    old = (await _jobs(pound))["close"]
    await rounds.extend(pound.deps, "council-pound", None, pound.deps.clock() + timedelta(hours=5), actor=None)
    statuses = {(kind, status) for _id, kind, status in await jobs_of_round(pound, 1)}
    assert ("close", "cancelled") in statuses and ("close", "pending") in statuses
    assert old[1] == "pending"
    with pytest.raises(rounds.RoundError, match="already closes"):
        await rounds.extend(pound.deps, "council-pound", None, pound.deps.clock() + timedelta(hours=1), actor=None)


async def test_old_update_ids_are_forgotten(pound: Harness) -> None:
    async with pound.deps.uow() as uow:
        assert await uow.ledger.first_sight(424242)
        await uow.session.commit()
    runner = Scheduler(pound.deps, owner="test")
    await runner.tidy()
    async with pound.deps.uow() as uow:
        assert await uow.ledger.seen(424242)  # still within Telegram's redelivery window
    later = pound.deps.clock() + timedelta(days=3)
    pound.deps.clock = lambda: later
    await runner.tidy()
    async with pound.deps.uow() as uow:
        assert not await uow.ledger.seen(424242)
