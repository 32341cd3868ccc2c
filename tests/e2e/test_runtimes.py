"""Both runtimes speak the same language to the core: one error vocabulary, one webhook path, one set of calls."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from bot import cli
from bot.bootstrap import build, make_runtime
from bot.transport import BadToken, Blocked, KeyButton, Rejected, RetryLater, Unreachable
from tests.harness import FACILITATOR, Harness

ROOT = Path(__file__).resolve().parents[2]

RESIDENT = 2001


def transport(moot: Harness) -> Any:
    assert moot.app is not None and moot.app.runtime is not None
    assert moot.app.runtime.name == moot.runtime
    return moot.app.runtime.transport


def a_message(moot: Harness, user_id: int, text: str, update_id: int) -> dict[str, Any]:
    """An update as Telegram would POST it to a webhook (not queued for getUpdates)."""
    api = moot.api
    user = api.users.get(user_id) or api.user(user_id)
    message: dict[str, Any] = {
        "message_id": api.next_message_id(user_id),
        "date": 1_700_000_000,
        "chat": api.chat_dict(user_id),
        "from": user.to_api(),
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


async def test_flood_control_becomes_retry_later(moot: Harness) -> None:
    t = transport(moot)
    moot.api.user(RESIDENT)
    moot.api.flood(1, retry_after=7)
    with pytest.raises(RetryLater) as caught:
        await t.send_text(RESIDENT, "<b>Reminder</b>")
    assert caught.value.seconds == 7
    assert await t.send_text(RESIDENT, "<b>Reminder</b>") > 0, "the next try goes through"
    moot.api.flood(1, retry_after=2)
    with pytest.raises(RetryLater) as caught:
        await t.edit_text(RESIDENT, 1, "edited")
    assert caught.value.seconds == 2


async def test_a_blocked_bot_becomes_blocked(moot: Harness) -> None:
    t = transport(moot)
    moot.api.user(RESIDENT)
    mid = await t.send_text(RESIDENT, "hello")
    moot.api.block(RESIDENT, notify=False)
    with pytest.raises(Blocked):
        await t.send_text(RESIDENT, "hello again")
    with pytest.raises(Blocked):
        await t.send_photo(RESIDENT, b"\x89PNG\r\n\x1a\n", "chart")
    with pytest.raises(Blocked):
        await t.edit_text(RESIDENT, mid, "edited")


async def test_a_refused_request_becomes_rejected(moot: Harness) -> None:
    t = transport(moot)
    moot.api.user(RESIDENT)
    with pytest.raises(Rejected):
        await t.send_text(RESIDENT, "<b>unclosed")
    with pytest.raises(Rejected):
        await t.send_text(-4242, "nobody there")
    mid = await t.send_text(RESIDENT, "same", [[KeyButton("Go", callback_data="go")]])
    with pytest.raises(Rejected) as caught:
        await t.edit_text(RESIDENT, mid, "same", [[KeyButton("Go", callback_data="go")]])
    assert caught.value.not_modified, "the renderer relies on recognising 'message is not modified'"
    with pytest.raises(Rejected) as caught:
        await t.edit_text(RESIDENT, mid + 100, "gone")
    assert not caught.value.not_modified
    with pytest.raises(Rejected):
        await t.answer_callback("no-such-query", "late")


async def test_an_unreachable_server_becomes_unreachable(moot: Harness) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert moot.app is not None
    config = moot.config().model_copy(deep=True)
    config.telegram.api_base = f"http://127.0.0.1:{port}"
    runtime = make_runtime(config, moot.app.core)
    try:
        with pytest.raises(Unreachable):
            await runtime.transport.send_text(RESIDENT, "hello")
    finally:
        await runtime.close()


async def test_the_other_calls_behave_the_same(moot: Harness) -> None:
    t = transport(moot)
    api = moot.api
    api.user(RESIDENT)
    text_id = await t.send_text(RESIDENT, 'See <a href="https://example.org">the plan</a>')
    sent = api.sent_message(RESIDENT, text_id)
    assert sent is not None and sent.text == "See the plan" and sent.parse_mode == "HTML"
    photo_id = await t.send_photo(RESIDENT, b"\x89PNG\r\n\x1a\nrest", "<i>Today</i>")
    photo = api.sent_message(RESIDENT, photo_id)
    assert photo is not None and photo.kind == "photo" and photo.text == "Today"
    doc_id = await t.send_document(RESIDENT, "summary.csv", b"a,b\n1,2\n", "Summary")
    doc = api.sent_message(RESIDENT, doc_id)
    assert doc is not None and doc.kind == "document" and doc.filename == "summary.csv"
    assert doc.document == b"a,b\n1,2\n"
    stored = api.store_file(b"question: 1\n", "documents", "round.yaml", "application/yaml")
    assert await t.download(stored.file_id) == b"question: 1\n"
    api.add_group(-100777, "Heaton residents", admins=[FACILITATOR], members=[RESIDENT])
    assert await t.is_chat_admin(-100777, FACILITATOR)
    assert not await t.is_chat_admin(-100777, RESIDENT)


async def test_a_webhook_update_is_handled(moot: Harness) -> None:
    await moot.load()
    await moot.open()
    assert moot.app is not None and moot.app.runtime is not None
    update = a_message(moot, RESIDENT, "/start council-pound", update_id=50_000)
    await moot.app.runtime.feed(update)
    # feed() returns once the update is handled, on both runtimes
    assert any("How your answers are used and kept" in (m.text or "") for m in moot.api.chat(RESIDENT).messages)
    shown = len(moot.api.chat(RESIDENT).messages)
    await moot.app.runtime.feed(update)  # Telegram retries a webhook delivery: the core dedupes it
    assert len(moot.api.chat(RESIDENT).messages) == shown


async def test_a_runtime_that_never_polls_handles_webhook_updates(moot: Harness) -> None:
    """Webhook mode: no poll() at all, only feed()."""
    assert moot.app is not None
    runtime = make_runtime(moot.config(), moot.app.core)
    try:
        await runtime.feed(a_message(moot, RESIDENT, "/help", update_id=60_000))
        assert any("/mydata" in (m.text or "") for m in moot.api.chat(RESIDENT).messages)
    finally:
        await runtime.close()


async def test_only_webhook_workers_lock_a_chat_in_the_database(moot: Harness) -> None:
    """Long polling is the one consumer of updates (Telegram refuses a second getUpdates), so a press takes no
    PostgreSQL advisory lock; a core fed by a webhook, where several workers may run, does."""
    assert moot.app is not None
    assert moot.app.core.shared_chats is False  # the harness polls
    webhook = await build(moot.config())
    try:
        assert webhook.core.shared_chats is True
    finally:
        await webhook.close()


async def test_a_token_telegram_does_not_know_is_said_so_at_start(moot: Harness) -> None:
    config = moot.config().model_copy(deep=True)
    config.telegram.token = SecretStr("999:not-this-bots-token")
    config.telegram.bot_username = ""  # so the bot asks Telegram who it is, as `moot run` does
    with pytest.raises(BadToken) as caught:
        await build(config, migrate=False)
    said = [str(caught.value), repr(caught.value), str(caught.value.__cause__), str(caught.value.__context__)]
    assert not any("not-this-bots-token" in s for s in said), said  # PTB's own message quotes the whole token


async def test_moot_run_with_a_rejected_token_never_prints_it(moot: Harness, tmp_path: Path) -> None:
    token = "999:AAsecret-not-this-bots-token"
    env = {k: None for k in os.environ if k.startswith("MOOT_")} | {
        "MOOT_TELEGRAM__TOKEN": token,
        "MOOT_TELEGRAM__API_BASE": moot.api.base_url,
        "MOOT_TELEGRAM__RUNTIME": moot.runtime,
        "MOOT_DATABASE__URL": f"sqlite+aiosqlite:///{tmp_path}/moot.db",
        "MOOT_PRIVACY__PSEUDONYM_KEY": "k",
    }
    run = partial(CliRunner(env=env).invoke, cli.app, ["run", "--config", str(ROOT / "config.example.toml")])
    result = await asyncio.to_thread(run)  # the command runs its own event loop
    assert result.exit_code == 1, result.output
    assert "does not accept this bot token" in " ".join(result.output.split())
    assert "AAsecret" not in result.output and "Traceback" not in result.output


def test_moot_run_says_plainly_when_telegram_cannot_be_reached(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: None for k in os.environ if k.startswith("MOOT_")} | {
        "MOOT_TELEGRAM__TOKEN": "123456:ABC",
        "MOOT_TELEGRAM__API_BASE": f"http://127.0.0.1:{port}",
        "MOOT_DATABASE__URL": f"sqlite+aiosqlite:///{tmp_path}/moot.db",
    }
    result = CliRunner(env=env).invoke(cli.app, ["run", "--config", str(ROOT / "config.example.toml")])
    assert result.exit_code == 1
    assert f"Cannot reach Telegram at http://127.0.0.1:{port}" in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_moot_run_warns_when_no_pseudonym_key_is_set(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as s:  # a port nobody listens on: the run stops right after the warning
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: None for k in os.environ if k.startswith("MOOT_")} | {
        "MOOT_TELEGRAM__TOKEN": "123456:ABC",
        "MOOT_TELEGRAM__API_BASE": f"http://127.0.0.1:{port}",
        "MOOT_DATABASE__URL": f"sqlite+aiosqlite:///{tmp_path}/moot.db",
        "MOOT_PRIVACY__PSEUDONYM_KEY": "",
    }
    with caplog.at_level(logging.WARNING, logger="bot.serve"):
        CliRunner(env=env).invoke(cli.app, ["run", "--config", str(ROOT / "config.example.toml")])
    assert "privacy.pseudonym_key is not set" in caplog.text


def test_webhook_mode_without_a_secret_is_refused_before_anything_starts(tmp_path: Path) -> None:
    env = {k: None for k in os.environ if k.startswith("MOOT_")} | {
        "MOOT_TELEGRAM__TOKEN": "123456:ABC",
        "MOOT_DATABASE__URL": f"sqlite+aiosqlite:///{tmp_path}/moot.db",
        "MOOT_WEBHOOK__SECRET_TOKEN": "",
    }
    result = CliRunner(env=env).invoke(cli.app, ["run", "--webhook", "--config", str(ROOT / "config.example.toml")])
    assert result.exit_code != 0
    assert "needs a secret token" in str(result.exception) + result.output
    assert not (tmp_path / "moot.db").exists(), "the database was opened (so the bot had begun to start)"
