"""Button forgery (issue 7, "Hostile input"): callback data is authenticated, so a resident cannot craft a
press that acts on another resident's answers or on a facilitator's command.

Everything goes through real polling and the stand-in's ``api.press`` (a press the stand-in does not check,
as a modified client could send): another resident's real data pressed in one's own chat and in theirs,
signatures with one character changed, bodies changed under a real signature, the facilitator's "open",
"close", "publish" and moderation buttons pressed by a resident, and generated forgeries. Each is refused
with a toast, nothing in the database changes, and refused facilitator actions are in the audit log.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.actions import SIG_CHARS
from bot.services import resident, roles
from storage.models import AuditRow, RoleRow, VersionRow
from tests.e2e.people import Person
from tests.harness import FACILITATOR, Harness
from tests.property import (
    draw_each_chart_once,
    refusals,
    resident_record,
    round_states,
    said,
    without_fsync,
)

A, B = 1001, 1002  # Amina answers; Mallory forges
NOT_YOURS = "This button isn't for you."
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
EXPIRED = said(resident.EXPIRED)  # the toasts as the resident reads them
REFUSED = said(roles.REFUSED)


@pytest.fixture
def database_url(database_url: str) -> Iterator[str]:
    with without_fsync(database_url) as url:
        yield url


@pytest.fixture(autouse=True)
def _charts(monkeypatch: pytest.MonkeyPatch) -> None:
    draw_each_chart_once(monkeypatch)


@dataclass
class Scene:
    h: Harness
    api: Any
    amina: Person
    mallory: Person
    facilitator: Person
    shown: dict[int, dict[str, int]] = field(default_factory=dict)  # chat -> data -> message id, ever shown

    def note(self) -> None:
        """Remembers the buttons now on screen: edits replace them, and old ones are the replays to try."""
        for chat_id in (A, B, FACILITATOR):
            for m in self.api.chat(chat_id).messages:
                for row in m.buttons:
                    for b in row:
                        if b.callback_data:
                            self.shown.setdefault(chat_id, {})[b.callback_data] = m.message_id

    def buttons(self, chat_id: int, names: tuple[str, ...] = ()) -> list[tuple[int, str]]:
        """(message id, data) of every button the bot ever showed in a chat, optionally of some actions only."""
        self.note()
        return [
            (mid, data)
            for data, mid in self.shown.get(chat_id, {}).items()
            if not names or data.split(":")[0] in names
        ]

    async def settle(self) -> None:
        """Waits until every update has been handled to the end (a reply is seen before its bookkeeping)."""
        core = self.h.app.core  # type: ignore[union-attr]
        await self.api.wait_for(lambda: self.api.pending_updates() == 0 and not core._locks)
        await asyncio.sleep(0.05)
        await self.api.wait_for(lambda: not core._locks)

    async def state(self) -> tuple[Any, ...]:
        """Everything a forged press could hope to change."""
        await self.settle()
        async with self.h.deps.sessions() as s:
            roles = await s.scalar(select(func.count()).select_from(RoleRow))
            versions = await s.scalar(select(func.count()).select_from(VersionRow))
        return (
            await resident_record(self.h, A),
            await resident_record(self.h, B),
            await round_states(self.h),
            roles,
            versions,
        )

    async def presses(self, forged: list[tuple[int, int, str, int]]) -> list[str]:
        """Sends (user, message id, data, chat id) presses at once; returns each one's toast, in order."""
        sent = [self.api.press(user, mid, data, chat_id=chat) for user, mid, data, chat in forged]
        ids = [(u["callback_query"]["id"], chat) for u, (_, _, _, chat) in zip(sent, forged, strict=True)]

        def toast(query_id: str, chat: int) -> str | None:
            for answer in self.api.chat(chat).callback_answers:
                if answer["callback_query_id"] == query_id:
                    return str(answer.get("text") or "")
            return None

        await self.api.wait_for(lambda: all(toast(q, c) is not None for q, c in ids), timeout=20)
        return [toast(q, c) or "" for q, c in ids]


@pytest.fixture
async def scene(moot: Harness) -> AsyncIterator[Scene]:
    """Amina has answered three questions and her comment waits for moderation; Mallory has agreed and sees
    her own allocation board; the facilitator has the /consultations and /moderate buttons in front of them."""
    await moot.load()
    await moot.open()
    api = moot.api
    amina, mallory = Person(api, A, "Amina"), Person(api, B, "Mallory")
    facilitator = Person(api, FACILITATOR, "Fiona")
    scene = Scene(moot, api, amina, mallory, facilitator)
    steps: list[tuple[Person, str, str, str]] = [
        (amina, "says", "/start council-pound", "How your answers are used and kept"),
        (amina, "taps", "I agree, start", "Next, you share"),
        (amina, "taps", "Next: share", "Left to allocate: 100p"),
        (amina, "taps", "+5", "Left to allocate: 95p"),
        (amina, "taps", "Start from today", "All 100p shared"),
        (amina, "taps", "Submit", "Why did you share"),
        (amina, "says", "Care for older people matters most to me.", "Question 2 of 6"),
        (amina, "taps", "4", "Question 3 of 6"),
        (mallory, "says", "/start council-pound", "How your answers are used and kept"),
        (mallory, "taps", "I agree, start", "Next, you share"),
        (mallory, "taps", "Next: share", "Left to allocate: 100p"),
        (facilitator, "says", "/consultations", "Round 1 “Share your pound”: open"),
        (facilitator, "says", "/moderate", "Care for older people"),
    ]
    for who, how, what, expect in steps:
        await (who.says(what, expect=expect) if how == "says" else who.taps(what, expect=expect))
        scene.note()
    yield scene


def _flip(data: str, at: int) -> str:
    char = data[at]
    return data[:at] + B64[(B64.index(char) + 1) % len(B64)] + data[at + 1 :] if char in B64 else data


async def test_another_residents_buttons_are_refused_in_either_chat(scene: Scene) -> None:
    before = await scene.state()
    hers = scene.buttons(A)  # every button Amina was ever shown: consent, board, comment, rating, question 3
    assert len(hers) >= 20
    own_latest = scene.api.chat(B).last().message_id
    forged = [(B, own_latest, data, B) for _, data in hers]  # her data, in Mallory's own chat
    forged += [(B, mid, data, A) for mid, data in hers]  # her data, on her own message, in her chat
    toasts = await scene.presses(forged)
    assert toasts[: len(hers)] == [EXPIRED] * len(hers), toasts
    assert toasts[len(hers) :] == [NOT_YOURS] * len(hers), toasts
    assert await scene.state() == before
    assert not scene.api.stats.bad_request, list(scene.api.errors)
    # and Amina's own current buttons still work for her
    await scene.amina.taps("Up to 3%", expect="Question 4 of 6")
    assert (await scene.h.answers_of(A))["council_tax"] == "up_to_3"


async def test_a_changed_character_anywhere_is_refused(scene: Scene) -> None:
    before = await scene.state()
    board = scene.api.chat(B).last()
    mid, data = board.message_id, board.button("+5").callback_data  # type: ignore[union-attr]
    body_len = len(data) - SIG_CHARS - 1
    changed = {_flip(data, at) for at in range(len(data))} - {data}
    changed |= {
        data[:-1], data + "A", data[: body_len + 1], data[:body_len], data.replace(":", "::", 1),
        data.upper(), data.swapcase(), f"{data}:{data[-SIG_CHARS:]}", " " + data, data + "\n",
    }  # fmt: skip
    seq = data.split(":")[2]
    changed |= {data.replace(f":{seq}:", f":{int(seq) + k}:", 1) for k in (-1, 1, 100)}  # replay at another step
    changed.discard(data)
    toasts = await scene.presses([(B, mid, d, B) for d in sorted(changed)])
    assert set(toasts) == {EXPIRED}, dict(zip(sorted(changed), toasts, strict=True))
    assert await scene.state() == before
    # the genuine press works; once the screen has moved on, the same data is a stale replay
    await scene.mallory.taps("+5", expect="Left to allocate: 95p")
    await scene.mallory.taps("Start from today", expect="All 100p shared")
    await scene.mallory.taps("Submit", expect="Why did you share")
    await scene.settle()
    saved = await resident_record(scene.h, B)
    assert await scene.presses([(B, mid, data, B), (B, mid, data, B)]) == [EXPIRED, EXPIRED]
    assert await resident_record(scene.h, B) == saved
    assert (await scene.h.answers_of(B))["pound"]["adult_social_care"] == 34


async def test_facilitator_buttons_pressed_by_a_resident_are_refused_and_audited(scene: Scene) -> None:
    before = await scene.state()
    theirs = scene.buttons(FACILITATOR, ("fo", "fc", "fp", "ma", "mr"))
    kinds = {data.split(":")[0] for _, data in theirs}
    assert {"fo", "fc", "ma", "mr"} <= kinds, kinds
    audited_before = len(await refusals(scene.h, B))
    own_latest = scene.api.chat(B).last().message_id
    in_own_chat = [(B, own_latest, data, B) for _, data in theirs]  # signed for the facilitator's chat
    in_their_chat = [(B, mid, data, FACILITATOR) for mid, data in theirs]  # a valid signature, the wrong person
    by_amina = [(A, mid, data, FACILITATOR) for mid, data in theirs]  # a resident with answers is no different
    toasts = await scene.presses(in_own_chat + in_their_chat + by_amina)
    n = len(theirs)
    assert toasts[:n] == [EXPIRED] * n, toasts
    assert toasts[n:] == [REFUSED] * (2 * n), toasts
    assert await scene.state() == before  # no round opened or closed, no comment approved or rejected
    # every refusal that got as far as the role check is in the audit log, with who and what
    wanted = {"fo": "open", "fc": "close", "fp": "publish", "ma": "moderate", "mr": "moderate"}
    expected = [(wanted[data.split(":")[0]], data.split(":")[0]) for _, data in theirs]
    mallory_refused = (await refusals(scene.h, B))[audited_before:]
    assert sorted(mallory_refused) == sorted(expected)
    assert sorted(await refusals(scene.h, A)) == sorted(expected)
    # while the facilitator's own press of the same button works
    close = next(data for _, data in theirs if data.startswith("fc:"))
    message = next(mid for mid, data in theirs if data == close)
    assert await scene.presses([(FACILITATOR, message, close, FACILITATOR)]) == ["Done."]
    assert (await round_states(scene.h))[0][1] == "closed"


async def test_generated_forgeries_are_refused(scene: Scene) -> None:
    """Made-up data in every shape, with every action name the bot knows, pressed in Mallory's chat, Amina's
    chat and the facilitator's chat: all refused, nothing changed."""
    core = scene.h.app.core  # type: ignore[union-attr]
    names = sorted({*core.actions, "ok", "no", "pk", "ea", "en", "ad", "ai", "ar", "sk", "fin", "sum", "ch"})
    chats = {B: scene.api.chat(B).last().message_id, A: scene.api.chat(A).last().message_id,
             FACILITATOR: scene.api.chat(FACILITATOR).last().message_id}  # fmt: skip
    real = {data for chat in chats for _, data in scene.buttons(chat)}
    forged_data = st.one_of(
        st.builds(
            lambda name, args, seq, sig: f"{name}:{'.'.join(map(str, args))}:{seq}:{sig}",
            st.sampled_from(names),
            st.lists(st.integers(0, 20), max_size=3),
            st.integers(0, 30),
            st.text(B64, min_size=SIG_CHARS, max_size=SIG_CHARS),
        ),
        st.text(min_size=1, max_size=16),  # Telegram allows 1-64 bytes: at most 4 per character
    )
    drawn: list[tuple[int, int, str, int]] = []

    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(forged_data, st.sampled_from(sorted(chats)))
    def collect(data: str, chat: int) -> None:
        if data not in real:
            drawn.append((B, chats[chat], data, chat))

    collect()
    before = await scene.state()
    audited_before = await refusals(scene.h, B)
    toasts = await scene.presses(drawn)
    assert set(toasts) <= {EXPIRED}, {d: t for (_, _, d, _), t in zip(drawn, toasts, strict=True) if t != EXPIRED}
    assert await scene.state() == before
    assert await refusals(scene.h, B) == audited_before  # forged data never reaches a role check
    async with scene.h.deps.sessions() as s:
        allowed = await s.scalar(select(func.count()).select_from(AuditRow).where(AuditRow.actor == B,
                                                                                 AuditRow.allowed.is_(True)))
    assert allowed == 0
