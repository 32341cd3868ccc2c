"""The Bot API stand-in (tests/botapi) run in a child process, so it does not share the bot's CPU and event loop.

The bot under test talks to it over HTTP as it would to Telegram. The benchmark drives it through a pipe with a
few operations (register users, show boards, queue presses, read counters); each runs on the child's event loop,
so queueing a batch of presses is atomic as far as the polling bot is concerned.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import threading
import time
from collections import Counter, deque
from multiprocessing.connection import Connection
from typing import Any

TOKEN = "123456:BENCH-token"
BOT_USERNAME = "moot_bench_bot"


# ---- the child ----------------------------------------------------------------------------------------------
def _op_users(api: Any, ids: list[int]) -> int:
    for user_id in ids:
        api.user(user_id)
    return len(ids)


def _op_boards(api: Any, boards: list[tuple[int, str, dict[str, Any]]]) -> dict[int, int]:
    """Shows each chat a message (HTML text + inline keyboard) as if the bot had sent it; chat -> message id."""
    from tests.botapi.html import parse_html
    from tests.botapi.limits import keyboard
    from tests.botapi.state import SentMessage

    out = {}
    for chat_id, html, markup in boards:
        api.user(chat_id)
        parsed = parse_html(html)
        sent = SentMessage(
            chat_id, api.next_message_id(chat_id), "text", text=parsed.text, html=html, parse_mode="HTML",
            buttons=keyboard(markup), entities=parsed.entities, reply_markup=markup,
        )  # fmt: skip
        api.record_sent(sent)
        out[chat_id] = sent.message_id
    return out


def _op_press_many(api: Any, presses: list[tuple[int, int, str]]) -> int:
    for user_id, message_id, data in presses:
        api.press(user_id, message_id, data)
    return len(presses)


def _op_counts(api: Any) -> dict[str, int]:
    out = dict(api.stats.as_dict())
    out["pending"] = api.pending_updates()
    return out


def _op_rate(api: Any, global_per_second: float | None) -> None:
    api.rate_limits.global_per_second = global_per_second


def _op_reset(api: Any) -> None:
    api.stats.reset()


def _op_sends(api: Any, kind: str = "text") -> dict[str, Any]:
    """How the bot's new messages spread over chats: total, distinct chats, most to one chat, first/last time."""
    per_chat = Counter(m.chat_id for m in api.all_sent() if m.kind == kind)
    return {
        "total": sum(per_chat.values()),
        "chats": len(per_chat),
        "most": max(per_chat.values(), default=0),
    }


def _op_send_text(api: Any, user_id: int, text: str) -> int:
    return int(api.send_text(user_id, text)["update_id"])


def _op_send_texts(api: Any, user_ids: list[int], text: str) -> int:
    """The same text from many users at once, as a press release's link brings them."""
    for user_id in user_ids:
        api.send_text(user_id, text)
    return len(user_ids)


class _Load:
    """Presses made on a steady schedule on the child's loop, whether or not earlier ones were answered (an open
    loop, so a backlog in the bot shows as latency), and when each was answered and its board edited.

    Press k is made available to getUpdates at start + k / rate (late ones catch up at once); its time is taken
    as it is queued. Its answer is the answerCallbackQuery naming its query id. An editMessageText of a board
    (chat, message) is its edit for the latest of that board's presses answered and not yet edited (a board's
    presses are handled one after another in the order they were made, each answered, then its board edited);
    earlier ones still unedited were refused (answered, say with an apology, and never edited) and are no longer
    waited for. If no waiting press of the board was answered yet (a bot that edits before it answers), the edit
    is the earliest waiting press's. Extras are other things users do at given seconds into the load, e.g. a
    facilitator's /close (a text from a user).
    """

    def __init__(
        self, api: Any, presses: list[tuple[int, int, str]], rate: float, extras: list[tuple[float, int, str]]
    ) -> None:
        self.api = api
        self.presses = presses
        self.rate = rate
        self.extras = sorted(extras)
        n = len(presses)
        self.put: list[float | None] = [None] * n  # time.monotonic() in this process
        self.answered: list[float | None] = [None] * n
        self.edited: list[float | None] = [None] * n
        self.answer_texts: list[str | None] = [None] * n  # what the answer said (a toast), if anything
        self.made = 0
        self.extra_times: list[tuple[float, float]] = []  # (monotonic, wall clock) each extra was queued
        self.watch = {user for _, user, _ in extras}
        self.sends: list[tuple[int, float, str]] = []  # sendMessage to a watched chat: (chat, monotonic, text)
        self.stray_edits = 0  # edits of a board with no press of it waiting for one
        self._queries: dict[str, int] = {}
        self._waiting: dict[tuple[int, int], deque[int]] = {}
        self.task: asyncio.Task[None] | None = None

    def observe(self, method: str, params: Any, result: Any) -> None:
        now = time.monotonic()
        if method == "answerCallbackQuery":
            k = self._queries.get(params.text("callback_query_id") or "")
            if k is not None and self.answered[k] is None:
                self.answered[k] = now
                self.answer_texts[k] = params.text("text")
        elif method == "editMessageText" and isinstance(result, dict):
            waiting = self._waiting.get((result["chat"]["id"], result["message_id"]))
            if not waiting:
                self.stray_edits += 1
                return
            answered = [k for k in waiting if self.answered[k] is not None]
            k = answered[-1] if answered else waiting[0]
            while waiting and waiting[0] != k:  # refused presses of this board: no edit will come for them
                waiting.popleft()
            waiting.popleft()
            self.edited[k] = now
        elif method == "sendMessage" and isinstance(result, dict) and result["chat"]["id"] in self.watch:
            self.sends.append((result["chat"]["id"], now, str(result.get("text", ""))[:200]))

    def _make(self, k: int) -> None:
        user_id, message_id, data = self.presses[k]
        update = self.api.press(user_id, message_id, data)
        self.put[k] = time.monotonic()
        self._queries[update["callback_query"]["id"]] = k
        self._waiting.setdefault((user_id, message_id), deque()).append(k)

    async def run(self) -> None:
        start = time.monotonic()
        extras = list(self.extras)
        n = len(self.presses)
        while self.made < n or extras:
            now = time.monotonic() - start
            while extras and extras[0][0] <= now:
                _, user_id, text = extras.pop(0)
                self.api.send_text(user_id, text)
                self.extra_times.append((time.monotonic(), time.time()))
            due = min(n, int(now * self.rate) + 1)
            while self.made < due:
                self._make(self.made)
                self.made += 1
            wake = self.made / self.rate if self.made < n else n / self.rate
            if extras:
                wake = min(wake, extras[0][0])
            await asyncio.sleep(max(0.0, start + wake - time.monotonic()))

    def progress(self) -> dict[str, int]:
        return {
            "made": self.made,
            "total": len(self.presses),
            "answered": sum(t is not None for t in self.answered),
            "edited": sum(t is not None for t in self.edited),
            "extras": len(self.extra_times),
            "sends": len(self.sends),
        }

    def times(self) -> dict[str, Any]:
        return {
            "put": self.put, "answered": self.answered, "edited": self.edited, "answer_texts": self.answer_texts,
            "extras": self.extra_times, "sends": self.sends, "stray_edits": self.stray_edits,
        }  # fmt: skip


def _op_load_start(
    api: Any, presses: list[tuple[int, int, str]], rate: float, extras: list[tuple[float, int, str]] | None = None
) -> int:
    """Starts making `presses` at `rate` a second (and `extras`: (seconds in, user, text)); returns at once."""
    old = getattr(api, "bench_load", None)
    if old is not None:
        api.observers.remove(old.observe)
        if old.task is not None:
            old.task.cancel()
    load = _Load(api, presses, rate, list(extras or []))
    api.bench_load = load
    api.observers.append(load.observe)
    load.task = asyncio.get_running_loop().create_task(load.run())
    return len(presses)


def _op_load_progress(api: Any) -> dict[str, int]:
    return dict(api.bench_load.progress())


def _op_load_times(api: Any) -> dict[str, Any]:
    """Per press, in the order made: when it was queued, answered and its board edited (None: not yet)."""
    return dict(api.bench_load.times())


async def _op_wait_counts(api: Any, wanted: dict[str, int], timeout: float) -> float:
    """Waits, here in the stand-in's process, until each named counter reaches its number; the monotonic time
    (one clock for every process) it was first seen to. Checked as each call is answered, and every 20 ms for a
    count a refused call made: the measured bot's process spends nothing on watching."""
    reached = asyncio.get_running_loop().create_future()

    def check(*_call: Any) -> None:
        got = api.stats.as_dict()
        if not reached.done() and all(got.get(k, 0) >= n for k, n in wanted.items()):
            reached.set_result(time.monotonic())

    api.observers.append(check)
    try:
        async with asyncio.timeout(timeout):
            while not reached.done():
                check()
                await asyncio.wait([reached], timeout=0.02)
        return float(reached.result())
    except TimeoutError:
        got = api.stats.as_dict()
        raise TimeoutError(f"stand-in counters {got} did not reach {wanted} within {timeout:.0f} s") from None
    finally:
        api.observers.remove(check)


OPS = {
    "send_texts": _op_send_texts,
    "users": _op_users,
    "boards": _op_boards,
    "press_many": _op_press_many,
    "counts": _op_counts,
    "rate": _op_rate,
    "reset": _op_reset,
    "sends": _op_sends,
    "send_text": _op_send_text,
    "load_start": _op_load_start,
    "load_progress": _op_load_progress,
    "load_times": _op_load_times,
    "wait_counts": _op_wait_counts,
}


async def _answer_later(conn: Connection, op: str, waiting: Any) -> None:
    try:
        conn.send(("ok", await waiting))
    except TimeoutError as error:
        conn.send(("timeout", str(error)))
    except Exception as error:
        conn.send(("error", f"{op}: {error!r}"))


def _child(conn: Connection) -> None:
    asyncio.run(_serve(conn))


async def _serve(conn: Connection) -> None:
    from tests.botapi import BotAPI

    api = BotAPI(token=TOKEN, bot_username=BOT_USERNAME)
    await api.start()
    conn.send(("ok", api.base_url))
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    waits: set[asyncio.Future[None]] = set()

    def readable() -> None:
        try:
            op, args = conn.recv()
        except (EOFError, OSError):
            done.set()
            return
        if op == "stop":
            done.set()
            return
        try:
            result = OPS[op](api, *args)
        except Exception as error:  # reported to the parent, which raises it
            conn.send(("error", f"{op}: {error!r}"))
            return
        if asyncio.iscoroutine(result):  # an operation that waits: answered when it is done
            waiting = asyncio.ensure_future(_answer_later(conn, op, result))
            waits.add(waiting)  # held until done: the loop keeps only a weak reference to a task
            waiting.add_done_callback(waits.discard)
            return
        conn.send(("ok", result))

    loop.add_reader(conn.fileno(), readable)
    await done.wait()
    loop.remove_reader(conn.fileno())
    await api.stop()


# ---- the parent ---------------------------------------------------------------------------------------------
class StandIn:
    """A BotAPI stand-in in a child process: `async with StandIn() as api:`; `api.base_url`, `api.token`."""

    token = TOKEN
    bot_username = BOT_USERNAME

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(target=_child, args=(child,), daemon=True, name="bench-botapi")
        self._lock = threading.Lock()
        self.base_url = ""

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def _call(self, op: str, args: tuple[Any, ...]) -> Any:
        with self._lock:
            self._conn.send((op, args))
            status, value = self._conn.recv()
        if status == "timeout":
            raise TimeoutError(value)
        if status != "ok":
            raise RuntimeError(f"stand-in failed: {value}")
        return value

    async def call(self, op: str, *args: Any) -> Any:
        return await asyncio.to_thread(self._call, op, args)

    async def start(self) -> None:
        self._process.start()
        status, value = await asyncio.to_thread(self._conn.recv)
        assert status == "ok"
        self.base_url = value

    async def stop(self) -> None:
        if not self._process.is_alive():
            return
        with contextlib.suppress(OSError):
            self._conn.send(("stop", ()))
        await asyncio.to_thread(self._process.join, 10)
        if self._process.is_alive():
            self._process.kill()
            await asyncio.to_thread(self._process.join, 5)

    async def __aenter__(self) -> StandIn:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def counts(self) -> dict[str, int]:
        return dict(await self.call("counts"))

    async def wait_counts(self, wanted: dict[str, int], timeout: float) -> float:
        """Waits until each named counter reaches its number; the monotonic time it was first seen to. The
        stand-in watches, so this process (the measured bot's) does no polling meanwhile."""
        return float(await self.call("wait_counts", wanted, timeout))
