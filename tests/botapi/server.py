"""BotAPI: a local stand-in for the Telegram Bot API over HTTP, for tests and benchmarks of real bots."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from types import TracebackType
from typing import Any

from aiohttp import web

from .limits import Limiter
from .methods_admin import METHODS as ADMIN_METHODS
from .methods_admin import scope_key
from .methods_messages import METHODS as MESSAGE_METHODS
from .params import Params, read_params
from .state import ApiError, RateLimits, SentMessage, Stats
from .updates import PollSlot
from .webhook import Webhook
from .world import World

MAX_REQUEST_BYTES = 64 * 1024 * 1024
SENDS = {"sendMessage", "sendPhoto", "sendDocument"}
Observer = Callable[[str, Params, Any], None]


class BotAPI(World):
    """Serve ``{base_url}/bot{token}/{method}`` and ``{base_url}/file/bot{token}/{path}`` on 127.0.0.1.

    Users act through the sync methods inherited from :class:`World` (each queues an Update); what the bot
    sent is recorded per chat (:meth:`chat`, :meth:`all_sent`); faults come on demand (:meth:`block`,
    :meth:`flood`, :attr:`rate_limits`, :meth:`kick_bot`).
    """

    def __init__(self, token: str = "123456:TEST-token", bot_username: str = "moot_test_bot") -> None:
        super().__init__(token, bot_username)
        self.base_url = ""
        self.rate_limits = RateLimits()
        self.stats = Stats()
        self.limiter = Limiter()
        self.webhook = Webhook(self.queue)
        self.poll_slot = PollSlot()
        self.closing = False
        self.max_document_bytes = 50 * 1024 * 1024
        self.max_download_bytes = 20 * 1024 * 1024
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.errors: deque[str] = deque(maxlen=50)  # recent error answers, shown when a wait fails
        self._garbled: dict[str, deque[Any]] = {}  # method -> results to answer instead of the real one
        # Called with (method, parameters, result) as each call that succeeded is answered: benchmarks time
        # button presses with it (when a query was answered, when its board was edited).
        self.observers: list[Observer] = []
        # Telegram under load: a message is delivered at once and its answer comes this much later, so a bot
        # killed meanwhile never learns it was sent. `unanswered` counts such sends at this moment.
        self.answer_delay = 0.0
        self.unanswered = 0
        self._runner: web.AppRunner | None = None
        handlers = {**MESSAGE_METHODS, **ADMIN_METHODS}
        self._methods = {name.lower(): (name, handler) for name, handler in handlers.items()}

    # ---- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        app.router.add_route("*", "/bot{token}/{method}", self._serve_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._serve_file)
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
        self.closing = False

    async def stop(self) -> None:
        self.closing = True
        self.queue.wake()
        await self.webhook.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotAPI:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.stop()

    # ---- HTTP -----------------------------------------------------------------------------------
    def _fail(self, method: str, error: ApiError) -> web.Response:
        self.stats.errors[error.code] += 1
        self.errors.append(f"{method}: {error.description}")
        return web.json_response(error.payload(), status=error.code)

    async def _serve_method(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return self._fail(name, ApiError(401, "Unauthorized"))
        known = self._methods.get(name.lower())
        if known is None:
            return self._fail(name, ApiError(404, "Not Found: method not found"))
        method, handler = known
        self.stats.calls[method] += 1
        garbled = self._garbled.get(method)
        if garbled:
            return web.json_response({"ok": True, "result": garbled.popleft()})
        try:
            params = await read_params(request)
            result = await handler(self, params)
        except ApiError as error:
            return self._fail(method, error)
        for observe in self.observers:
            observe(method, params, result)
        if self.answer_delay and method in SENDS:
            self.unanswered += 1
            try:
                await asyncio.sleep(self.answer_delay)
            finally:  # also when the bot hangs up (killed): the message stays delivered
                self.unanswered -= 1
        return web.json_response({"ok": True, "result": result})

    async def _serve_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return self._fail("file", ApiError(401, "Unauthorized"))
        stored = self.file_by_path(request.match_info["path"])
        if stored is None:
            return self._fail("file", ApiError(404, "Not Found"))
        return web.Response(body=stored.content, content_type=stored.mime_type or "application/octet-stream")

    # ---- faults ---------------------------------------------------------------------------------
    def flood(self, times: int, retry_after: int = 1, chat_id: int | None = None) -> None:
        """The next ``times`` sends or edits (to chat_id, or to any chat) answer 429 with retry_after."""
        self.limiter.flood(times, retry_after, chat_id)

    def garble(self, method: str, result: Any, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` succeed ("ok": true) with ``result``, whatever it is: a reply
        the framework cannot parse, as from a Bot API change or a broken proxy. The call changes nothing."""
        self._garbled.setdefault(method, deque()).extend([result] * times)

    # ---- waiting --------------------------------------------------------------------------------
    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Poll until ``predicate()`` is true; AssertionError with recent chat contents on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            if loop.time() >= deadline:
                raise AssertionError(f"condition not met within {timeout} s\n{self.dump()}")
            await asyncio.sleep(0.01)

    async def wait_for_message(
        self,
        chat_id: int,
        contains: str | None = None,
        timeout: float = 10.0,
        predicate: Callable[[SentMessage], bool] | None = None,
        new_only: bool = False,
    ) -> SentMessage:
        """The latest shown message of the chat whose text/caption contains ``contains`` (and satisfies
        ``predicate``), waiting until one is sent or edited to match. With ``new_only``, messages as they
        were when the wait began do not count (only ones sent or changed since)."""
        chat = self.chat(chat_id)
        before = {id(m): m.version for m in chat.messages} if new_only else {}
        found: list[SentMessage] = []

        def matches() -> bool:
            for message in reversed(chat.visible()):
                if before.get(id(message)) == message.version:
                    continue
                if contains is not None and contains not in (message.text or ""):
                    continue
                if predicate is None or predicate(message):
                    found.append(message)
                    return True
            return False

        try:
            await self.wait_for(matches, timeout)
        except AssertionError as error:
            raise AssertionError(f"no message containing {contains!r} in chat {chat_id}: {error}") from None
        return found[0]

    def dump(self, chats: int = 5, messages: int = 8) -> str:
        """Recent contents of the most recently active chats, pending updates and recent errors."""
        lines: list[str] = []
        active: list[int] = []
        for sent in reversed(self.all_sent()):
            if sent.chat_id not in active:
                active.append(sent.chat_id)
        for chat_id in active[:chats]:
            lines.append(f"chat {chat_id}:")
            for sent in self.chat(chat_id).messages[-messages:]:
                flags = " (deleted)" if sent.deleted else ""
                buttons = f" buttons={sent.button_labels()}" if sent.buttons else ""
                lines.append(f"  #{sent.message_id} [{sent.kind}] {sent.text!r}{buttons}{flags}")
        if not active:
            lines.append("the bot has sent nothing")
        lines.append(f"pending updates: {self.pending_updates()}; calls: {dict(self.stats.calls)}")
        lines.extend(f"error answered: {error}" for error in list(self.errors)[-10:])
        return "\n".join(lines)

    def my_commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        """Commands set by setMyCommands for that scope and language."""
        return self.commands.get(scope_key(scope, language_code), [])

    def menu_seen(self, user_id: int, language_code: str = "en") -> list[str]:
        """The commands a user's private chat with the bot shows, found as Telegram looks: the chat's own scope,
        then all private chats, then the default, each first in the user's language, then for every language."""
        for scope in ({"type": "chat", "chat_id": user_id}, {"type": "all_private_chats"}, None):
            for language in (language_code, ""):
                key = scope_key(scope, language)
                if key in self.commands:
                    return [c["command"] for c in self.commands[key]]
        return []
