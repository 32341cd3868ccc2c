"""Long polling shared by both runtimes: a batch is confirmed to Telegram only after every update in it is handled."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from bot.transport import TelegramFailure

if TYPE_CHECKING:
    from bot.bootstrap import Runtime

log = logging.getLogger(__name__)


class Poller:
    """getUpdates in a loop; the updates of one batch are handled concurrently, then the offset moves on.

    Frameworks' own polling loops confirm a batch as soon as it is fetched, so a crash loses updates still being
    handled. Here the next offset is asked for only once the batch is done: after a crash Telegram delivers the
    unfinished updates again, and the update-id ledger makes sure none is applied twice.
    """

    def __init__(self, runtime: Runtime, timeout: int):
        self.runtime = runtime
        self.timeout = timeout
        self._stop = asyncio.Event()
        self._fetch: asyncio.Task[list[dict[str, object]]] | None = None

    async def run(self) -> None:
        transport = self.runtime.transport
        await transport.delete_webhook()
        offset: int | None = None
        failures = 0
        # no clearing of _stop here: a stop() that came while the webhook was being deleted must still hold
        while not self._stop.is_set():
            self._fetch = asyncio.create_task(transport.get_updates(offset, self.timeout))
            try:
                updates = await self._fetch
                failures = 0
            except asyncio.CancelledError:
                if self._stop.is_set():
                    break
                raise
            except TelegramFailure as e:
                failures += 1
                delay = min(30.0, 0.5 * 2**failures)
                log.warning("could not fetch updates (%s); trying again in %.1f s", e, delay)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), delay)
                continue
            if not updates:
                continue
            results = await asyncio.gather(*(self.runtime.feed(u) for u in updates), return_exceptions=True)
            for update, result in zip(updates, results, strict=True):
                if isinstance(result, BaseException):  # the framework could not even parse it
                    log.error("update %s could not be handled: %r", update.get("update_id"), result)
            offset = max(int(str(u["update_id"])) for u in updates) + 1

    async def stop(self) -> None:
        self._stop.set()
        if self._fetch is not None and not self._fetch.done():
            self._fetch.cancel()
