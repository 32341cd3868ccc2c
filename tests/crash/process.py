"""Runs `moot` as a real process against the Bot API stand-in, so tests can kill -9 it and start it again."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import ClassVar

from tests.botapi import BotAPI
from tests.harness import ADMIN, FACILITATOR

ROOT = Path(__file__).resolve().parents[2]


class MootProcess:
    running: ClassVar[set[subprocess.Popen[bytes]]] = set()

    @classmethod
    def kill_all(cls) -> None:
        for proc in list(cls.running):
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
        cls.running.clear()

    def __init__(self, api: BotAPI, tmp: Path, **sections: dict[str, object]):
        self.api = api
        self.db = tmp / "moot.db"
        self.config = tmp / "config.toml"
        self.log = tmp / "moot.log"
        lines = [
            "[telegram]", f'token = "{api.token}"', f'api_base = "{api.base_url}"', "poll_timeout = 1",
            # the command line opens rounds before the bot process has told the database its name
            f'bot_username = "{api.bot_username}"',
            "[database]", f'url = "sqlite+aiosqlite:///{self.db}"',
            "[roles]", f"admins = [{ADMIN}]", f"facilitators = [{FACILITATOR}]",
            "[privacy]", 'pseudonym_key = "crash-test-key"',
        ]
        for name, values in sections.items():
            lines.append(f"[{name}]")
            lines += [f"{k} = {v!r}" if not isinstance(v, str) else f'{k} = "{v}"' for k, v in values.items()]
        self.config.write_text("\n".join(lines) + "\n")
        self.proc: subprocess.Popen[bytes] | None = None

    def env(self) -> dict[str, str]:
        return {**os.environ, "PYTHONPATH": str(ROOT), "MOOT_CONFIG": ""}

    def cli(self, *args: str) -> str:
        out = subprocess.run([sys.executable, "-m", "bot.cli", *args, "--config", str(self.config)],
                             cwd=ROOT, env=self.env(), capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stdout + out.stderr
        return out.stdout

    async def start(self) -> None:
        polls = self.api.stats["getUpdates"]
        log = self.log.open("ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--config", str(self.config)],
                                     cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT)
        self.running.add(self.proc)
        await self.api.wait_for(lambda: self.api.stats["getUpdates"] > polls, timeout=60)

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.running.discard(self.proc)
        self.proc = None

    async def stop(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)
            await asyncio.to_thread(self.proc.wait, 30)
            self.running.discard(self.proc)
            self.proc = None

    def query(self, sql: str, *params: object) -> list[tuple[object, ...]]:
        con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=30)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()
