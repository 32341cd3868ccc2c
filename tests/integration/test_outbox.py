"""The outbox through the real runtime and the Bot API stand-in: once each, within limits, through 429, 403, restart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from bot.actions import BadButton
from bot.outbox import OutboxSender
from dialogues.screens import Action, Button, Chart, Screen
from dialogues.text import Lines, Para, Strong
from storage.base import utcnow
from tests.harness import FACILITATOR, Harness

LINK = "https://t.me/moot_test_bot?start=council-pound"
GROUP = -100777


def announcement(n: int) -> Screen:
    return Screen(announcement_text(n), [[Button("Take part privately", url=LINK)]])


def announcement_text(n: int) -> str:
    return f"📣 Round 1 is open (message {n})."


def sender(moot: Harness) -> OutboxSender:
    assert moot.app is not None
    return moot.app.outbox  # type: ignore[no-any-return]


async def enqueue(moot: Harness, items: list[tuple[str, int, Screen]], kind: str = "announce") -> list[bool]:
    async with moot.deps.uow() as uow:
        added = [await uow.outbox.enqueue(key, chat, kind, screen) for key, chat, screen in items]
        await uow.commit()
    sender(moot).notify()
    return added


async def counts(moot: Harness) -> dict[str, int]:
    async with moot.deps.uow() as uow:
        return await uow.outbox.counts()


def copies(moot: Harness, chat_id: int) -> list[str]:
    return [m.text or "" for m in moot.api.chat(chat_id).messages]


async def another_round(out: OutboxSender) -> None:
    seen = out.last_progress
    out.notify()
    while out.last_progress <= seen:
        await asyncio.sleep(0.01)


def telegram_limits(moot: Harness) -> None:
    """The stand-in answers 429 beyond Telegram's limits, so a count of 429s shows whether we kept them."""
    moot.api.rate_limits.global_per_second = 30
    moot.api.rate_limits.per_chat_per_second = 1
    moot.api.rate_limits.per_group_per_minute = 20


async def test_a_broadcast_through_flood_control_reaches_each_resident_once(moot: Harness) -> None:
    api = moot.api
    telegram_limits(moot)
    residents = list(range(50_001, 50_201))
    for r in residents:
        api.user(r)
    added = await enqueue(moot, [(f"open:1:{r}", r, announcement(r)) for r in residents])
    assert all(added)

    await api.wait_for(lambda: len(api.all_sent()) >= 40)
    api.flood(3, retry_after=1)  # mid-broadcast: Telegram's flood control, bot-wide
    await moot.drain_outbox(timeout=60)

    for r in residents:
        assert copies(moot, r) == [f"📣 Round 1 is open (message {r})."], r
    assert api.stats[429] == 3, "only the injected floods: the sender itself stayed within Telegram's limits"
    assert api.stats["sendMessage"] == 200 + 3
    assert await counts(moot) == {"sent": 200}
    button = api.chat(residents[0]).messages[0].buttons[0][0]
    assert button.url == LINK and button.callback_data is None


async def test_the_same_key_twice_sends_once(moot: Harness) -> None:
    moot.api.user(7001)
    first = await enqueue(moot, [("remind:5:7001", 7001, announcement(1)), ("remind:5:7001", 7001, announcement(2))])
    again = await enqueue(moot, [("remind:5:7001", 7001, announcement(3))])
    assert first == [True, False] and again == [False]
    await moot.drain_outbox()
    assert copies(moot, 7001) == ["📣 Round 1 is open (message 1)."]
    assert await counts(moot) == {"sent": 1}


async def test_a_resident_who_blocked_the_bot_is_tried_once_and_marked_inactive(moot: Harness) -> None:
    api = moot.api
    for r in (7101, 7102):
        api.user(r)
    async with moot.deps.uow() as uow:
        for r in (7101, 7102):
            await uow.residents.get_or_create(r)
        await uow.commit()
    api.block(7101, notify=False)  # silently: only the outbox finds out

    await enqueue(moot, [("a:7101", 7101, announcement(1)), ("b:7101", 7101, announcement(2))])
    await enqueue(moot, [("a:7102", 7102, announcement(3))])
    await moot.drain_outbox()

    assert api.stats[403] == 1, "one refusal is enough to stop writing to them"
    assert copies(moot, 7102) == ["📣 Round 1 is open (message 3)."]
    assert await counts(moot) == {"blocked": 2, "sent": 1}
    async with moot.deps.uow() as uow:
        blocked = await uow.residents.find(7101)
        assert blocked is not None and not blocked.active and blocked.inactive_since is not None

    assert await enqueue(moot, [("c:7101", 7101, announcement(4))]) == [False]
    await moot.drain_outbox()
    assert api.stats[403] == 1 and api.stats["sendMessage"] == 2


@pytest.fixture
async def strict_group(api: Any, runtime_name: str, database_url: str) -> AsyncIterator[Harness]:
    """A bot whose outbox allows 3 messages a minute per group, against a stand-in that enforces the same."""
    h = Harness(api, runtime_name, database_url, outbox={"per_group_per_minute": 3})
    await h.start()
    api.add_group(GROUP, "Ward 7 residents", admins=[FACILITATOR])
    api.groups[GROUP].bot_status = "member"  # added without an update, so the bot has no reason to greet it
    yield h
    await h.stop()


async def test_a_group_gets_no_more_than_its_budget_a_minute_in_order(strict_group: Harness) -> None:
    moot, api = strict_group, strict_group.api
    telegram_limits(moot)
    api.rate_limits.per_group_per_minute = 3
    await enqueue(moot, [(f"post:{n}", GROUP, Screen(f"Post {n}")) for n in range(1, 6)], kind="results")

    await api.wait_for(lambda: len(api.chat(GROUP).messages) >= 3)
    for _ in range(3):  # let the sender look again a few times: the rest must wait for the next minute
        await another_round(sender(moot))
    assert copies(moot, GROUP) == ["Post 1", "Post 2", "Post 3"]
    assert api.stats[429] == 0
    assert await counts(moot) == {"sent": 3, "pending": 2}
    async with moot.deps.uow() as uow:
        assert await uow.outbox.pending_count("results") == 2
        assert await uow.outbox.pending_count("announce") == 0


async def test_a_results_post_draws_each_chart_once_and_signs_buttons_for_each_chat(moot: Harness) -> None:
    api = moot.api
    api.add_group(GROUP, "Ward 7 residents", admins=[FACILITATOR])
    api.groups[GROUP].bot_status = "member"
    for r in (7201, 7202, 7203):
        api.user(r)
    series = (("Residents", (40.0, 10.0)), ("Today", (34.0, 5.0)))
    chart = Chart("Average pence per service", ("Care", "Libraries"), series)
    posts = [
        ("res:g:0", GROUP, Screen(Para(Strong("Results"), " of round 1"), chart=chart)),
        ("res:g:1", GROUP, Screen("12 residents took part.", [[Button("See the consultation", url=LINK)]])),
    ]
    posts += [(f"res:{r}", r, Screen("Your answers beside everyone's", [[Button("Details", Action("sum", (3,)))]],
                                     chart=chart)) for r in (7201, 7202)]  # fmt: skip
    long = "\n".join(f"Question {n}: " + "x" * 90 for n in range(60))  # over 4096 characters: two messages
    posts.append(("res:7203", 7203, Screen(Lines(long.split("\n")), [[Button("Details", Action("sum", (4,)))]])))
    await enqueue(moot, posts, kind="results")
    await moot.drain_outbox()

    group = api.chat(GROUP).messages
    assert [m.kind for m in group] == ["photo", "text"] and group[0].text == "Results of round 1"
    photos = [group[0].photo] + [api.chat(r).messages[0].photo for r in (7201, 7202)]
    assert photos[0] is not None and photos[0].startswith(b"\x89PNG\r\n\x1a\n")
    assert photos[1:] == [photos[0], photos[0]], "the same chart is drawn once and sent to everyone"
    parts = api.chat(7203).messages
    assert len(parts) == 2 and "\n".join(p.text or "" for p in parts) == long, "both parts, in order"
    assert not parts[0].buttons and parts[1].buttons, "the buttons go under the last part"
    assert await counts(moot) == {"sent": 5}
    codec = moot.app.core.codec  # type: ignore[union-attr]
    for r, other in ((7201, 7202), (7202, 7201)):
        data = api.chat(r).messages[0].buttons[0][0].callback_data
        assert data is not None
        pressed = codec.unpack(r, data)
        assert pressed.action == Action("sum", (3,)) and pressed.seq == 0
        with pytest.raises(BadButton):
            codec.unpack(other, data)


async def test_a_sender_stopped_mid_broadcast_and_a_new_one_send_each_message_once(moot: Harness) -> None:
    api = moot.api
    residents = list(range(60_001, 60_031))
    for r in residents:
        api.user(r)
    await enqueue(moot, [(f"open:2:{r}", r, announcement(r)) for r in residents])
    await api.wait_for(lambda: len(api.all_sent()) >= 10)
    await sender(moot).stop()
    before = len(api.all_sent())
    assert before < len(residents), "stopped part-way"
    assert await counts(moot) == {"sent": before, "pending": len(residents) - before}

    await moot.restart()  # a new process: new sender, new owner
    await moot.drain_outbox()
    for r in residents:
        assert len(copies(moot, r)) == 1, r
    assert await counts(moot) == {"sent": len(residents)}


async def test_rows_left_sending_by_a_dead_worker_are_sent_after_their_lease(moot: Harness) -> None:
    api = moot.api
    await sender(moot).stop()
    residents = [7301, 7302, 7303]
    for r in residents:
        api.user(r)
    await enqueue(moot, [(f"open:3:{r}", r, announcement(r)) for r in residents])
    async with moot.deps.uow() as uow:  # a worker claims them, then dies before sending
        claimed = await uow.outbox.claim("dead-host:1", 10, lease_seconds=0.0, now=utcnow())
        await uow.commit()
    assert [i.chat_id for i in claimed] == residents
    assert await counts(moot) == {"sending": 3}

    await sender(moot).start()
    await moot.drain_outbox()
    for r in residents:
        assert len(copies(moot, r)) == 1
    assert await counts(moot) == {"sent": 3}


async def test_claims_never_overlap(moot: Harness) -> None:
    await sender(moot).stop()
    await enqueue(moot, [(f"k:{n}", 8000 + n, announcement(n)) for n in range(30)])

    async def claim(owner: str) -> list[int]:
        async with moot.deps.uow() as uow:
            got = await uow.outbox.claim(owner, 20, lease_seconds=60, now=utcnow())
            await uow.commit()
        return [i.id for i in got]

    a, b = await asyncio.gather(claim("a:1"), claim("b:2"))
    assert not set(a) & set(b) and len(a) + len(b) == 30
    assert await claim("c:3") == [], "leased rows are not due"


async def test_many_messages_enqueued_at_once_are_as_if_one_by_one(moot: Harness) -> None:
    blocked, fresh, again = 7_700_000_001, 7_700_000_002, 7_700_000_003
    for r in (blocked, fresh, again):
        moot.api.user(r)
    async with moot.deps.uow() as uow:
        for tid in (blocked, fresh, again):
            await uow.residents.get_or_create(tid)
        await uow.residents.mark_inactive(blocked)
        await uow.commit()
    assert await enqueue(moot, [("many:again", again, announcement(0))]) == [True]
    screen = announcement(1)
    messages = [("many:blocked", blocked, screen), ("many:fresh", fresh, screen), ("many:again", again, screen)]
    later = [(f"many:later:{i}", 7_700_100_000 + i, announcement(2)) for i in range(1200)]  # three statements
    async with moot.deps.uow() as uow:
        assert await uow.outbox.enqueue_many("announce", messages) == 1  # not the blocked one, nor a key there
        assert await uow.outbox.enqueue_many("announce", later, not_before=utcnow() + timedelta(days=1)) == 1200
        await uow.commit()
    async with moot.deps.uow() as uow:
        assert await uow.outbox.enqueue_many("announce", messages + later) == 0  # everything there already
        with pytest.raises(ValueError):
            await uow.outbox.enqueue_many("announce", [("k" * 200, fresh, screen)])
    sender(moot).notify()
    await moot.api.wait_for(lambda: copies(moot, fresh) == [announcement_text(1)])
    assert copies(moot, blocked) == [] and copies(moot, again) == [announcement_text(0)]
    assert (await counts(moot)).get("pending") == 1200
