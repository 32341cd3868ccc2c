"""Webhook mode: queued updates are POSTed to the bot's URL over up to max_connections at once, retried until 2xx."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import aiohttp

from .updates import UpdateQueue

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
FIRST_BACKOFF = 0.05
MAX_BACKOFF = 1.0


class Webhook:
    """The webhook setting (url empty = none) and the task delivering to it."""

    def __init__(self, queue: UpdateQueue) -> None:
        self.queue = queue
        self.url = ""
        self.secret_token: str | None = None
        self.max_connections = 40
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self.delivered = 0
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def set(self, url: str, secret_token: str | None, max_connections: int | None) -> None:
        self.url = url
        self.secret_token = secret_token
        self.max_connections = max_connections or 40
        self.last_error_date = self.last_error_message = None
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._deliver_forever())
        self.queue.wake()

    async def delete(self) -> None:
        self.url = ""
        self.secret_token = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def close(self) -> None:
        await self.delete()
        if self._session is not None:
            await self._session.close()
            self._session = None

    def info(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.queue),
        }
        if self.url:
            data["max_connections"] = self.max_connections
            if self.queue.allowed_updates is not None:
                data["allowed_updates"] = self.queue.allowed_updates
        if self.last_error_date is not None:
            data.update(last_error_date=self.last_error_date, last_error_message=self.last_error_message)
        return data

    async def _post(self, update: dict[str, Any]) -> str | None:
        """Deliver one update; None if accepted, else the error Telegram would report."""
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=30),
                connector=aiohttp.TCPConnector(limit=self.max_connections),
            )
        headers = {SECRET_HEADER: self.secret_token} if self.secret_token else {}
        try:
            async with self._session.post(self.url, json=update, headers=headers) as response:
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            return f"Connection failed: {error.__class__.__name__}"

    async def _deliver_forever(self) -> None:
        """Like Telegram, several updates are in flight at once (up to max_connections), each retried alone."""
        in_flight: set[int] = set()
        workers = [asyncio.create_task(self._deliverer(in_flight)) for _ in range(self.max_connections)]
        try:
            await asyncio.gather(*workers)
        finally:
            for w in workers:
                w.cancel()

    async def _deliverer(self, in_flight: set[int]) -> None:
        backoff = FIRST_BACKOFF
        while self.url:
            update = next((u for u in self.queue.deliverable() if id(u) not in in_flight), None)
            if update is None:
                await self.queue.wait(0.05)
                continue
            in_flight.add(id(update))
            try:
                error = await self._post(update)
            finally:
                in_flight.discard(id(update))
            if error is None:
                self.queue.remove(update)
                self.delivered += 1
                backoff = FIRST_BACKOFF
                continue
            self.last_error_date, self.last_error_message = int(time.time()), error
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)
