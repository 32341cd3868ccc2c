"""Two webhook workers on PostgreSQL: every update handled once, every job run once, every message sent once."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.botapi import BotAPI
from tests.crash.process import ROOT
from tests.e2e.people import Person
from tests.harness import FACILITATOR

ADMIN_URL = os.environ.get("MOOT_TEST_POSTGRES", "")
pytestmark = pytest.mark.skipif(not ADMIN_URL, reason="needs PostgreSQL (MOOT_TEST_POSTGRES)")
EXAMPLE = ROOT / "examples" / "council-pound.yaml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_healthy(port: int, timeout: float = 90) -> None:
    """Until a worker answers /healthz (starting a process takes a while on a busy machine)."""
    import aiohttp

    deadline = asyncio.get_running_loop().time() + timeout
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            assert asyncio.get_running_loop().time() < deadline, "no worker became healthy"
            await asyncio.sleep(0.2)


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    import asyncpg

    name = f"moot_workers_{uuid.uuid4().hex[:10]}"
    plain = ADMIN_URL.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(plain)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    yield ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    conn = await asyncpg.connect(plain)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


async def test_two_webhook_workers_handle_a_round_with_nothing_doubled(pg_url: str, tmp_path: Path) -> None:
    api = BotAPI()
    await api.start()
    port = free_port()
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\ntoken = "{api.token}"\napi_base = "{api.base_url}"\nbot_username = "{api.bot_username}"\n'
        f'[database]\nurl = "{pg_url}"\n[roles]\nfacilitators = [{FACILITATOR}]\n'
        f'[privacy]\npseudonym_key = "k"\n[results]\nmin_respondents = 2\n'
        f'[webhook]\nurl = "http://127.0.0.1:{port}"\nlisten = "127.0.0.1"\nport = {port}\n'
        'path = "/telegram"\nsecret_token = "s3cret"\n'
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def cli(*args: str) -> None:
        out = subprocess.run([sys.executable, "-m", "bot.cli", *args, "--config", str(config)], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stdout + out.stderr

    cli("db", "upgrade")
    cli("consultation", "load", str(EXAMPLE))
    cli("round", "open", "council-pound")
    log = (tmp_path / "workers.log").open("wb")
    parent = subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--webhook", "--workers", "2", "--config",
                               str(config)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        await api.wait_for(lambda: bool(api.webhook.url), timeout=60)
        await wait_healthy(port)
        residents = [Person(api, 5000 + i, f"W{i}", timeout=60) for i in range(12)]

        async def journey(p: Person) -> None:
            await p.says("/start council-pound", expect="How your answers are used and kept")
            await p.taps("I agree, start", expect="Next, you share")
            board = await p.taps("Next: share", expect="Left to allocate: 100p")
            update = api.press(p.id, board.message_id, board.buttons[0][-1].callback_data)  # +5
            api.send_update(update)  # delivered twice, as Telegram may
            await p.taps("+1", expect="Left to allocate: 94p")
            await p.taps("Start from today", expect="All 100p shared")
            await p.taps("Submit", expect="Why did you share")

        await asyncio.wait_for(asyncio.gather(*(journey(p) for p in residents)), timeout=120)

        # a close scheduled a few seconds ahead: both workers arm it, one runs it
        fac = Person(api, FACILITATOR, "Faye")
        await fac.says("/schedule council-pound 1 close in 3 seconds", expect="is scheduled")
        await asyncio.wait_for(
            asyncio.gather(*(api.wait_for_message(p.id, contains="has closed", timeout=60) for p in residents)), 90
        )
        await asyncio.sleep(2)  # a second copy of anything would arrive now
    finally:
        parent.send_signal(signal.SIGTERM)
        await asyncio.to_thread(parent.wait, 60)
        await api.stop()

    for p in residents:
        closing = [m for m in p.chat.messages if "has closed" in (m.text or "")]
        assert len(closing) == 1, (p.id, len(closing))
        boards = [m for m in p.chat.messages if "Left to allocate" in "".join(m.history)]
        assert boards and any("Left to allocate: 94p" in t for t in boards[-1].history), p.id
    import asyncpg

    conn = await asyncpg.connect(pg_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        closes = await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'close'")
        done = await conn.fetchval("SELECT count(*) FROM scheduled_jobs WHERE kind = 'close' AND status = 'done'")
        workers = await conn.fetchval("SELECT count(DISTINCT split_part(lease_owner, ':', 2)) FROM scheduled_jobs")
        answers = await conn.fetch("SELECT participation_id, count(*) FROM answers WHERE question_key = 'pound' "
                                   "GROUP BY participation_id")
    finally:
        await conn.close()
    assert closes == 1 and done == 1 and workers == 1
    assert len(answers) == len(residents) and all(n == 1 for _, n in answers)


async def test_two_workers_keep_to_telegrams_limits_together(pg_url: str, tmp_path: Path) -> None:
    """Issue 19 #8: the 30 a second and a group's 20 a minute are the bot's, so two workers count them together
    (in the database): against a stand-in enforcing them, a broadcast split between the workers draws no 429."""
    from dialogues.screens import Screen
    from storage.repositories.outbox import screen_to_payload
    from tests.botapi import RateLimits

    api = BotAPI()
    api.rate_limits = RateLimits(global_per_second=30, per_chat_per_second=1, per_group_per_minute=20)
    await api.start()
    port = free_port()
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\ntoken = "{api.token}"\napi_base = "{api.base_url}"\nbot_username = "{api.bot_username}"\n'
        f'[database]\nurl = "{pg_url}"\n[privacy]\npseudonym_key = "k"\n'
        f'[webhook]\nurl = "http://127.0.0.1:{port}"\nlisten = "127.0.0.1"\nport = {port}\n'
        'path = "/telegram"\nsecret_token = "s3cret"\n'
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "bot.cli", "db", "upgrade", "--config", str(config)], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    group, residents = -1009900, [6000 + i for i in range(240)]
    api.add_group(group, "Benwell residents", admins=[FACILITATOR])
    api.add_bot_to_group(group, by_user=FACILITATOR)
    for tid in residents:
        api.user(tid)
    import json

    import asyncpg

    rows: list[tuple[str, int, str]] = []
    for i, tid in enumerate(residents):
        rows.append((f"notice:{tid}", tid, json.dumps(screen_to_payload(Screen(f"Notice for resident {i}")))))
        if i % 10 == 0:  # the group's posts among them, so that both workers claim some
            n = i // 10
            rows.append((f"notice:group:{n}", group, json.dumps(screen_to_payload(Screen(f"Group post {n}")))))
    log = (tmp_path / "workers.log").open("wb")
    parent = subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--webhook", "--workers", "2", "--config",
                               str(config)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        await api.wait_for(lambda: bool(api.webhook.url), timeout=60)
        await wait_healthy(port)
        conn = await asyncpg.connect(pg_url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            await conn.executemany(
                "INSERT INTO outbox (dedupe_key, chat_id, kind, payload, status, attempts, not_before, created_at) "
                "VALUES ($1, $2, 'announce', $3::json, 'pending', 0, timezone('UTC', now()), timezone('UTC', now()))",
                rows)
        finally:
            await conn.close()
        posts = sum(1 for _, chat, _ in rows if chat == group)
        assert posts > 20, "the group must need more than a minute"
        await api.wait_for(lambda: sum("Group post" in (m.text or "") for m in api.chat(group).messages) >= posts
                           and all(api.chat(t).messages for t in residents), timeout=180)
        await asyncio.sleep(2)  # a second copy of anything would arrive now
    finally:
        parent.send_signal(signal.SIGTERM)
        await asyncio.to_thread(parent.wait, 60)
        await api.stop()
    assert api.stats.too_many_requests == 0, list(api.errors)[-5:]
    assert all(len(api.chat(t).messages) == 1 for t in residents)
    shown = [m.text or "" for m in api.chat(group).messages if (m.text or "").startswith("Group post")]
    assert sorted(shown) == sorted(f"Group post {n}" for n in range(posts))  # the greeting aside: each post once
    conn = await asyncpg.connect(pg_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        senders = await conn.fetchval("SELECT count(*) FROM outbox WHERE status = 'sent'")
    finally:
        await conn.close()
    assert senders == len(rows)
