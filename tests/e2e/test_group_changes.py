"""A linked group that Telegram changes (issue 19 #4): upgraded to a supergroup, its link and its results follow the
new id, whether the bot hears of it from the migration messages or from a refused send; the bot removed from it,
the link goes inactive and its facilitator is told, and nothing is posted there until the bot is added back."""

from __future__ import annotations

import asyncio

from storage.repositories.consultations import LinkedGroup
from tests.e2e.people import Person
from tests.e2e.test_facilitator import share_only
from tests.harness import FACILITATOR, Harness

OLD, NEW = -4000555, -1004000555
RESULTS = "Figures count every answer saved by the close"
REMOVED = "I was removed from the group “Walker residents”"


async def _linked(moot: Harness) -> Person:
    api = moot.api
    await moot.load()
    await moot.open()
    api.add_group(OLD, "Walker residents", admins=[FACILITATOR], chat_type="group")
    api.add_bot_to_group(OLD, by_user=FACILITATOR)
    await api.wait_for_message(OLD, contains="/link CODE")
    api.send_text(FACILITATOR, "/link council-pound", chat_id=OLD)
    await api.wait_for_message(OLD, contains="private chat with me")
    await share_only(Person(api, 3101, "Ann"), reminders=True)
    return Person(api, FACILITATOR, "Faye")


async def _link(moot: Harness, chat_id: int) -> LinkedGroup | None:
    async with moot.deps.uow() as uow:
        return await uow.consultations.group(chat_id)


async def _until(check) -> None:  # type: ignore[no-untyped-def]
    for _ in range(300):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("not reached in 15 s")


async def _drained(moot: Harness) -> None:
    assert moot.app is not None and moot.app.outbox is not None
    await moot.drain_outbox()


async def test_the_link_follows_a_group_upgraded_to_a_supergroup(moot: Harness) -> None:
    fac = await _linked(moot)
    shown_before = len(moot.api.chat(OLD).messages)
    moot.api.migrate_group(OLD, NEW, by_user=FACILITATOR)

    async def moved() -> bool:
        return await _link(moot, NEW) is not None and await _link(moot, OLD) is None

    await _until(moved)
    await fac.says("/close council-pound 1", expect="posted to the linked groups")
    await moot.api.wait_for_message(NEW, contains=RESULTS)
    await _drained(moot)
    assert len(moot.api.chat(OLD).messages) == shown_before, "nothing more went to the old id"
    assert moot.api.stats.bad_request == 0, "nothing was even tried on the old id"


async def test_a_send_refused_as_migrated_goes_again_to_the_new_id_and_moves_the_link(moot: Harness) -> None:
    fac = await _linked(moot)
    moot.api.migrate_group(OLD, NEW, by_user=FACILITATOR)
    moot.api.queue.clear()  # the migration messages never reached the bot: it learns it from the refusal
    await fac.says("/close council-pound 1", expect="posted to the linked groups")
    post = await moot.api.wait_for_message(NEW, contains=RESULTS)
    await _drained(moot)
    assert moot.api.stats.bad_request >= 1, "the old id was tried and refused"
    assert await _link(moot, OLD) is None
    moved = await _link(moot, NEW)
    assert moved is not None and moved.active and moved.title == "Walker residents"
    async with moot.deps.uow() as uow:
        assert (await uow.outbox.counts()).get("failed", 0) == 0
    assert sum(RESULTS in (m.text or "") for m in moot.api.chat(NEW).messages) == 1, post.text


async def test_removed_from_a_group_the_link_goes_inactive_and_the_facilitator_is_told(moot: Harness) -> None:
    fac = await _linked(moot)
    posted = len(moot.api.chat(OLD).messages)
    moot.api.kick_bot(OLD, by_user=FACILITATOR)
    told = await moot.api.wait_for_message(FACILITATOR, contains=REMOVED)
    assert "add me back to the group" in told.text
    link = await _link(moot, OLD)
    assert link is not None and not link.active

    reply = await fac.says("/close council-pound 1", expect="is closed")
    assert "no linked group can be posted to" in reply.text, reply.text
    assert "Not posted in Walker residents: I was removed from it" in reply.text
    await _drained(moot)
    assert len(moot.api.chat(OLD).messages) == posted and moot.api.stats.forbidden == 0, "nothing tried there"
    listed = await fac.says("/consultations", expect="Linked group")
    assert "Walker residents (I was removed from it)" in listed.text

    moot.api.add_bot_to_group(OLD, by_user=FACILITATOR)  # added back: posting there resumes
    await moot.api.wait_for_message(OLD, contains="linked to “The Council Pound” again")
    link = await _link(moot, OLD)
    assert link is not None and link.active


async def test_a_send_refused_because_the_bot_was_removed_marks_the_link_inactive(moot: Harness) -> None:
    fac = await _linked(moot)
    moot.api.kick_bot(OLD, by_user=FACILITATOR)
    moot.api.queue.clear()  # the bot never heard it was removed: the refused results post tells it
    await fac.says("/close council-pound 1", expect="posted to the linked groups")
    await moot.api.wait_for_message(FACILITATOR, contains=REMOVED)
    await _drained(moot)
    link = await _link(moot, OLD)
    assert link is not None and not link.active
    assert sum(REMOVED in (m.text or "") for m in moot.api.chat(FACILITATOR).messages) == 1, "told once"
