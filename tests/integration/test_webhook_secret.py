"""The webhook answers a wrong secret header with 401, whatever characters it holds, and never with a 500."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from bot.webhook import SECRET_HEADER, make_web_app
from tests.harness import Harness


async def test_a_wrong_or_non_ascii_secret_is_unauthorised(api: object, database_url: str) -> None:
    h = Harness(api, "aiogram", database_url, webhook={"secret_token": "s3cret"})  # type: ignore[arg-type]
    await h.start()
    try:
        assert h.app is not None
        async with TestClient(TestServer(make_web_app(h.app))) as client:
            for header in ("wrong", "s3crét", "пароль", ""):
                response = await client.post("/telegram", json={"update_id": 1}, headers={SECRET_HEADER: header})
                assert response.status == 401, header
            response = await client.post("/telegram", data=b"{", headers={SECRET_HEADER: "s3cret"})
            assert response.status == 400
    finally:
        await h.stop()
