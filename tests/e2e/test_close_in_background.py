"""Closing a round does not hold anyone up: the facilitator is answered and residents' presses are handled while the
results are still being counted, and results whose counting was cut short by a crash are posted after a restart."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.services import results, rounds
from tests.e2e.people import Person
from tests.harness import FACILITATOR, Harness

GROUP = -1005551
POSTED = "Figures count every answer saved by the close"  # the results post's footing


def results_in_group(moot: Harness) -> list[Any]:
    return [m for m in moot.api.chat(GROUP).visible() if POSTED in (m.text or "")]


@pytest.fixture
async def open_round(moot: Harness) -> Harness:
    await moot.load()
    moot.api.add_group(GROUP, "Heaton residents", admins=[FACILITATOR])
    moot.api.add_bot_to_group(GROUP, by_user=FACILITATOR)
    await moot.api.wait_for_message(GROUP, contains="/link CODE")
    moot.api.send_text(FACILITATOR, "/link council-pound", chat_id=GROUP)
    await moot.api.wait_for_message(GROUP, contains="private chat with me")
    await moot.open()
    return moot


async def shares_from_today(p: Person) -> None:
    await p.says("/start council-pound", expect="How your answers are used and kept")
    await p.taps("I agree, start", expect="Next, you share")
    await p.taps("Next: share", expect="Left to allocate: 100p")
    await p.taps("Start from today", expect="All 100p shared")
    await p.taps("Submit", expect="Why did you share")


async def test_the_facilitator_and_residents_are_answered_while_the_results_are_counted(
    open_round: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    moot, api = open_round, open_round.api
    fac = Person(api, FACILITATOR, "Faye the facilitator")
    amina, ben = Person(api, 2101, "Amina"), Person(api, 2102, "Ben")
    await shares_from_today(amina)
    await shares_from_today(ben)
    await amina.taps("Skip", expect="Question 2 of 6")

    # counting the round's answers is held until the test lets it go: a round of 10,000 residents takes a while
    counting, go_on = asyncio.Event(), asyncio.Event()
    real = results.round_results

    async def slow_count(*args: Any, **kwargs: Any) -> Any:
        counting.set()
        await go_on.wait()
        return await real(*args, **kwargs)

    monkeypatch.setattr(results, "round_results", slow_count)

    await fac.says("/close council-pound", expect="is closed")
    await asyncio.wait_for(counting.wait(), 10)
    assert not results_in_group(moot)  # still counting
    # a resident who opens the bot meanwhile is answered at once, not after the count
    await ben.says("/help", expect="/mydata")

    go_on.set()
    await moot.drain_outbox()
    await api.wait_for_message(GROUP, contains=POSTED)
    await api.wait_for_message(amina.id, contains="has closed. Thank you for taking part")  # and each their own
    assert len(results_in_group(moot)) == 1

    # posting again is a job of its own too: the facilitator is answered first, the group gets the post again
    monkeypatch.setattr(results, "round_results", real)
    await fac.says("/publish council-pound 1", expect="Posting the results of round 1 again")
    await moot.drain_outbox()
    await api.wait_for(lambda: len(results_in_group(moot)) == 2)


async def test_results_cut_short_by_a_crash_are_posted_when_the_bot_comes_back(open_round: Harness) -> None:
    moot, api = open_round, open_round.api
    amina, ben = Person(api, 2201, "Amina"), Person(api, 2202, "Ben")
    await shares_from_today(amina)
    await shares_from_today(ben)
    assert moot.app is not None
    # the process dies between committing the close and counting the results: nothing runs the job now
    moot.app.deps.hooks["run_now"] = [lambda job_id: asyncio.sleep(0)]
    change = await rounds.close_round(moot.deps, "council-pound")
    assert change.changed
    async with moot.deps.uow() as uow:
        waiting = [j for j in await uow.jobs.pending() if j.kind == "publish"]
    assert len(waiting) == 1 and not results_in_group(moot)

    await moot.restart()  # the pending job is armed on start and runs once
    await api.wait_for_message(GROUP, contains=POSTED, timeout=20)
    await moot.drain_outbox()
    async with moot.deps.uow() as uow:
        assert not [j for j in await uow.jobs.pending() if j.kind == "publish"]
    await api.wait_for_message(amina.id, contains="has closed. Thank you for taking part")
    assert len(results_in_group(moot)) == 1
