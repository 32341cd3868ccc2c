"""PostgreSQL stops for a few seconds under load: residents are asked to try again, and the bot recovers alone."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess

import pytest

from bot.health import health
from tests.e2e.people import Person
from tests.harness import Harness

CAN_STOP = (
    bool(os.environ.get("MOOT_TEST_POSTGRES"))
    and shutil.which("pg_ctlcluster") is not None
    and hasattr(os, "geteuid")
    and os.geteuid() == 0
)
pytestmark = pytest.mark.skipif(not CAN_STOP, reason="needs a local PostgreSQL it may stop (root, pg_ctlcluster)")


def cluster(action: str) -> None:
    version = next(iter(sorted(os.listdir("/etc/postgresql"))), "15")
    subprocess.run(["pg_ctlcluster", version, "main", action, *(["-m", "fast"] if action == "stop" else [])],
                   check=True, capture_output=True, timeout=60)


async def test_a_database_outage_is_reported_and_survived(moot: Harness) -> None:
    await moot.load()
    await moot.open()
    api = moot.api
    residents = [Person(api, 6000 + i, f"O{i}", timeout=30) for i in range(4)]
    for p in residents:
        await p.says("/start council-pound", expect="How your answers are used and kept")
        await p.taps("I agree, start", expect="Next, you share")
        await p.taps("Next: share", expect="Left to allocate: 100p")
    assert moot.app is not None
    try:
        cluster("stop")
        ok, report = await health(moot.app)
        assert not ok and report["database"].startswith("unreachable")
        for p in residents:  # presses while the database is down
            toast = await p.taps("+1", toast="")
            assert "try again in a moment" in toast
        await p.says("Libraries 5", expect="try again in a moment")
    finally:
        cluster("start")
    for _ in range(100):  # the pool reconnects by itself; no restart
        ok, report = await health(moot.app)
        if ok:
            break
        await asyncio.sleep(0.2)
    assert ok, report
    for p in residents:
        await p.taps("+1", expect="Left to allocate: 99p")
