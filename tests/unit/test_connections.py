"""Workers share PostgreSQL's connections instead of each taking forty."""

from __future__ import annotations

from bot.config import load_config
from storage.engine import make_engine


def test_a_process_opens_no_more_than_its_share() -> None:
    engine = make_engine("postgresql+asyncpg://moot:moot@127.0.0.1:5432/postgres", connections=10)
    assert engine.pool.size() + engine.pool._max_overflow == 10  # type: ignore[attr-defined]


def test_each_of_four_workers_gets_a_quarter() -> None:
    total = load_config(environ={}).database.connections
    worker = load_config(environ={"MOOT_DATABASE__CONNECTIONS": str(max(4, total // 4))}).database.connections
    assert worker * 4 <= total
