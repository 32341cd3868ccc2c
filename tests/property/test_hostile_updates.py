"""Generated hostile updates thrown at the real handlers (issue 7, "Hostile input").

Residents B..M send random, huge and oddly encoded text, commands with junk, forged and replayed button
data (random, well-formed but unsigned, another resident's real data, their own stale data), edits, files,
stickers and locations, in private chats and in groups and channels, alongside update kinds the bot never
asked for. Resident A answered first. Whatever comes, the bot:

- keeps going: every update is handled, every press is answered, and a newcomer's /start still works;
- never shows a traceback, an exception's text or its own "something went wrong" apology to anyone;
- only makes Bot API calls the stand-in accepts (the 400s it provokes knowingly are listed in EXPECTED_400);
- never changes A's data, the rounds, or who has which role.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from storage.models import ProcessedUpdateRow, RoleRow
from tests.harness import EXAMPLE, FACILITATOR, Harness
from tests.property import (
    EXPECTED_400,
    Direct,
    ErrorWatch,
    agree_and_answer,
    draw_each_chart_once,
    everything_shown,
    leaked,
    quiet_harness,
    resident_record,
    round_states,
    run_on,
    without_fsync,
)

A = 1001  # the resident whose answers must survive
RESIDENTS = list(range(2001, 2013))  # B..M, the hostile ones
# How far each of B..M has gone before the onslaught, so hostile input meets every screen of the journey.
JOURNEY: list[tuple[str, str]] = [
    ("say", "/start council-pound"), ("tap", "I agree, start"), ("tap", "Next: share"), ("tap", "+5"),
    ("tap", "Start from today"), ("tap", "Submit"), ("say", "Because."), ("tap", "4"), ("tap", "Up to 3%"),
    ("tap", "Cleaner streets"), ("tap", "Done"), ("say", "4 1 3 2"), ("tap", "Skip"), ("tap", "send my answers"),
]  # fmt: skip
GROUP, SUPERGROUP, CHANNEL = -700, -100700, -100800
FRESH = 3001  # a newcomer after the onslaught
CHATS = ("own", "own", "own", "A", "group", "supergroup", "channel", "facilitator")  # where a press comes from
MESSAGE_CHATS = ("own", "own", "own", "group", "supergroup", "channel")  # where a message can come from
ALLOWED_ERRORS = (*EXPECTED_400, "Forbidden: bot was blocked by the user")

# ---- what hostile text looks like -------------------------------------------------------------------------
ODD = [
    "\u200f", "\u200e", "\u202e", "\u202d", "\u2066", "\u2069", "\u061c",  # direction marks and overrides
    "\u200d", "\u200c", "\u200b", "\u2060", "\ufeff", "\u00ad",  # zero width
    "\x00", "\x01", "\x07", "\x08", "\x1b", "\x7f", "\x85", "\t", "\r", "\n", "\r\n", "\u2028", "\u2029",
    "👩\u200d👩\u200d👧\u200d👦", "🏳️\u200d🌈", "🇬🇧", "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
    "👍🏽", "e\u0301", "Z̷̡̛̖̈́a̸l̶g̵o̴", "ﷺ", "𒐫", "Ǆ", "İ", "ß", "𝟘𝟙", "٣", "５", "½", "Ⅳ", "\U0010fffd",
    "<b>", "</i>", "<a href='tg://user?id=1'>", "<tg-spoiler>", "&amp;", "&", "<", ">", "&#0;", '"', "'",
    "%s", "%n", "{0}", "{}", "${x}", "\\", "\\u0000", "' OR 1=1 --", "Robert'); DROP TABLE residents;--",
]  # fmt: skip
TYPED = [
    "Libraries 10", "Libraries 150\nHousing -3", "libraries\t5\nrunning the council\t8", "4 1 3 2", "4,1,3,2",
    "1", "0", "-1", "5", "6", "3.5", "1e309", "nan", "inf", "-0", "99999999999999999999999", "½", "٣", "５",
    "Librarys 10", "Adult social care 60\nChildren's services 50", "all 100p to housing", "Housing 100",
    "skip", "yes", "no", "done", "Submit", "+5", "1 1 1 1", "2 3", "0 0 0 0 0",
]  # fmt: skip
COMMANDS = [
    "start", "start", "help", "mydata", "erase", "consultations", "preview", "schedule", "open", "close",
    "extend", "publish", "moderate", "grant", "revoke", "link", "unlink", "export", "START", "Start", "",
    "settings", "cancel", "stop", "x" * 40,
]  # fmt: skip
ARGS = [
    "", "council-pound", "council-pound 1", "council-pound 2", "council-pound 99", "council-pound -1",
    "facilitator 2001", "officer 2002", "facilitator", "council-pound open now; close tomorrow 17:00",
    "council-pound 1 Jan 2099 10:00", "../../etc/passwd", "COUNCIL-POUND", "council-pound\u200f",
]  # fmt: skip


def _harmless(text: str) -> str:
    """Generated input never spells a crash marker itself: the bot may quote a resident's words back."""
    return re.sub(r"(?i)traceback|error|exception|file", "?", text)


odd_text = st.lists(st.one_of(st.sampled_from(ODD), st.text(max_size=4)), max_size=24).map("".join)
huge_text = st.builds(
    lambda unit, n: (unit * n)[:10_000],
    st.text(min_size=1, max_size=12) | st.sampled_from(ODD),
    st.integers(300, 10_000),
)
commands = st.builds(
    lambda name, sep, args: f"/{name}{sep}{args}".rstrip(" ") if sep.strip() == "" else f"/{name}{sep}{args}",
    st.sampled_from(COMMANDS),
    st.sampled_from([" ", "@moot_test_bot ", "@Moot_Test_Bot ", "@other_bot ", "\u200f ", "  ", "\n"]),
    st.sampled_from(ARGS) | odd_text | st.text(max_size=30),
)
texts = st.one_of(st.text(max_size=120), odd_text, huge_text, st.sampled_from(TYPED), commands).map(_harmless)
signature = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=0, max_size=12)
well_formed = st.builds(
    lambda name, args, seq, sig: f"{name}:{'.'.join(map(str, args))}:{seq}:{sig}",
    st.sampled_from(["ad", "ai", "ar", "at", "ok", "pk", "no", "ea", "fin", "sum", "rt", "ch", "fo", "fc", "fp", "ma"]),
    st.lists(st.integers(-5, 2**40), max_size=4),
    st.integers(-1, 50),
    signature,
)
short_junk = st.text(max_size=16) | st.text(st.characters(max_codepoint=127), max_size=64)  # <= 64 bytes
button_data = st.one_of(short_junk, well_formed, st.sampled_from(["", ":", ":::", "ad:0.5:3:xxxxxxxxxxx", "a" * 64]))
message_ids = st.one_of(st.integers(1, 60), st.sampled_from([0, -1, 2**31 - 1, 2**53]))
senders = st.sampled_from(RESIDENTS)


def user_dict(api: Any, user_id: int) -> dict[str, Any]:
    return api.users[user_id].to_api()


def chat_of(api: Any, where: str, sender: int) -> dict[str, Any]:
    chat_id = {"own": sender, "A": A, "group": GROUP, "supergroup": SUPERGROUP, "channel": CHANNEL}.get(
        where, FACILITATOR
    )
    return api.chat_dict(chat_id)


def unasked_kinds(api: Any, sender: int, text: str, n: int) -> list[dict[str, Any]]:
    """Update kinds the bot never asks for (and one Telegram has not invented yet), in valid Bot API shapes."""
    user, chat = user_dict(api, sender), api.chat_dict(SUPERGROUP)
    channel = api.chat_dict(CHANNEL)
    poll = {
        "id": str(n), "question": text[:300] or "?", "options": [{"persistent_id": "0", "text": "a", "voter_count": 1}],
        "total_voter_count": 1, "is_closed": False, "is_anonymous": True, "type": "regular",
        "allows_multiple_answers": False, "allows_revoting": False, "members_only": False,
    }  # fmt: skip
    member = {
        "chat": chat, "from": user, "date": 0,
        "old_chat_member": {"user": user, "status": "left"}, "new_chat_member": {"user": user, "status": "member"},
    }  # fmt: skip
    return [
        {"poll": poll},
        {"poll_answer": {"poll_id": str(n), "user": user, "option_ids": [0], "option_persistent_ids": ["0"]}},
        {"message_reaction": {"chat": chat, "message_id": n, "user": user, "date": 0, "old_reaction": [],
                              "new_reaction": [{"type": "emoji", "emoji": "👍"}]}},
        {"message_reaction_count": {"chat": chat, "message_id": n, "date": 0,
                                    "reactions": [{"type": {"type": "emoji", "emoji": "👍"}, "total_count": 3}]}},
        {"channel_post": {"message_id": n, "date": 0, "chat": channel, "text": text or "/start"}},
        {"edited_channel_post": {"message_id": n, "date": 0, "edit_date": 1, "chat": channel, "text": text or "x"}},
        {"inline_query": {"id": str(n), "from": user, "query": text[:256], "offset": ""}},
        {"chosen_inline_result": {"result_id": str(n), "from": user, "query": text[:256]}},
        {"shipping_query": {"id": str(n), "from": user, "invoice_payload": text[:128] or "x",
                            "shipping_address": {"country_code": "GB", "state": "", "city": "Newcastle",
                                                 "street_line1": "1 Civic Centre", "street_line2": "",
                                                 "post_code": "NE1 8QH"}}},
        {"pre_checkout_query": {"id": str(n), "from": user, "currency": "GBP", "total_amount": 100,
                                "invoice_payload": text[:128] or "x"}},
        {"chat_member": member},
        {"chat_join_request": {"chat": chat, "from": user, "user_chat_id": sender, "date": 0}},
        {"message_from_the_future": {"id": n, "from": user, "text": text}},
        {},
    ]  # fmt: skip


def odd_contents(api: Any, sender: int, text: str) -> list[dict[str, Any]]:
    """Messages that are not text: the bot must say it only reads text and buttons (or keep quiet in groups)."""
    user = user_dict(api, sender)
    return [
        {"sticker": {"file_id": "S1", "file_unique_id": "S1u", "type": "regular", "width": 512, "height": 512,
                     "is_animated": False, "is_video": False, "emoji": "🙂"}},
        {"location": {"latitude": 54.97, "longitude": -1.61}},
        {"contact": {"phone_number": "+44 191 000 0000", "first_name": text[:64] or "x", "user_id": sender}},
        {"dice": {"emoji": "🎲", "value": 3}},
        {"voice": {"file_id": "V1", "file_unique_id": "V1u", "duration": 2}},
        {"photo": [{"file_id": "P1", "file_unique_id": "P1u", "width": 90, "height": 90}], "caption": text[:1024]},
        {"poll": {"id": "9", "question": "?", "options": [{"persistent_id": "0", "text": "a", "voter_count": 0}],
                  "total_voter_count": 0, "is_closed": False, "is_anonymous": True, "type": "regular",
                  "allows_multiple_answers": False, "allows_revoting": False, "members_only": False}},
        {"new_chat_members": [user]},
        {"left_chat_member": user},
        {"text": text, "entities": [{"type": "bot_command", "offset": 0, "length": 1}]},
        {"text": text, "forward_origin": {"type": "hidden_user", "sender_user_name": "x", "date": 0}},
        {"web_app_data": {"data": text[:4096], "button_text": "Open"}},
    ]  # fmt: skip


# ---- the plans hypothesis draws, and carrying them out --------------------------------------------------------
acts = st.one_of(
    st.tuples(st.just("text"), senders, st.sampled_from(MESSAGE_CHATS), texts),
    st.tuples(st.just("text"), senders, st.just("own"), texts),
    st.tuples(st.just("own button"), senders, st.integers(0, 10**6), st.booleans()),
    st.tuples(st.just("own button"), senders, st.integers(0, 10**6), st.booleans()),
    st.tuples(st.just("A's button"), senders, st.integers(0, 10**6), st.sampled_from(CHATS), st.booleans()),
    st.tuples(st.just("forged"), senders, st.sampled_from(CHATS), button_data, message_ids),
    st.tuples(st.just("edit"), senders, message_ids, texts),
    st.tuples(st.just("document"), senders, st.sampled_from(MESSAGE_CHATS), st.text(max_size=80), st.booleans(), texts),
    st.tuples(st.just("not text"), senders, st.sampled_from(MESSAGE_CHATS), st.integers(0, 11), texts),
    st.tuples(st.just("unasked"), senders, st.integers(0, 13), texts),
    st.tuples(st.just("replay"), st.integers(0, 10**6), st.booleans()),
    st.tuples(st.just("block"), senders, st.booleans()),
)


class Onslaught:
    """Carries out drawn plans against a bot that is fed directly, and keeps what the checks need."""

    def __init__(self, d: Direct):
        self.d = d
        self.api = d.api
        self.a_buttons = [
            (m.message_id, b.callback_data)
            for m in self.api.chat(A).messages
            for row in m.buttons
            for b in row
            if b.callback_data
        ]
        self.fed: list[dict[str, Any]] = []
        self.presses: dict[str, int] = {}  # callback query id -> the chat it was pressed in

    def _message(self, where: str, sender: int, content: dict[str, Any]) -> dict[str, Any]:
        chat = chat_of(self.api, where, sender)
        message = {"message_id": self.api.next_message_id(chat["id"]), "date": int(time.time()), "chat": chat}
        if chat["type"] != "channel":
            message["from"] = user_dict(self.api, sender)
        return {"update_id": self.d.raw_id(), "message": {**message, **content}}

    def queue(self, plan: tuple[Any, ...]) -> list[dict[str, Any]]:
        """Turns one plan into updates, made by the stand-in's users where it can make them."""
        api, kind = self.api, plan[0]
        if kind == "text":
            _, sender, where, text = plan
            if where in {"own", "group", "supergroup"}:
                chat_id = None if where == "own" else chat_of(api, where, sender)["id"]
                return [api.send_text(sender, text, chat_id=chat_id)]
            return [self._message(where, sender, {"text": text})]  # a channel post as a message: no sender
        if kind == "own button":
            _, sender, k, newest = plan
            shown = [m for m in api.chat(sender).visible() if any(b.callback_data for r in m.buttons for b in r)]
            if not shown:
                return [api.send_text(sender, "/start council-pound")]
            m = shown[-1] if newest else shown[k % len(shown)]
            data = [b.callback_data for r in m.buttons for b in r if b.callback_data]
            return [api.press(sender, m.message_id, data[k % len(data)])]
        if kind == "A's button":
            _, sender, k, where, same_message = plan
            message_id, data = self.a_buttons[k % len(self.a_buttons)]
            chat_id = chat_of(api, where, sender)["id"]
            return [api.press(sender, message_id if same_message else k % 60 + 1, data, chat_id=chat_id)]
        if kind == "forged":
            _, sender, where, data, message_id = plan
            return [api.press(sender, message_id, data, chat_id=chat_of(api, where, sender)["id"])]
        if kind == "edit":
            _, sender, message_id, text = plan
            return [api.edit_text(sender, max(1, message_id % 2**31), text)]
        if kind == "document":
            _, sender, where, name, yaml_file, caption = plan
            content = EXAMPLE.read_bytes() if yaml_file else (name.encode() or b"\x00")
            chat_id = None if where == "own" else chat_of(api, where, sender)["id"]
            filename = (name or "x") + (".yaml" if yaml_file else "")
            if where == "channel":
                return [self._message(where, sender, {"document": {"file_id": "F-none", "file_unique_id": "u",
                                                                    "file_name": filename, "file_size": 10**9}})]
            return [api.send_document(sender, filename, content, chat_id=chat_id, caption=caption[:1024] or None)]
        if kind == "not text":
            _, sender, where, k, text = plan
            return [self._message(where, sender, odd_contents(api, sender, text)[k])]
        if kind == "unasked":
            _, sender, k, text = plan
            return [{"update_id": self.d.raw_id(), **unasked_kinds(api, sender, text, self.d.raw_id())[k]}]
        if kind == "replay":
            _, k, same_id = plan
            if not self.fed:
                return []
            old = self.fed[k % len(self.fed)]
            if same_id:
                return [old]  # Telegram delivering an update twice
            if "callback_query" in old:  # the same press again: a new query
                q = old["callback_query"]
                return [api.press(q["from"]["id"], q["message"]["message_id"], q["data"], q["message"]["chat"]["id"])]
            return [{**old, "update_id": self.d.raw_id()}]
        if kind == "block":
            _, sender, block = plan
            (api.block if block else api.unblock)(sender)
            return []
        raise AssertionError(plan)

    async def play(self, plans: list[tuple[Any, ...]], together: bool) -> None:
        updates = [u for plan in plans for u in self.queue(plan)]
        queued = self.api.queue.take(10_000)  # the stand-in's queue holds what its users did, plus block notices
        self.api.queue.clear()
        extra = [u for u in queued if all(u is not x and u.get("update_id") != x.get("update_id") for x in updates)]
        updates = extra + updates
        for u in updates:
            if "callback_query" in u:
                q = u["callback_query"]
                self.presses[q["id"]] = q["message"]["chat"]["id"]
        if together:
            await asyncio.gather(*(self.d.feed(u) for u in updates))
        else:
            for u in updates:
                await self.d.feed(u)
        self.fed += updates


# ---- the fixtures -------------------------------------------------------------------------------------------
@pytest.fixture
def database_url(database_url: str) -> Iterator[str]:
    with without_fsync(database_url) as url:
        yield url


@pytest.fixture(autouse=True)
def _charts(monkeypatch: pytest.MonkeyPatch) -> None:
    draw_each_chart_once(monkeypatch)


@pytest.fixture
async def arena(api: Any, runtime_name: str, database_url: str) -> AsyncIterator[Direct]:
    """Council Pound open; A has answered three questions; B..M exist with odd names; the bot is in a group,
    a supergroup and a channel. Nothing polls: the test feeds the core directly."""
    h = await quiet_harness(api, runtime_name, database_url)
    d = Direct(h)
    try:
        await h.load()
        await h.open()
        api.user(FACILITATOR, first_name="Fiona")
        await agree_and_answer(d, A)
        names = ["<b>Bob</b>", "\u202eevE", "👩\u200d👩\u200d👧", "&amp;", "\x00", "Zoë", "", "A" * 64]
        for i, uid in enumerate(RESIDENTS):
            api.user(uid, first_name=names[i % len(names)] or "x", username=None if i % 3 else f"user_{uid}")
            for how, what in JOURNEY[: i + 2 if i < len(RESIDENTS) - 1 else 0]:  # the last one never started
                await (d.say(uid, what) if how == "say" else d.tap(uid, what))
        api.add_group(GROUP, "Ward <7> & friends", admins=[FACILITATOR], members=RESIDENTS, chat_type="group")
        api.add_group(SUPERGROUP, "Heaton residents", admins=[FACILITATOR], members=[A, *RESIDENTS])
        api.add_group(CHANNEL, "Council news", admins=[FACILITATOR], chat_type="channel")
        for chat_id in (GROUP, SUPERGROUP, CHANNEL):
            api.add_bot_to_group(chat_id, by_user=FACILITATOR, as_admin=chat_id == CHANNEL)
        await d.drain()
        yield d
    finally:
        await h.stop()


# ---- the properties -----------------------------------------------------------------------------------------
async def test_generated_updates_never_crash_leak_or_touch_another_resident(
    arena: Direct, caplog: pytest.LogCaptureFixture
) -> None:
    d, api, h = arena, arena.api, arena.h
    caplog.set_level(logging.WARNING)
    a_before = await resident_record(h, A)
    rounds_before = await round_states(h)
    assert a_before != "nothing" and '"satisfaction"' in a_before
    watch = ErrorWatch(api)
    assert not api.stats.bad_request, api.dump()
    onslaught = Onslaught(d)
    loop = asyncio.get_running_loop()

    async def checks(sent_before: int) -> None:
        assert await resident_record(h, A) == a_before, "resident A's data changed"
        unexpected = watch.unexpected(ALLOWED_ERRORS)
        assert not unexpected, f"the stand-in refused calls: {unexpected}"
        recent = [m for m in api.all_sent()[sent_before:]]
        shown = [t for m in recent for t in (m.text or "", m.html or "", *m.history)]
        assert not leaked(shown), leaked(shown)
        crashes = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
        assert not crashes, [r.getMessage() for r in crashes]

    @settings(
        max_examples=100,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )
    @given(plans=st.lists(acts, min_size=1, max_size=8), together=st.booleans())
    def onslaught_example(plans: list[tuple[Any, ...]], together: bool) -> None:
        sent_before = len(api.all_sent())
        run_on(loop, onslaught.play(plans, together))
        run_on(loop, checks(sent_before))

    await asyncio.to_thread(onslaught_example)

    # every press was answered: no spinner left turning on anyone's phone
    chats = set(onslaught.presses.values())
    answered = {a["callback_query_id"] for chat in chats for a in api.chat(chat).callback_answers}
    assert set(onslaught.presses) <= answered, sorted(set(onslaught.presses) - answered)
    # nothing shown to anyone, ever, looked like a crash
    assert not leaked(everything_shown(api)), leaked(everything_shown(api))
    # the rounds and the roles are as the facilitator left them; A is untouched
    assert await round_states(h) == rounds_before
    async with h.deps.sessions() as s:
        assert (await s.scalar(select(func.count()).select_from(RoleRow))) == 0
    assert await resident_record(h, A) == a_before
    # and the bot still serves a newcomer, now through real polling
    d.start_polling()
    api.user(FRESH, first_name="Newcomer")
    api.send_text(FRESH, "/start")
    await api.wait_for_message(FRESH, contains="How your answers are used and kept")
    api.send_text(A, "/start")  # and A carries on where she was
    await api.wait_for_message(A, contains="Question 3 of 6", new_only=True)


async def test_generated_updates_survive_the_frameworks_parsing(
    moot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """A batch of generated updates goes through real getUpdates polling (and the unasked kinds through the
    runtime's webhook entry), so aiogram's and PTB's own parsing meets them too."""
    api, h = moot.api, moot
    caplog.set_level(logging.WARNING)
    await h.load()
    await h.open()
    api.user(FACILITATOR)
    api.add_group(SUPERGROUP, "Heaton residents", admins=[FACILITATOR], members=RESIDENTS)
    api.add_group(CHANNEL, "Council news", admins=[FACILITATOR], chat_type="channel")
    api.add_group(GROUP, "Ward 7", admins=[FACILITATOR], members=RESIDENTS, chat_type="group")
    for chat_id in (SUPERGROUP, CHANNEL, GROUP):
        api.add_bot_to_group(chat_id, by_user=FACILITATOR)
    for uid in RESIDENTS:
        api.user(uid, first_name="\u202eB<b>")
    await api.wait_for(lambda: api.pending_updates() == 0)
    async with h.deps.sessions() as s:
        seen_before = await s.scalar(select(func.count()).select_from(ProcessedUpdateRow))

    batch: list[dict[str, Any]] = []
    draw = st.tuples(senders, texts, st.sampled_from(MESSAGE_CHATS), button_data, st.integers(0, 11))

    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
    @given(draw)
    def collect(example: tuple[int, str, str, str, int]) -> None:
        batch.append({"example": example})

    collect()
    updates: list[dict[str, Any]] = []
    for entry in batch:
        sender, text, where, data, k = entry["example"]
        chat = chat_of(api, where, sender)
        base = {"message_id": k + 1, "date": 0, "chat": chat, "from": user_dict(api, sender)}
        for body in (
            {"message": {**base, "text": text}},
            {"edited_message": {**base, "text": text, "edit_date": 1}},
            {"message": {**base, **odd_contents(api, sender, text)[k]}},
        ):
            updates.append(api.send_update(body))
        updates.append(api.press(sender, k + 1, data or "x", chat_id=chat["id"]))
    api.send_update(updates[0])  # Telegram delivering one twice
    await api.wait_for(lambda: api.pending_updates() == 0, timeout=30)

    async def handled() -> int:
        async with h.deps.sessions() as s:
            return int(await s.scalar(select(func.count()).select_from(ProcessedUpdateRow)) or 0)

    expected = seen_before + len(updates)
    deadline = asyncio.get_running_loop().time() + 30
    while await handled() < expected:
        assert asyncio.get_running_loop().time() < deadline, f"{await handled()} of {expected} handled"
        await asyncio.sleep(0.05)
    await api.wait_for(lambda: api.stats["answerCallbackQuery"] >= len(batch))

    # the unasked kinds through the webhook entry: the framework parses them and the bot ignores them
    assert h.app is not None and h.app.runtime is not None
    for k in range(14):
        sender = RESIDENTS[k % len(RESIDENTS)]
        await h.app.runtime.feed({"update_id": 90_000_000 + k, **unasked_kinds(api, sender, "/start", k)[k]})

    # the bot is still there for a newcomer, and nothing it showed looked like a crash
    api.user(FRESH)
    api.send_text(FRESH, "/start")
    await api.wait_for_message(FRESH, contains="How your answers are used and kept")
    assert not leaked(everything_shown(api)), leaked(everything_shown(api))
    crashes = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not crashes, [r.getMessage() for r in crashes]
    # Presses on made-up messages are refused before any edit, so no 400 is provoked here at all.
    assert api.stats.bad_request == 0, list(api.errors)

