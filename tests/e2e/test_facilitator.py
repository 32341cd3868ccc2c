"""A facilitator runs the consultation from the chat: load, link a group, schedule, remind, close, results, round 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.people import Person
from tests.harness import EXAMPLE, FACILITATOR, Harness

GROUP = -1001234


async def finish_everything(p: Person, why: str) -> None:
    await p.says("/start council-pound", expect="How your answers are used and kept")
    await p.taps("I agree, start", expect="Next, you share")
    await p.taps("Next: share", expect="Left to allocate: 100p")
    await p.says("Adult social care 40\nChildren's services 30\nLibraries 30", expect="All 100p shared")
    await p.taps("Submit", expect="Why did you share")
    await p.says(why, expect="Question 2 of 6")
    await p.taps("4", expect="Question 3 of 6")
    await p.taps("No rise", expect="Question 4 of 6")
    await p.taps("Cleaner streets", expect="Ticked: 1")
    await p.taps("Done", expect="Question 5 of 6")
    await p.says("1 2 3 4", expect="Question 6 of 6")
    await p.taps("Skip", expect="Your answers")
    await p.taps("send my answers", expect="Thank you")


async def share_only(p: Person, reminders: bool) -> None:
    await p.says("/start council-pound", expect="How your answers are used and kept")
    await p.taps("I agree, start" if reminders else "no reminders", expect="Next, you share")
    await p.taps("Next: share", expect="Left to allocate: 100p")
    await p.taps("Start from today", expect="All 100p shared")
    await p.taps("Submit", expect="Why did you share")


async def due_job(moot: Harness, kind: str) -> int:
    async with moot.deps.uow() as uow:
        jobs = [j for j in await uow.jobs.pending() if j.kind == kind]
    assert jobs, f"no pending {kind} job"
    return jobs[0].id


async def test_a_facilitator_runs_a_consultation_through_to_round_two(moot: Harness) -> None:
    api = moot.api
    fac = Person(api, FACILITATOR, "Faye the facilitator")

    # loads the file by sending it as a document, and previews it
    api.send_document(fac.id, "council-pound.yaml", EXAMPLE.read_bytes())
    await api.wait_for_message(fac.id, contains="stored as version 1")
    await fac.says("/preview council-pound", expect="Preview of")
    await api.wait_for_message(fac.id, contains="Review or change my answers")  # the last screen of the preview
    assert any(m.kind == "photo" for m in fac.chat.messages)

    # links a group where she is an administrator; the bot posts an invitation, with no link before a round opens
    api.add_group(GROUP, "Heaton residents", admins=[FACILITATOR])
    api.add_bot_to_group(GROUP, by_user=FACILITATOR)
    await api.wait_for_message(GROUP, contains="/link CODE")
    api.send_text(FACILITATOR, "/link council-pound", chat_id=GROUP)
    invite = await api.wait_for_message(GROUP, contains="private chat with me")
    assert "not open yet" in invite.text and not invite.buttons

    # schedules round 1 to open in a few seconds; the bot restarts before it falls due
    await fac.says("/schedule council-pound 1 open in 3 seconds; remind in 1 hour; close in 2 hours",
                   expect="is scheduled")
    await moot.restart()
    opened = await api.wait_for_message(GROUP, contains="is open", timeout=20)
    assert opened.buttons[0][0].url.endswith("?start=council-pound")

    # residents answer: one finishes, one stops halfway, one stops halfway without reminders
    amina, ben, cat = Person(api, 2001, "Amina"), Person(api, 2002, "Ben"), Person(api, 2003, "Cat")
    await finish_everything(amina, "Care comes first.")
    await share_only(ben, reminders=True)
    await share_only(cat, reminders=False)

    # the reminder reaches only the unfinished resident who agreed to reminders
    assert await moot.app.scheduler.run(await due_job(moot, "remind")) == "done"
    await api.wait_for_message(ben.id, contains="haven't finished yet")
    await moot.drain_outbox()
    assert not amina.sees("haven't finished") and not cat.sees("haven't finished")

    # the round closes on schedule: the group gets a PNG chart and the figures; each participant their own
    assert await moot.app.scheduler.run(await due_job(moot, "close")) == "done"
    chart = await api.wait_for_message(GROUP, predicate=lambda m: m.kind == "photo")
    assert chart.photo[:8] == b"\x89PNG\r\n\x1a\n"
    figures = await api.wait_for_message(GROUP, contains="residents shared their pound")
    assert "Would raise most" in figures.text and "Residents' average pence per service" in figures.text
    await api.wait_for_message(amina.id, contains="Your pound beside everyone's average")
    await fac.says("/close council-pound 1", expect="already closed; nothing changed")

    # the facilitator approves Amina's comment; round 2 shows round 1's results and the comment
    await fac.says("/moderate", expect="Care comes first.")
    await fac.taps("Approve", expect="No comments are waiting")  # Ben and Cat gave no reason
    await fac.says("/open council-pound 2", expect="is open")
    await api.wait_for_message(amina.id, contains="Think again is open")
    await amina.says("/start council-pound", expect="Next, you share")
    assert amina.sees("What everyone said in Share your pound") and amina.sees("Care comes first.")
    await amina.taps("Next: share", expect="All 100p shared")  # her round 1 answer is filled in

    # movement between rounds is published when round 2 closes
    await amina.taps("Submit", expect="Why did you share")
    await ben.says("/start council-pound", expect="Next, you share")
    await ben.taps("Next: share", expect="All 100p shared")
    await ben.says("Libraries 8\nRunning the council 5", expect="Set Libraries")
    await ben.taps("Submit", expect="Why did you share")
    await fac.says("/close council-pound", expect="is closed")
    await api.wait_for_message(GROUP, contains="results of Think again")
    moved = await api.wait_for_message(GROUP, contains="how views moved between rounds")
    # Cat answered round 1 only: the chart compares the two residents who answered both rounds, and says so
    assert "among the 2 residents who answered in both rounds" in moved.text


async def test_a_non_facilitator_is_refused_everywhere(moot: Harness) -> None:
    api = moot.api
    await moot.load()
    mallory = Person(api, 2100, "Mallory")
    for command in ("/consultations", "/open council-pound", "/close council-pound", "/preview council-pound",
                    "/schedule council-pound open in 1 hour; close in 2 hours", "/publish council-pound",
                    "/moderate", "/grant facilitator 2100"):
        await mallory.says(command, expect="Sorry, only")
    api.send_document(mallory.id, "evil.yaml", Path(EXAMPLE).read_bytes())
    await api.wait_for_message(mallory.id, contains="only accept files from the consultation's facilitators")
    api.add_group(GROUP, "Heaton residents", admins=[2100])
    api.add_bot_to_group(GROUP, by_user=2100)
    api.send_text(mallory.id, "/link council-pound", chat_id=GROUP)
    await api.wait_for_message(GROUP, contains="Only a facilitator can link")
    async with moot.deps.uow() as uow:
        refused = [a for a in await uow.ledger.audit_log() if not a.allowed and a.actor == 2100]
        rounds = await uow.consultations.rounds((await uow.consultations.by_code("council-pound"))[0])
    assert len(refused) >= 10
    assert all(r.status == "draft" for r in rounds)


# A chat member without its user: a reply neither framework can read, as from a Bot API change or a broken proxy.
UNREADABLE_MEMBER = {"status": "administrator"}


async def _group_with_the_bot(moot: Harness) -> None:
    await moot.load()
    moot.api.add_group(GROUP, "Heaton residents", admins=[FACILITATOR])
    moot.api.add_bot_to_group(GROUP, by_user=FACILITATOR)
    await moot.api.wait_for_message(GROUP, contains="/link CODE")


async def test_a_facilitator_whose_link_fails_is_told_in_the_group(
    moot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    api = moot.api
    await _group_with_the_bot(moot)
    api.garble("getChatMember", UNREADABLE_MEMBER)
    update = api.send_text(FACILITATOR, "/link council-pound", chat_id=GROUP)
    sorry = await api.wait_for_message(GROUP, contains="Sorry, /link didn't work")
    assert "try again in a moment" in sorry.text
    assert any(r.getMessage() == f"failed to handle update {update['update_id']}" and r.exc_info
               for r in caplog.records)
    async with moot.deps.uow() as uow:
        assert await uow.consultations.group(GROUP) is None  # nothing was linked

    api.send_text(FACILITATOR, "/link council-pound", chat_id=GROUP)  # tried again, it works
    await api.wait_for_message(GROUP, contains="private chat with me")


async def test_a_facilitator_whose_link_fails_where_the_group_cannot_be_written_to_is_told_privately(
    moot: Harness,
) -> None:
    api = moot.api
    await _group_with_the_bot(moot)
    api.garble("getChatMember", UNREADABLE_MEMBER)
    api.flood(1, chat_id=GROUP)  # the apology in the group is refused too
    api.send_text(FACILITATOR, "/link council-pound", chat_id=GROUP)
    sorry = await api.wait_for_message(FACILITATOR, contains="Sorry, /link in “Heaton residents” didn't work")
    assert "try again in a moment" in sorry.text
    assert not any("Sorry" in (m.text or "") for m in api.chat(GROUP).messages)
