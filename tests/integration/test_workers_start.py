"""Several workers start safely (issue 19 #8): /healthz says 503, never 500, when the database fails between its
looks; `moot run --workers` refuses pools that together could exceed PostgreSQL's max_connections."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from bot.bootstrap import build
from bot.serve import check_connections
from bot.webhook import make_web_app
from tests.harness import Harness


async def test_healthz_says_503_when_the_database_fails_between_its_looks(moot: Harness) -> None:
    assert moot.app is not None
    async with TestClient(TestServer(make_web_app(moot.app))) as client:
        response = await client.get("/healthz")
        assert response.status == 200, await response.text()
        async with moot.app.engine.begin() as conn:  # reachable, but the outbox can no longer be read
            await conn.execute(text("ALTER TABLE outbox RENAME TO outbox_gone"))
        try:
            response = await client.get("/healthz")
            assert response.status == 503, await response.text()
            assert (await response.json())["database"].startswith("unreachable")
        finally:
            async with moot.app.engine.begin() as conn:
                await conn.execute(text("ALTER TABLE outbox_gone RENAME TO outbox"))


async def test_workers_whose_pools_could_exceed_max_connections_are_refused(moot: Harness) -> None:
    if not moot.database_url.startswith("postgresql"):
        pytest.skip("max_connections is PostgreSQL's")
    assert moot.app is not None
    async with moot.app.engine.connect() as conn:
        allowed = int((await conn.execute(text("SHOW max_connections"))).scalar_one())
    await check_connections(moot.app, 4)  # the default 40 split four ways fits
    config = moot.config().model_copy(deep=True)
    config.database.connections = allowed  # every worker's share together would take all of them
    app = await build(config, migrate=False, with_runtime=False)
    try:
        with pytest.raises(SystemExit, match=r"lower database\.connections"):
            await check_connections(app, 4)
    finally:
        await app.close()
