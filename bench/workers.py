"""Webhook workers: the answer scenario on PostgreSQL, served by `moot run --webhook --workers N`, N = 1 and 2.

The workers are real processes; they register the webhook with the stand-in, which then POSTs each queued
update to them over up to 40 connections at once, as Telegram does. The clock runs from the moment all
measured presses are queued until every one is answered and its board edited; afterwards every resident's
board in the database is checked against the presses.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import psutil

from bench import seed
from bench.memory import env_for
from bench.report import Row, skipped
from bench.standin import StandIn
from bot.bootstrap import build

GOAL = 1.7
MIN_CORES = 4  # below this, the machine cannot give a second worker cores of its own to show scaling


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_ready(api: StandIn, port: int, process: subprocess.Popen[Any], timeout: float = 90) -> None:
    """Until the webhook is registered with the stand-in and /healthz answers."""
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"moot run --webhook exited with {process.returncode}")
            if time.monotonic() > deadline:
                raise TimeoutError("the webhook workers did not come up")
            if (await api.counts()).get("setWebhook", 0) >= 1:
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                        if r.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
            await asyncio.sleep(0.2)


def stop(process: subprocess.Popen[Any]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)  # the supervisor and its workers: the group this run started
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


async def rate(workers: int, residents: int, presses: int, folder: Path) -> dict[str, Any]:
    from bench.answers import _drive

    async with StandIn() as api, seed.scratch_database("postgres", folder) as url:
        cfg = seed.config(api.base_url, api.token, url)
        opened = await seed.prepare_database(cfg)
        app = await build(cfg, migrate=False, with_runtime=False)
        try:
            boards = await seed.seed_boards(cfg, app.deps, opened, api, residents)
            plan = seed.presses(boards, presses + 1)
            port = free_port()
            env = {
                **env_for(api, url),
                "MOOT_WEBHOOK__URL": f"http://127.0.0.1:{port}",
                "MOOT_WEBHOOK__LISTEN": "127.0.0.1",
                "MOOT_WEBHOOK__PORT": str(port),
                "MOOT_WEBHOOK__SECRET_TOKEN": "bench-webhook-secret",
            }
            cmd = [sys.executable, "-m", "bot.cli", "run", "--webhook", "--workers", str(workers)]
            process = subprocess.Popen(
                cmd, env=env, cwd=seed.ROOT, stderr=subprocess.DEVNULL, start_new_session=True
            )
            try:
                await wait_ready(api, port, process)
                workers_before = _cpu_of_workers(process)
                psutil.cpu_percent()  # from here: how busy all the machine's cores are (workers, stand-in, PG)
                n, seconds, _cpu, note = await _drive(api, plan, residents, moot=True)
                busy = psutil.cpu_percent()
                worker_cpu = _cpu_of_workers(process) - workers_before
                await asyncio.sleep(0.5)
            finally:
                stop(process)
            lost = seed.lost_presses(plan.expected, await seed.drafts(app.deps, opened))
        finally:
            await app.close()
    return {"rate": n / seconds, "presses": n, "seconds": seconds, "lost": lost, "note": note, "busy": busy,
            "cpu_ms": 1000 * worker_cpu / max(1, n)}


def _cpu_of_workers(process: subprocess.Popen[Any]) -> float:
    """CPU seconds used so far by the supervisor and every worker under it."""
    total = 0.0
    root = psutil.Process(process.pid)
    for p in [root, *root.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def run(quick: bool, log: Callable[[str], None]) -> list[Row]:
    what = "2 webhook workers ÷ 1 (PostgreSQL)"
    try:
        from bot.serve import run_workers  # noqa: F401
    except ImportError:
        return [skipped("3 workers", what, "`moot run --webhook --workers` not there yet", f"≥ {GOAL}")]
    why = asyncio.run(seed.postgres_reachable())
    if why is not None:
        return [skipped("3 workers", what, f"PostgreSQL unreachable ({why})", f"≥ {GOAL}")]
    residents, presses = (100, 3) if quick else (200, 6)
    return asyncio.run(_run(residents, presses, log))


async def _run(residents: int, presses: int, log: Callable[[str], None]) -> list[Row]:
    got = {}
    async with seed.scratch_folder() as folder:
        for workers in (1, 2):
            log(f"workers: {workers} webhook worker(s) on PostgreSQL")
            got[workers] = await rate(workers, residents, presses, folder)
    one, two = got[1], got[2]
    ratio = two["rate"] / one["rate"]
    lost = one["lost"] + two["lost"]
    notes = "; ".join(x for x in (one["note"], two["note"]) if x)
    cores = psutil.cpu_count() or 1
    figures = (
        f"2: {two['rate']:,.0f}/s, 1: {one['rate']:,.0f}/s ({one['presses']:,} presses each); CPU per press in the "
        f"workers {two['cpu_ms']:.1f} ms with 2, {one['cpu_ms']:.1f} ms with 1; all {cores} cores busy "
        f"{one['busy']:.0f}% with 1 worker, {two['busy']:.0f}% with 2; "
        + (f"{lost} presses LOST" if lost else "every press in the database") + (f"; {notes}" if notes else "")
    )
    if cores < MIN_CORES:  # the stand-in, PostgreSQL and the workers share the cores: a second worker has none
        return [Row("3 workers", "2 webhook workers ÷ 1 (PostgreSQL, stand-in webhook)", None,
                    f"not measurable here ({cores} cores, fewer than {MIN_CORES}): {figures}", f"≥ {GOAL}", None)]
    return [
        Row("3 workers", "2 webhook workers ÷ 1 (PostgreSQL, stand-in webhook)", ratio, figures,
            f"≥ {GOAL}", ratio >= GOAL and not lost),
    ]  # fmt: skip
