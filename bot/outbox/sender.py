"""The outbox sender: claims due messages and sends them within Telegram's limits, once each.

Once means: a row is committed as "sending" with a lease before its Bot API call, and as "sent" the moment the
call returns. If the process dies between those two commits, the row is sent again once its lease runs out:
the window for a duplicate is that one HTTP call (and a network failure, which is retried, can also hide a
delivery). Everything else survives a crash or a restart with nothing lost and nothing doubled.

Flood control (429) is bot-wide, so a RetryLater pauses the whole sender for retry_after seconds and hands
back what it had claimed; 403 gives the chat up (and marks the resident inactive); 400 fails the message;
network trouble retries with backoff. Messages to one chat keep the order they were enqueued in.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import socket
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.limits import ChatNotReady, ChatWindows
from bot.render import Part, Renderer
from bot.services import group_links
from bot.services.common import Deps
from bot.transport import Blocked, Keyboard, Migrated, Rejected, RetryLater, Transport, Unreachable
from dialogues.screens import Screen
from storage.base import utcnow
from storage.repositories.outbox import MESSAGE_IDS, REPLACES, OutboxItem, screen_to_payload

log = logging.getLogger(__name__)

IDLE_SECONDS = 0.5  # how often an idle sender looks for due rows without being notified
HOLD_SECONDS = 2.0  # a chat ready within this is waited for; beyond it, its rows are handed back until then
MAX_ATTEMPTS = 12  # network failures before a message is given up (about 1.7 hours of backoff)
MAX_BACKOFF = 300.0
STOP_GRACE = 15.0  # how long stop() lets calls in flight finish before cancelling them
PARTS = "_parts_sent"  # payload key: parts of a long text already delivered


@dataclass(frozen=True)
class _Outcome:
    blocked: bool = False  # the chat refuses the bot: give up its other rows too
    hold_until: float | None = None  # monotonic time before which this chat gets nothing more


OK = _Outcome()


def default_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class OutboxSender:
    """A background part (start/stop) that drains the outbox; `notify()` after enqueueing makes it look now."""

    def __init__(
        self,
        deps: Deps,
        transport_provider: Callable[[], Transport],
        renderer: Renderer,
        owner: str | None = None,
        *,
        lease_seconds: float = 30.0,
        concurrency: int = 8,
    ):
        self.deps = deps
        self.transport_provider = transport_provider
        self.renderer = renderer
        self.owner = owner or default_owner()
        self.lease_seconds = lease_seconds
        cfg = deps.config.outbox
        self.batch = max(10, int(cfg.per_second * 2))
        self.overall = renderer.budget  # shared with replies: one budget for everything the bot sends
        self.windows = ChatWindows(cfg.per_group_per_minute)
        self.healthy = False  # running, and its last look at the database worked
        self.last_progress: datetime = utcnow()  # last successful claim or delivery
        self._calls = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._paused_until = 0.0  # monotonic; flood control
        self._held: dict[int, float] = {}  # chat -> monotonic time it may be sent to again
        self._in_hand: set[int] = set()  # claimed ids not yet settled, whose leases we renew
        self._charts: OrderedDict[str, bytes] = OrderedDict()
        self._epoch = utcnow() - timedelta(seconds=time.monotonic())  # monotonic -> UTC, fixed per round

    # ---- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        if self._task is not None and not self._task.done():
            return
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name=f"outbox:{self.owner}")
        log.info("outbox sender %s started", self.owner)

    async def stop(self) -> None:
        """Finishes the calls in flight, hands back what was claimed but not sent, and ends."""
        self._stopping = True
        self._wake.set()
        task, self._task = self._task, None
        if task is not None:
            try:
                await asyncio.wait_for(task, STOP_GRACE)
            except TimeoutError:
                log.warning("outbox sender %s cancelled; unsent rows return when their lease ends", self.owner)
        self.healthy = False

    def notify(self) -> None:
        self._wake.set()

    # ---- the loop -------------------------------------------------------------------------------
    async def _run(self) -> None:
        backoff = 0.5
        while not self._stopping:
            pause = self._paused_until - time.monotonic()
            if pause > 0:
                await self._sleep(pause)
                continue
            try:
                claimed = await self._round()
            except Exception:
                self.healthy = False
                log.exception("outbox sender %s: a round failed; trying again in %.1f s", self.owner, backoff)
                await self._sleep(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            self.healthy, backoff = True, 0.5
            if not claimed:
                await self._sleep(IDLE_SECONDS)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        self._wake.clear()

    async def _round(self) -> bool:
        async with self.deps.uow() as uow:
            items = await uow.outbox.claim(self.owner, self.batch, self.lease_seconds, utcnow())
            await uow.commit()
        self.last_progress = utcnow()
        if not items:
            return False
        # One conversion for the whole round: rows handed back for the same moment get the very same not_before,
        # so they come back together and in id order.
        self._epoch = utcnow() - timedelta(seconds=time.monotonic())
        now = time.monotonic()
        self._held = {c: t for c, t in self._held.items() if t > now}
        by_chat: dict[int, list[OutboxItem]] = {}
        handback: list[tuple[OutboxItem, float]] = []
        for item in items:
            if item.chat_id in self._held:  # keeps the chat's order behind the rows handed back earlier
                handback.append((item, self._held[item.chat_id]))
            else:
                by_chat.setdefault(item.chat_id, []).append(item)
        self._in_hand = {i.id for group in by_chat.values() for i in group}
        renewer = asyncio.create_task(self._renew())
        try:
            results = await asyncio.gather(*(self._chat(c, g) for c, g in by_chat.items()), return_exceptions=True)
            for left in results:
                if isinstance(left, BaseException):  # its unsettled rows come back when their lease ends
                    log.error("outbox sender %s: a chat's sends failed", self.owner, exc_info=left)
                else:
                    handback.extend(left)
        finally:
            renewer.cancel()
            await asyncio.gather(renewer, return_exceptions=True)
        await self._hand_back(handback)
        self._in_hand = set()
        return True

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                async with self.deps.uow() as uow:
                    await uow.outbox.renew(sorted(self._in_hand), utcnow() + timedelta(seconds=self.lease_seconds))
                    await uow.commit()
            except Exception:
                log.warning("outbox sender %s could not renew its leases", self.owner, exc_info=True)

    async def _hand_back(self, rows: list[tuple[OutboxItem, float]]) -> None:
        """Releases unattempted rows, each due again at its monotonic time (one write per distinct time)."""
        if not rows:
            return
        by_time: dict[float, list[int]] = {}
        for item, at in rows:
            by_time.setdefault(at, []).append(item.id)
        async with self.deps.uow() as uow:
            for at, ids in by_time.items():
                await uow.outbox.release(ids, self._wall(at))
            await uow.commit()

    async def _chat(self, chat_id: int, items: list[OutboxItem]) -> list[tuple[OutboxItem, float]]:
        """Sends one chat's rows in order; returns those to hand back, with when they are due again."""
        for n, item in enumerate(items):
            rest = items[n:]
            if self._stopping:
                return [(i, time.monotonic()) for i in rest]
            if self._paused_until > time.monotonic():
                return [(i, self._paused_until) for i in rest]
            ready = self.windows.ready_at(chat_id)
            if ready - time.monotonic() > HOLD_SECONDS:
                self._held[chat_id] = ready
                return [(i, ready) for i in rest]
            await asyncio.sleep(max(0.0, ready - time.monotonic()))
            outcome = await self._deliver(item)
            self._in_hand.discard(item.id)
            if outcome.blocked:
                await self._settle(rest[1:], blocked=True)
                return []
            if outcome.hold_until is not None:
                self._held[chat_id] = outcome.hold_until
                return [(i, outcome.hold_until) for i in rest[1:]]
        return []

    # ---- one message ----------------------------------------------------------------------------
    async def _deliver(self, item: OutboxItem) -> _Outcome:
        """One message, holding one of the `concurrency` slots from its first call until it is recorded as sent:
        a message Telegram has but the outbox has not marked is what a crash sends twice, so at most that many
        are ever at risk (not only the calls in flight, but the answered ones still waiting for their commit)."""
        async with self._calls:
            return await self._deliver_parts(item)

    async def _deliver_parts(self, item: OutboxItem) -> _Outcome:
        try:  # a fault here would recur on every try, so it fails the message at once
            screen, languages = item.screen, item.languages
            kb = self.renderer.keyboard(item.chat_id, screen.buttons, 0, *languages)
            png = self._chart_png(screen, languages[0]) if screen.chart is not None else None
            parts = self.renderer.parts(screen, *languages)
        except Exception as e:
            log.error("outbox %d (%s): cannot render (%s); given up", item.id, item.kind, type(e).__name__)
            await self._settle([item], error=f"cannot render: {type(e).__name__}")
            return OK
        if REPLACES in item.payload and len(parts) == 1 and screen.chart is None and screen.document is None:
            edited = await self._edit_earlier(item, str(item.payload[REPLACES]), parts[0], kb)
            if edited is not None:
                return edited
        done = int(item.payload.get(PARTS, 0)) if len(parts) > 1 else 0
        sent_ids: list[int] = list(item.payload.get(MESSAGE_IDS, []))
        for n in range(done, len(parts)):
            try:
                ticket = await self.overall.acquire(item.chat_id)
            except ChatNotReady as e:  # another worker sent to this chat: it waits its turn, in order
                at = time.monotonic() + e.seconds
                await self._hand_back([(item, at)])
                return _Outcome(hold_until=at)
            if self._stopping or self._paused_until > time.monotonic():
                await self.overall.release(sent=False, ticket=ticket)
                at = max(time.monotonic(), self._paused_until)
                await self._hand_back([(item, at)])
                return _Outcome(hold_until=at)  # the chat's later rows go back with it, in order
            last = n == len(parts) - 1
            try:
                sent_ids.append(await self._call(item.chat_id, screen, parts[n], kb, png))  # within _deliver's slot
            except RetryLater as e:
                return await self._flood(item, float(e.seconds))
            except Migrated as e:
                return await self._follow(item, e.new_chat_id)
            except Blocked:
                log.info("outbox %d (%s): the chat refuses the bot; given up", item.id, item.kind)
                await self._settle([item], blocked=True)
                return _Outcome(blocked=True)
            except Rejected as e:
                log.warning("outbox %d (%s): rejected by Telegram: %s", item.id, item.kind, str(e)[:200])
                await self._settle([item], error=f"rejected: {e}")
                return OK
            except Exception as e:  # Unreachable, or a fault in the transport: worth another try later
                return await self._backoff(item, e)
            finally:
                await self.overall.release(ticket=ticket)
                self.windows.record(item.chat_id)
            if not last:
                await self._save_progress(item, n + 1, sent_ids)
        await self._mark_sent(item, {**item.payload, MESSAGE_IDS: sent_ids})
        self.last_progress = utcnow()
        return OK

    async def _edit_earlier(self, item: OutboxItem, key: str, part: Part, kb: Keyboard | None) -> _Outcome | None:
        """Corrects the message an earlier row sent (an announcement whose close time moved) by editing it; None
        when it cannot be edited (never sent, gone, or Telegram refuses), and the row is then sent as new."""
        async with self.deps.uow() as uow:
            earlier = await uow.outbox.sent_messages(key, item.chat_id)
        if len(earlier) != 1:
            return None  # a post of several messages is not edited piecemeal
        try:
            ticket = await self.overall.acquire(item.chat_id)
        except ChatNotReady:
            return None  # another worker is sending to this chat: send as new, in turn
        try:
            await self.transport_provider().edit_text(item.chat_id, earlier[0], part.text, kb)
        except RetryLater as e:
            return await self._flood(item, float(e.seconds))
        except Blocked:
            await self._settle([item], blocked=True)
            return _Outcome(blocked=True)
        except Exception as e:  # deleted by an admin, or too old to edit: say it afresh
            log.info("outbox %d (%s): could not edit message %d (%s); sending it as new", item.id, item.kind,
                     earlier[0], type(e).__name__)
            return None
        finally:
            await self.overall.release(ticket=ticket)
            self.windows.record(item.chat_id)
        await self._mark_sent(item, {**item.payload, MESSAGE_IDS: earlier})
        self.last_progress = utcnow()
        return OK

    async def _save_progress(self, item: OutboxItem, parts_sent: int, sent_ids: list[int]) -> None:
        try:
            async with self.deps.uow() as uow:
                await uow.outbox.save_payload(item.id, {**item.payload, PARTS: parts_sent, MESSAGE_IDS: sent_ids})
                await uow.commit()
        except Exception as e:  # not logged in full: the statement's parameters hold the message text
            log.warning("outbox %d: could not record a sent part (%s); it may be sent again", item.id, type(e).__name__)

    async def _call(self, chat_id: int, screen: Screen, part: Part, kb: Keyboard | None, png: bytes | None) -> int:
        return await self.renderer.send_part(self.transport_provider(), chat_id, screen, part, kb, png=png)

    def _chart_png(self, screen: Screen, language: str | None = None) -> bytes:
        """Draws each distinct chart once per language: a results post to many groups and residents reuses the PNG."""
        c = screen.chart
        assert c is not None
        drawn = json.dumps([screen_to_payload(screen)["chart"], language or self.renderer.language])
        key = hashlib.sha256(drawn.encode()).hexdigest()
        png = self._charts.get(key)
        if png is None:
            png = self._charts[key] = self.renderer.chart_png(screen, language)
            while len(self._charts) > 16:
                self._charts.popitem(last=False)
        self._charts.move_to_end(key)
        return png

    async def _flood(self, item: OutboxItem, seconds: float) -> _Outcome:
        until = time.monotonic() + seconds
        self._paused_until = max(self._paused_until, until)
        self.overall.pause(seconds)  # replies wait too: the limit is the bot's
        log.warning("outbox sender %s: Telegram flood control, pausing %.1f s", self.owner, seconds)
        async with self.deps.uow() as uow:
            await uow.outbox.mark_retry(item.id, self._wall(self._paused_until), "flood control")
            await uow.commit()
        return _Outcome(hold_until=self._paused_until)

    async def _follow(self, item: OutboxItem, new_chat_id: int) -> _Outcome:
        """The group became a supergroup: this message and the chat's others go to the new id, and so does the
        group's link; the message is due again at once (a part already sent is not sent again)."""
        log.info("outbox %d (%s): the group is now a supergroup; sending to its new id", item.id, item.kind)
        async with self.deps.uow() as uow:
            await group_links.follow_migration(uow, item.chat_id, new_chat_id)
            await uow.outbox.release([item.id], utcnow())
            await uow.commit()
        self._in_hand.discard(item.id)
        self.notify()
        return _Outcome(hold_until=time.monotonic())  # the old id's later rows go back, now under the new id

    async def _backoff(self, item: OutboxItem, error: Exception) -> _Outcome:
        attempts = item.attempts + 1
        kind = "unreachable" if isinstance(error, Unreachable) else type(error).__name__
        if attempts >= MAX_ATTEMPTS:
            log.error("outbox %d (%s): %s after %d attempts; given up", item.id, item.kind, kind, attempts)
            await self._settle([item], error=f"{kind}: {error}")
            return OK
        delay = min(MAX_BACKOFF, 2.0**attempts)
        log.warning("outbox %d (%s): %s; retrying in %.0f s", item.id, item.kind, kind, delay)
        until = time.monotonic() + delay
        self._paused_until = max(self._paused_until, time.monotonic() + 1.0)  # Telegram may be down for all
        async with self.deps.uow() as uow:
            await uow.outbox.mark_retry(item.id, self._wall(until), f"{kind}: {error}")
            await uow.commit()
        return _Outcome(hold_until=until)

    async def _settle(self, items: list[OutboxItem], blocked: bool = False, error: str = "") -> None:
        if not items:
            return
        async with self.deps.uow() as uow:
            for item in items:
                if blocked:
                    await uow.outbox.mark_blocked(item.id)
                else:
                    await uow.outbox.mark_failed(item.id, error)
            if blocked and items[0].chat_id > 0:
                await uow.residents.mark_inactive(items[0].chat_id)
            elif blocked:  # removed from a group: its link goes inactive and its facilitator is told
                await group_links.bot_removed(self.deps, uow, items[0].chat_id)
            await uow.commit()
        for item in items:
            self._in_hand.discard(item.id)

    async def _mark_sent(self, item: OutboxItem, payload: dict[str, Any] | None = None) -> None:
        """Records a delivery, trying hard: if this commit never lands the message goes out again."""
        for delay in (0.1, 0.3, 1.0, 2.0, 4.0, 0.0):
            try:
                async with self.deps.uow() as uow:
                    await uow.outbox.mark_sent(item.id, payload)
                    await uow.commit()
                return
            except Exception:
                if not delay:
                    log.exception("outbox %d: sent but not recorded; it may be sent again", item.id)
                    return
                await asyncio.sleep(delay)

    def _wall(self, monotonic_at: float) -> datetime:
        """A monotonic time as a UTC datetime for the database."""
        return self._epoch + timedelta(seconds=monotonic_at)
