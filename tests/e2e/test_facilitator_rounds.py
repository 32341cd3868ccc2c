"""Facilitators and rounds (issue 13, #11, #12, #14): rounds run in order, a closed round is reopened only after a
confirmation, a schedule can be removed, the facilitator who scheduled a round hears how each step went, and
"Open round N now" asks first."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from typer.testing import CliRunner, Result

from bot import cli
from tests.e2e.people import Person
from tests.e2e.test_facilitator import due_job, finish_everything, share_only
from tests.harness import FACILITATOR, Harness

GROUP = -1004321
PURPOSE = "Every year the council decides how to share its money"
ROUND_TWO = "See what everyone said and why, then keep or change your answer."


async def _rounds(moot: Harness) -> dict[int, str]:
    async with moot.deps.uow() as uow:
        found = await uow.consultations.by_code("council-pound")
        assert found is not None
        return {r.number: r.status for r in await uow.consultations.rounds(found[0])}


async def _audited(moot: Harness, action: str) -> list[str]:
    async with moot.deps.uow() as uow:
        return [a.target for a in await uow.ledger.audit_log() if a.action == action and a.allowed]


async def _link(moot: Harness) -> None:
    moot.api.add_group(GROUP, "Byker residents", admins=[FACILITATOR])
    moot.api.add_bot_to_group(GROUP, by_user=FACILITATOR)
    await moot.api.wait_for_message(GROUP, contains="/link CODE")
    moot.api.send_text(FACILITATOR, "/link council-pound", chat_id=GROUP)
    await moot.api.wait_for_message(GROUP, contains="private chat with me")


async def _moot(moot: Harness, tmp_path: Path, *args: str) -> Result:
    """`moot ...` on the command line over the running bot's database, in a thread (it runs its own loop)."""
    config = tmp_path / "cli.toml"
    config.write_text(f'[telegram]\nbot_username = "{moot.deps.bot_username}"\n'
                      f'[database]\nurl = "{moot.database_url}"\n[privacy]\npseudonym_key = "test-pseudonym-key"\n')
    runner = CliRunner(env={k: None for k in os.environ if k.startswith("MOOT_")})  # type: ignore[misc]
    return await asyncio.to_thread(runner.invoke, cli.app, [*args, "--config", str(config)])


async def test_rounds_run_in_order_and_a_closed_round_is_reopened_only_when_confirmed(
    moot: Harness, tmp_path: Path
) -> None:
    await moot.load()
    fac = Person(moot.api, FACILITATOR, "Faye")

    # round 2 cannot be scheduled or opened while round 1 is a draft, and the reply says why
    said = await fac.says("/schedule council-pound 2 open in 1 hour; close in 2 hours", expect="Not scheduled")
    assert "Round 1 has not been scheduled or opened yet" in said.text
    said = await fac.says("/open council-pound 2", expect="Not opened")
    assert "rounds run in order" in said.text
    assert await _rounds(moot) == {1: "draft", 2: "draft"}

    # a schedule is removed with /unschedule, audited
    await fac.says("/schedule council-pound 1 open in 1 hour; remind in 90 minutes; close in 2 hours",
                   expect="is scheduled")
    said = await fac.says("/unschedule council-pound 1", expect="is unscheduled")
    assert "3 timed steps removed" in said.text and "draft again" in said.text
    async with moot.deps.uow() as uow:
        assert await uow.jobs.pending_timed(1) == []
    assert await _rounds(moot) == {1: "draft", 2: "draft"}
    assert await _audited(moot, "unschedule") == ["council-pound round 1"]
    await fac.says("/unschedule council-pound 1", expect="has no schedule; nothing changed")

    # round 1 runs; round 2 still cannot open while round 1 is open
    await fac.says("/open council-pound 1", expect="is open")
    said = await fac.says("/open council-pound 2", expect="Not opened")
    assert "Round 1 is still open" in said.text
    await fac.says("/close council-pound 1", expect="is closed")

    # opening the closed round asks first; only "Yes, reopen round 1" reopens it, and that is audited
    ask = await fac.says("/open council-pound 1", expect="Reopen it?")
    assert "has already closed" in ask.text
    assert await _rounds(moot) == {1: "closed", 2: "draft"}
    await fac.taps("Yes, reopen round 1", expect="is open again")
    assert await _rounds(moot) == {1: "open", 2: "draft"}
    assert await _audited(moot, "reopen") == ["council-pound round 1"]
    await fac.says("/close council-pound 1", expect="is closed")

    # extending a closed round is reopening it until the new time, with the same confirmation; Cancel changes nothing
    await fac.says("/extend council-pound 1 in 3 hours", expect="Reopen it?")
    await fac.taps("Cancel", expect="Nothing changed")
    assert await _rounds(moot) == {1: "closed", 2: "draft"}
    ask = await fac.says("/extend council-pound 1 in 3 hours", expect="It will close on")
    done = await fac.taps("Yes, reopen round 1", expect="is open again")
    assert "It closes on" in done.text
    async with moot.deps.uow() as uow:
        assert [j.kind for j in await uow.jobs.pending_timed(1)] == ["close"]
    await fac.says("/close council-pound 1", expect="is closed")

    # on the command line, reopening needs an explicit --reopen
    refused = await _moot(moot, tmp_path, "round", "open", "council-pound", "1")
    assert refused.exit_code == 1 and "--reopen" in refused.output
    assert await _rounds(moot) == {1: "closed", 2: "draft"}
    reopened = await _moot(moot, tmp_path, "round", "open", "council-pound", "1", "--reopen")
    assert reopened.exit_code == 0, reopened.output
    assert "Round 1 reopened" in reopened.output
    assert await _rounds(moot) == {1: "open", 2: "draft"}
    assert len(await _audited(moot, "reopen")) == 3


async def test_the_facilitator_who_scheduled_a_round_hears_how_each_step_went(moot: Harness) -> None:
    api = moot.api
    await moot.load()
    await _link(moot)
    fac = Person(api, FACILITATOR, "Faye")
    await fac.says("/schedule council-pound 1 open in 2 seconds; remind in 1 hour; close in 2 hours",
                   expect="is scheduled")

    # the timed open: the group post is counted once the outbox has settled it
    await api.wait_for_message(GROUP, contains="is open", timeout=20)
    told = await api.wait_for_message(fac.id, contains="opened on schedule", timeout=20)
    assert "Messages: 1 sent, 0 blocked, 0 failed." in told.text

    # the reminder: one resident gets it, another has blocked the bot since
    ben, cat = Person(api, 2302, "Ben"), Person(api, 2303, "Cat")
    await share_only(ben, reminders=True)
    await share_only(cat, reminders=True)
    api.block(cat.id, notify=False)
    assert await moot.app.scheduler.run(await due_job(moot, "remind")) == "done"
    told = await api.wait_for_message(fac.id, contains="reminder for round 1", timeout=20)
    assert "Messages: 1 sent, 1 blocked, 0 failed." in told.text
    assert "1 chat has stopped or removed the bot." in told.text

    # the timed close is said at once; the results are counted when they have gone out
    amina = Person(api, 2301, "Amina")
    await finish_everything(amina, "Care comes first.")
    assert await moot.app.scheduler.run(await due_job(moot, "close")) == "done"
    await api.wait_for_message(fac.id, contains="closed on schedule", timeout=20)
    told = await api.wait_for_message(fac.id, contains="results of round 1", timeout=20)
    await moot.drain_outbox()
    async with moot.deps.uow() as uow:
        counts = await uow.jobs.delivery(["results:", "yours:"])
    assert f"Messages: {counts['sent']} sent, 0 blocked, 0 failed." in told.text
    assert counts["sent"] >= 3  # the group's chart and figures, and each participant's own
    assert ben.sees("Your pound beside everyone's") and not cat.sees("Your pound beside everyone's")


async def test_open_round_now_asks_first_and_round_two_says_what_it_is_for(moot: Harness) -> None:
    api = moot.api
    await moot.load()
    await _link(moot)
    fac = Person(api, FACILITATOR, "Faye")

    await fac.says("/consultations", expect="Round 1 “Share your pound”: draft")
    ask = await fac.taps("Open council-pound round 1 now", expect="now?")
    assert "/open council-pound 1 close" in ask.text  # how to give the close time
    assert await _rounds(moot) == {1: "draft", 2: "draft"}  # nothing opened yet
    await fac.taps("Yes, open round 1 now", expect="is open")
    first = await api.wait_for_message(GROUP, contains="Share your pound is open")
    assert PURPOSE in first.text
    await fac.says("/close council-pound", expect="is closed")

    # round 2 from the buttons, with a close time given by command: the post says what round 2 is for
    await fac.says("/consultations", expect="Round 1 “Share your pound”: closed")
    ask = await fac.taps("Open council-pound round 2 now", expect="now?")
    assert "residents who took part before get a message" in ask.text
    assert await _rounds(moot) == {1: "closed", 2: "draft"}
    said = await fac.says("/open council-pound 2 close in 2 hours", expect="is open")
    assert "It closes on" in said.text
    second = await api.wait_for_message(GROUP, contains="Think again is open until")
    assert ROUND_TWO in second.text and PURPOSE not in second.text
    async with moot.deps.uow() as uow:
        assert [j.kind for j in await uow.jobs.pending_timed(2)] == ["close"]
