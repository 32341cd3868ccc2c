"""Serves Telegram's webhook (aiohttp): checks the secret header, hands updates to the runtime, and /healthz."""

from __future__ import annotations

import hmac
import json
import logging
from typing import TYPE_CHECKING

from aiohttp import web

from bot.health import health

if TYPE_CHECKING:
    from bot.bootstrap import App

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def make_web_app(app: App) -> web.Application:
    secret = app.config.webhook.secret_token.get_secret_value()
    web_app = web.Application(client_max_size=1024 * 1024)

    async def updates(request: web.Request) -> web.Response:
        # Compared as bytes: compare_digest refuses a str with non-ASCII characters (a 500), and any header
        # that is not exactly the secret is simply not it.
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not secret or not hmac.compare_digest(given, secret.encode()):
            log.warning("webhook call without the right secret token from %s", request.remote)
            raise web.HTTPUnauthorized(text="unauthorized")
        try:
            data = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise web.HTTPBadRequest(text="not JSON") from None
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            raise web.HTTPBadRequest(text="not an update")
        assert app.runtime is not None
        # Answering only after handling means an update is acknowledged to Telegram once it is committed;
        # if we die first, Telegram delivers it again and the update-id ledger keeps it from counting twice.
        await app.runtime.feed(data)
        return web.Response(text="ok")

    async def healthz(request: web.Request) -> web.Response:
        ok, report = await health(app)
        return web.json_response(report, status=200 if ok else 503)

    web_app.router.add_post(app.config.webhook.path, updates)
    web_app.router.add_get("/healthz", healthz)
    return web_app
