"""Facilitators, groups and people (issue 13, #13, #18): a group linked before a round opens is told when it opens
and gets no dead link, linking twice posts once, a wrong code lists the right ones, /consultations shows the groups,
/extend tells the group; decided comments can be undone, and people hear privately when their role changes."""

from __future__ import annotations

from tests.e2e.people import Person
from tests.e2e.test_facilitator import finish_everything
from tests.harness import ADMIN, FACILITATOR, Harness

GROUP = -1005678


def _posts(moot: Harness, contains: str) -> int:
    return sum(contains in (m.text or "") for m in moot.api.chat(GROUP).messages)


async def test_a_group_linked_before_the_round_opens_is_told_when_and_kept_up_to_date(moot: Harness) -> None:
    api = moot.api
    await moot.load()
    fac = Person(api, FACILITATOR, "Faye")
    await fac.says("/schedule council-pound 1 open in 1 hour; close in 2 hours", expect="is scheduled")
    api.add_group(GROUP, "Walker residents", admins=[FACILITATOR])
    api.add_bot_to_group(GROUP, by_user=FACILITATOR)
    await api.wait_for_message(GROUP, contains="/link CODE")

    # a wrong code: there is no such consultation, and these are the codes
    api.send_text(FACILITATOR, "/link nosuch", chat_id=GROUP)
    wrong = await api.wait_for_message(GROUP, contains="There is no consultation with the code “nosuch”")
    assert "council-pound" in wrong.text

    # the invitation says when round 1 opens and carries no link yet
    api.send_text(FACILITATOR, "/link council-pound", chat_id=GROUP)
    invite = await api.wait_for_message(GROUP, contains="Share your pound opens on")
    assert not invite.buttons

    # linking again posts nothing new
    api.send_text(FACILITATOR, "/link council-pound", chat_id=GROUP)
    await api.wait_for_message(GROUP, contains="already linked")
    assert _posts(moot, "Share your pound opens on") == 1

    # /consultations lists the linked group
    listed = await fac.says("/consultations", expect="Linked group")
    assert "Walker residents" in listed.text

    # opened, then extended: the group reads the new close time, with the link
    await fac.says("/open council-pound 1", expect="is open")
    announced = await api.wait_for_message(GROUP, contains="Share your pound is open until")
    first_close = moot.deps.local((await _round_one(moot)).closes_at)
    await fac.says("/extend council-pound 1 in 5 hours", expect="Linked groups are told")
    extended = await api.wait_for_message(GROUP, contains="Share your pound is now open until")
    new_close = moot.deps.local((await _round_one(moot)).closes_at)
    assert new_close and new_close != first_close and new_close in extended.text
    assert extended.buttons[0][0].url.endswith("?start=council-pound")
    # and the announcement people scroll back to is corrected in place, not left saying the old time
    corrected = await api.wait_for_message(GROUP, contains="(extended)")
    assert corrected.message_id == announced.message_id
    assert new_close in corrected.text and (first_close or "") not in corrected.text
    assert corrected.buttons[0][0].url.endswith("?start=council-pound")


async def _round_one(moot: Harness):  # type: ignore[no-untyped-def]
    async with moot.deps.uow() as uow:
        return (await uow.consultations.rounds(1))[0]


async def test_a_decided_comment_can_be_undone_and_roles_are_told_privately(moot: Harness) -> None:
    api = moot.api
    await moot.load()
    await moot.open()
    fac = Person(api, FACILITATOR, "Faye")
    amina = Person(api, 2401, "Amina")
    await finish_everything(amina, "Care comes first.")

    await fac.says("/moderate", expect="Care comes first.")
    await fac.taps("Approve", expect="No comments are waiting")
    listed = await fac.taps("Decided comments", expect="Decided comments, newest first")
    assert "approved" in listed.text and "Care comes first." in listed.text
    await fac.taps("Undo 1", toast="Back in the queue")
    async with moot.deps.uow() as uow:
        assert await uow.comments.pending_count() == 1
        undone = [a for a in await uow.ledger.audit_log() if a.action == "moderate"]
    assert sorted(a.detail.get("decision") for a in undone) == ["approved", "pending"]
    await fac.says("/moderate", expect="Care comes first.")  # waiting for a decision again

    # a role granted and revoked: the person hears each privately
    dev = Person(api, 2402, "Dev")
    admin = Person(api, ADMIN, "Ada")
    await admin.says(f"/grant facilitator {dev.id}", expect="now has the facilitator role")
    await api.wait_for_message(dev.id, contains="You now have the facilitator role")
    await admin.says(f"/revoke facilitator {dev.id}", expect="no longer has the facilitator role")
    await api.wait_for_message(dev.id, contains="You no longer have the facilitator role")
