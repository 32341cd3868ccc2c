"""Shared fixtures: the Bot API stand-in and a running moot bot talking to it (per runtime)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.harness import Harness

EXAMPLE = Path(__file__).parent.parent / "examples" / "council-pound.yaml"
RUNTIMES = [r for r in os.environ.get("MOOT_TEST_RUNTIMES", "aiogram,ptb").split(",") if r]


@pytest.fixture
async def api() -> AsyncIterator[object]:
    from tests.botapi import BotAPI

    server = BotAPI()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture(params=RUNTIMES)
def runtime_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    """SQLite in a temporary folder, or a fresh PostgreSQL database per test when MOOT_TEST_POSTGRES is set."""
    admin_url = os.environ.get("MOOT_TEST_POSTGRES")
    if not admin_url:
        yield f"sqlite+aiosqlite:///{tmp_path}/moot.db"
        return
    import asyncpg

    name = f"moot_test_{uuid.uuid4().hex[:12]}"
    plain = admin_url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(plain)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    yield admin_url.rsplit("/", 1)[0] + "/" + name
    conn = await asyncpg.connect(plain)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture
async def moot(api: object, runtime_name: str, database_url: str) -> AsyncIterator[Harness]:
    h = Harness(api, runtime_name, database_url)  # type: ignore[arg-type]
    await h.start()
    yield h
    await h.stop()
    await asyncio.sleep(0)
