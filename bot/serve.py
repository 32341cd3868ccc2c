"""Runs the bot until interrupted: long polling or a webhook server, plus the background parts, in one loop."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from bot.bootstrap import App, build
from bot.config import Config
from bot.polling import Poller

log = logging.getLogger(__name__)


async def serve(config: Config, webhook: bool = False, register: bool = True, migrate: bool = True) -> None:
    # Refused before anything starts: a webhook anyone could post updates to must never come up.
    if webhook and not config.webhook.secret_token.get_secret_value():
        raise SystemExit("webhook mode needs a secret token: set MOOT_WEBHOOK__SECRET_TOKEN")
    if not config.privacy.pseudonym_key.get_secret_value():
        log.warning("privacy.pseudonym_key is not set: residents can take part, but officers cannot export until "
                    "it is (MOOT_PRIVACY__PSEUDONYM_KEY, or `moot init` for a config with a random one)")
    app = await build(config, migrate=migrate)
    assert app.runtime is not None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    for part in app.background:
        await part.start()
    where = "webhook" if webhook else "long polling"
    log.info("moot is running as @%s on %s by %s (database: %s)", app.deps.bot_username, app.runtime.name, where,
             config.database.url.split("://")[0])
    try:
        if webhook:
            await _webhook(app, stop, register)
        else:
            await _polling(app, stop)
    finally:
        await app.close()


async def _polling(app: App, stop: asyncio.Event) -> None:
    assert app.runtime is not None
    poller = Poller(app.runtime, app.config.telegram.poll_timeout)
    polling = asyncio.create_task(poller.run())
    waiter = asyncio.create_task(stop.wait())
    await asyncio.wait([polling, waiter], return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()
    await poller.stop()
    await asyncio.gather(polling, return_exceptions=True)


async def _webhook(app: App, stop: asyncio.Event, register: bool) -> None:
    from aiohttp import web  # aiohttp's server side only for a webhook: long polling is a client

    from bot.webhook import make_web_app

    hook = app.config.webhook
    if not hook.secret_token.get_secret_value():
        raise SystemExit("webhook mode needs a secret token: set MOOT_WEBHOOK__SECRET_TOKEN")
    runner = web.AppRunner(make_web_app(app), access_log=None)
    await runner.setup()
    # reuse_port lets several worker processes listen on one port; the kernel shares connections between them.
    site = web.TCPSite(runner, hook.listen, hook.port, reuse_port=True)
    await site.start()
    if register:
        await register_webhook(app)
    log.info("listening for Telegram on http://%s:%s%s", hook.listen, hook.port, hook.path)
    await stop.wait()
    await runner.cleanup()


async def register_webhook(app: App) -> None:
    assert app.runtime is not None
    hook = app.config.webhook
    if not hook.url:
        log.warning("webhook.url is empty: not registering with Telegram (set it, or register it yourself)")
        return
    await app.runtime.register_webhook(hook.url.rstrip("/") + hook.path if not hook.url.endswith(hook.path)
                                       else hook.url, hook.secret_token.get_secret_value())
    log.info("webhook registered with Telegram")


async def check_connections(app: App, workers: int) -> None:
    """Refuses to start workers that together could open more PostgreSQL connections than the server allows."""
    if app.engine.url.get_backend_name() != "postgresql":
        return
    async with app.engine.connect() as conn:
        allowed = int((await conn.exec_driver_sql("SHOW max_connections")).scalar_one())
    wanted = max(4, app.config.database.connections // workers) * workers
    if wanted > allowed - 10:  # some for the superuser, backups and psql
        raise SystemExit(
            f"{workers} workers may open {wanted} PostgreSQL connections, but the server allows {allowed}: lower "
            f"database.connections (now {app.config.database.connections}) or raise max_connections"
        )


def run_workers(config_path: str | None, workers: int, config: Config) -> int:
    """Migrates once, registers the webhook once, then supervises N webhook worker processes."""
    import os
    import subprocess
    import sys
    import time

    from storage.migrate import upgrade

    upgrade(config.database.url)

    async def once() -> None:
        app = await build(config, migrate=False)
        try:
            await check_connections(app, workers)
            await register_webhook(app)
        finally:
            await app.close()

    asyncio.run(once())
    cmd = [sys.executable, "-m", "bot.cli", "run", "--webhook", "--worker"]
    # Telegram's limits are per bot, so the workers count them together, in the database (bot/shared_limits.py):
    # each may use the whole budget while the others are idle, and a group's 20 a minute are shared too.
    env = {
        **os.environ,
        "MOOT_OUTBOX__SHARED_BUDGET": "true",
        # PostgreSQL's connections are shared too: the workers split them rather than each taking them all.
        "MOOT_DATABASE__CONNECTIONS": str(max(4, config.database.connections // workers)),
    }
    if config_path:
        cmd += ["--config", config_path]
    procs: dict[int, Any] = {i: subprocess.Popen(cmd, env=env) for i in range(workers)}
    stopping = False

    def halt(*_: object) -> None:
        nonlocal stopping
        stopping = True
        for p in procs.values():
            p.terminate()

    signal.signal(signal.SIGTERM, halt)
    signal.signal(signal.SIGINT, halt)
    while not stopping:
        for i, p in list(procs.items()):
            if p.poll() is not None and not stopping:
                log.warning("worker %s exited with %s; starting it again", i, p.returncode)
                procs[i] = subprocess.Popen(cmd, env=env)
        time.sleep(1)
    for p in procs.values():
        p.wait(timeout=30)
    return 0
