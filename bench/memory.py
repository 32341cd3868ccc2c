"""Memory: RSS of a real `moot run` process (long polling the stand-in), idle and with residents mid-journey.

Residents are put in front of the allocation board in bulk (database and stand-in); then each of them presses
+1 once, through Telegram, so the bot has touched every one of them (its per-chat state, the frameworks'
caches, the database pool) when RSS is read again. RSS is read with psutil from outside the process. Beside
it: an idle bare aiogram bot process (bench/barebot.py), for the ratio.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from bench import seed
from bench.report import Row
from bench.standin import StandIn
from bot.bootstrap import build

IDLE_GOAL = 1.2  # issue 18: an idle moot at most 1.2 times the idle bare aiogram bot


def env_for(api: StandIn, url: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(seed.ROOT),
        "MOOT_TELEGRAM__TOKEN": api.token,
        "MOOT_TELEGRAM__API_BASE": api.base_url,
        "MOOT_TELEGRAM__POLL_TIMEOUT": "1",
        "MOOT_DATABASE__URL": url,
        "MOOT_PRIVACY__BUTTON_KEY": "bench-button-key",
        "MOOT_PRIVACY__PSEUDONYM_KEY": "bench-pseudonym-key",
    }


async def rss_when_quiet(pid: int, seconds: float = 2.0) -> int:
    """The process's RSS after `seconds` of settling (the highest of a few readings over the last second)."""
    proc = psutil.Process(pid)
    await asyncio.sleep(max(0.0, seconds - 1.0))
    readings = []
    for _ in range(5):
        readings.append(proc.memory_info().rss)
        await asyncio.sleep(0.2)
    return max(readings)


async def wait_polling(api: StandIn, process: subprocess.Popen[Any], timeout: float = 60) -> None:
    """Until the bot has asked for updates twice (it is up and waiting), or fail if it died."""
    deadline = time.monotonic() + timeout
    while (await api.counts()).get("getUpdates", 0) < 2:
        if process.poll() is not None:
            raise RuntimeError(f"the bot exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise TimeoutError("the bot did not start polling")
        await asyncio.sleep(0.1)


def stop(process: subprocess.Popen[Any]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


async def bare_idle() -> int:
    async with StandIn() as api:
        env = {**os.environ, "PYTHONPATH": str(seed.ROOT)}
        cmd = [sys.executable, "-m", "bench.barebot", api.base_url, api.token]
        process = subprocess.Popen(cmd, env=env, cwd=seed.ROOT, stderr=subprocess.DEVNULL)
        try:
            await wait_polling(api, process)
            return await rss_when_quiet(process.pid)
        finally:
            stop(process)


async def moot_memory(residents: int, folder: Path, log: Callable[[str], None]) -> dict[str, Any]:
    async with StandIn() as api, seed.scratch_database("sqlite", folder) as url:
        cfg = seed.config(api.base_url, api.token, url)
        opened = await seed.prepare_database(cfg)
        app = await build(cfg, migrate=False, with_runtime=False)
        try:
            boards = await seed.seed_boards(cfg, app.deps, opened, api, residents)
        finally:
            await app.close()
        plan = seed.presses(boards, 1)
        cmd = [sys.executable, "-m", "bot.cli", "run"]
        process = subprocess.Popen(cmd, env=env_for(api, url), cwd=seed.ROOT, stderr=subprocess.DEVNULL)
        try:
            await wait_polling(api, process)
            idle = await rss_when_quiet(process.pid, 3.0)
            log(f"memory: idle RSS {idle / 1e6:.0f} MB; {residents:,} residents press +1")
            base = await api.counts()
            t0 = time.monotonic()
            await api.call("press_many", plan.updates)
            await api.wait_counts(
                {"answerCallbackQuery": base.get("answerCallbackQuery", 0) + residents}, timeout=60 + residents / 5
            )
            seconds = time.monotonic() - t0
            busy = await rss_when_quiet(process.pid, 2.0)
        finally:
            stop(process)
    return {"idle": idle, "busy": busy, "seconds": seconds}


def run(quick: bool, log: Callable[[str], None]) -> list[Row]:
    residents = 1_000 if quick else 10_000
    return asyncio.run(_run(residents, log))


async def _run(residents: int, log: Callable[[str], None]) -> list[Row]:
    log("memory: bare aiogram process")
    bare = await bare_idle()
    async with seed.scratch_folder() as folder:
        m = await moot_memory(residents, folder, log)
    mb = 1e6
    per = (m["busy"] - m["idle"]) / residents
    idle = m["idle"] / bare
    return [
        Row("7 memory", "idle `moot run` RSS ÷ idle bare aiogram bot", idle,
            f"moot {m['idle'] / mb:.0f} MB, bare {bare / mb:.0f} MB (RSS of the processes, psutil)",
            f"≤ {IDLE_GOAL}", idle <= IDLE_GOAL),
        Row("7 memory", f"RSS with {residents:,} residents mid-journey ÷ idle", m["busy"] / m["idle"],
            f"{m['busy'] / mb:.0f} MB after each pressed +1 once ({per / 1000:.1f} kB per resident; "
            f"{residents:,} presses took {m['seconds']:.0f} s)"),
    ]  # fmt: skip
